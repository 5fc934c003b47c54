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
import { electronBinaryStatus, installElectron, runDoctor, type DoctorReport } from '@ktrdr/doctor';
import {
  HEADLESS_FLAG,
  installTimeoutSeconds,
  planLaunch,
  type LaunchPlan,
} from './launch-plan.js';
import { IB_HOST_PORT } from './stack/ib-host-service.js';
import { startLocalStack } from './stack/local-stack.js';

/** An Electron that dies this soon with an error never showed its window: fall back to headless. */
const EARLY_EXIT_MS = 15_000;

function runElectron(binary: string, argv: string[], doctor: Promise<DoctorReport>): void {
  const main = fileURLToPath(new URL('./main/main.js', import.meta.url));
  const started = Date.now();
  const child = spawn(binary, [main, ...argv], { stdio: 'inherit' });
  let signalled = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      signalled = true;
      child.kill(signal);
    });
  child.on('exit', (code, signal) => {
    if (!signalled && code !== 0 && Date.now() - started < EARLY_EXIT_MS) {
      void runHeadless(
        `the desktop window could not start (Electron exited with code ${code ?? signal}; its output is above)`,
        argv,
        doctor,
      );
      return;
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
}

/** A port from the environment, or the default; a bad value stops with a line naming it. */
function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`ktrdr: ${name} must be a port number (0-65535), got "${raw}"`);
    process.exit(1);
  }
  return port;
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

async function runHeadless(
  reason: string,
  argv: string[],
  doctor: Promise<DoctorReport>,
): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      `ktrdr: starts the backend, one local backtest worker, one CPU training worker and the IB host service.\n\n${BACKEND_USAGE}\n\nIB host service: KTRDR_IB_HOST_PORT (5001; 0 = a free port), IB_GATEWAY_HOST (127.0.0.1), IB_GATEWAY_PORT (4002).`,
    );
    return;
  }
  let stack;
  try {
    const config = loadBackendConfig({ KTRDR_LOG_LEVEL: 'warn', ...process.env }, argv);
    stack = await startLocalStack({
      backend: config,
      ibHostPort: envPort('KTRDR_IB_HOST_PORT', IB_HOST_PORT),
      ibGateway: {
        host: process.env.IB_GATEWAY_HOST || '127.0.0.1',
        port: envPort('IB_GATEWAY_PORT', 4002),
      },
    });
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
  const ibHost = stack.services.find((s) => s.name === 'ib-host');
  console.log(
    `  workers: ${stack.workers.length - training - (gpu ? 1 : 0)} backtest and ${training} CPU training worker(s) registered; GPU training host ${gpuUp ? 'running' : 'not started (no GPU backend loads here)'}`,
  );
  if (ibHost) {
    console.log(
      `  IB host service on ${await ibHost.workerId()} (IB Gateway/TWS expected at ${process.env.IB_GATEWAY_HOST || '127.0.0.1'}:${envPort('IB_GATEWAY_PORT', 4002)}; see docs/data.md)`,
    );
  }
  console.log(`\nIn another terminal:\n${cliHint(backend)}`);
  console.log(`\n${(await doctor).summary}`);
  console.log('\nCtrl-C stops everything.');
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

/** Runs Electron's installer with a visible progress line; resolves with its failure reason, if any. */
async function tryInstallElectron(version: string): Promise<string | undefined> {
  let seconds;
  try {
    seconds = installTimeoutSeconds(process.env);
  } catch (error) {
    console.error(`ktrdr: ${(error as Error).message}`);
    process.exit(1);
  }
  const tty = process.stdout.isTTY === true;
  console.log(
    `ktrdr: no Electron binary yet: running Electron's installer for ${version} (about 100 MB, up to ${seconds} s; ${HEADLESS_FLAG} skips this)…`,
  );
  const result = await installElectron({
    timeoutMs: seconds * 1000,
    onProgress: (s) => {
      if (tty) process.stdout.write(`\r  downloading Electron ${version}… ${s} s`);
    },
    onOutput: (line) => console.log(`  ${line}`),
  });
  if (tty) process.stdout.write('\r\x1b[K');
  if (result.ok) {
    console.log(`ktrdr: Electron ${result.version} installed at ${result.path}`);
    return undefined;
  }
  // Ctrl-C during the download stops npm start, as anywhere else
  if (result.interrupted) process.exit(130);
  return result.reason;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const facts = { argv, env: process.env, platform: process.platform };
  let plan: LaunchPlan = planLaunch({ ...facts, electron: electronBinaryStatus() });
  if (plan.mode === 'install') {
    const failure = await tryInstallElectron(plan.version);
    const electron = electronBinaryStatus();
    plan = planLaunch({
      ...facts,
      electron,
      installFailed: failure ?? (electron.installed ? undefined : electron.reason),
    });
  }
  // what the machine lacks, checked while the stack starts; the banner ends with it
  const doctor = runDoctor({ verifyElectronBinary: false });
  const rest = argv.filter((a) => a !== HEADLESS_FLAG);
  if (plan.mode === 'window') runElectron(plan.binary, rest, doctor);
  else
    await runHeadless(plan.mode === 'headless' ? plan.reason : 'no Electron binary', rest, doctor);
}

void main();
