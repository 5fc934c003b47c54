#!/usr/bin/env node
/**
 * `npm start`: the desktop app where the Electron binary is installed; elsewhere the same
 * embedded stack (backend, a local backtest worker, a CPU training worker, and the GPU
 * training host where a GPU backend loads) headless, printing the web UI's URL.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKEND_USAGE, loadBackendConfig, startupBanner } from '@ktrdr/backend';
import { electronBinary } from './electron-binary.js';
import { startLocalStack } from './stack/local-stack.js';

function runElectron(binary: string): void {
  const main = fileURLToPath(new URL('./main/main.js', import.meta.url));
  const child = spawn(binary, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/**
 * The `ktrdr` commands to try next, runnable as printed: the CLI finds the token in the
 * default data dir by itself, so only a non-default data dir or port is spelled out.
 */
function cliHint(backend: { url: string; tokenSource: { kind: string; path?: string } }): string {
  const env: string[] = [];
  if (backend.tokenSource.kind === 'file' && backend.tokenSource.path) {
    const dir = dirname(backend.tokenSource.path);
    if (dir !== join(homedir(), '.ktrdr')) env.push(`KTRDR_DATA_DIR=${dir}`);
  }
  const url = backend.url === 'http://127.0.0.1:8000' ? '' : ` --url ${backend.url}`;
  const prefix = `  ${env.map((e) => `${e} `).join('')}npx ktrdr${url}`;
  const sameToken =
    backend.tokenSource.kind === 'file'
      ? ''
      : '\n  (with the same KTRDR_CLUSTER_TOKEN in that terminal)';
  return `${prefix} backtest sma_crossover --follow\n${prefix} status${sameToken}`;
}

async function runHeadless(reason: string): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      `ktrdr: starts the backend, one local backtest worker and one CPU training worker.\n\n${BACKEND_USAGE}`,
    );
    return;
  }
  let stack;
  try {
    const config = loadBackendConfig({ KTRDR_LOG_LEVEL: 'warn', ...process.env }, argv);
    stack = await startLocalStack({ backend: config });
  } catch (error) {
    console.error(`ktrdr: ${(error as Error).message}`);
    process.exit(1);
  }
  const { backend } = stack;
  console.log(`ktrdr: no desktop window here (${reason}); running headless.`);
  console.log(startupBanner(backend, process.stdout.isTTY === true));
  const training = stack.workers.filter((w) => w.name.startsWith('training-')).length;
  const gpu = stack.workers.find((w) => w.name === 'gpu-training-host');
  const gpuUp = gpu ? (await gpu.workerId()) !== null : false;
  console.log(
    `  workers: ${stack.workers.length - training - (gpu ? 1 : 0)} backtest and ${training} CPU training worker(s) registered; GPU training host ${gpuUp ? 'running' : 'not started (no GPU backend loads here)'}`,
  );
  console.log(`\nIn another terminal:\n${cliHint(backend)}\n\nCtrl-C stops everything.`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nktrdr: ${signal}, stopping the workers and the backend…`);
    setTimeout(() => process.exit(1), 30_000).unref();
    void stack.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

const electron =
  process.env.KTRDR_HEADLESS === '1' ? { missing: 'KTRDR_HEADLESS=1' } : electronBinary();
if ('path' in electron) runElectron(electron.path);
else void runHeadless(electron.missing);
