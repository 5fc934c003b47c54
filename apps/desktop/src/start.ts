#!/usr/bin/env node
/**
 * `npm start`: the desktop app where the Electron binary is installed; elsewhere the same
 * embedded stack (backend, a local backtest worker, a CPU training worker, and the GPU
 * training host where a GPU backend loads) headless, printing the web UI's URL.
 */
import { spawn } from 'node:child_process';
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
  const token =
    backend.tokenSource.kind === 'file'
      ? `$(cat ${backend.tokenSource.path})`
      : '$KTRDR_CLUSTER_TOKEN';
  console.log(
    `\nRun a backtest:\n  curl -s -X POST ${backend.url}/api/v1/backtests/start \\\n    -H "Authorization: Bearer ${token}" -H 'content-type: application/json' \\\n    -d '{"strategy_name": "sma_crossover"}'\n\nCtrl-C stops everything.`,
  );
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
