#!/usr/bin/env node
/**
 * `npm start`: the desktop app's embedded stack. Where the Electron binary is installed
 * the desktop issue launches the window on top of this; here it runs headless and
 * prints where to reach the API.
 */
import { BACKEND_USAGE, loadBackendConfig, startupBanner } from '@ktrdr/backend';
import { startLocalStack } from './stack/local-stack.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`ktrdr: starts the backend and one local backtest worker.\n\n${BACKEND_USAGE}`);
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
  console.log(startupBanner(backend, process.stdout.isTTY === true));
  console.log(`  workers: ${stack.workers.length} local backtest worker(s) registered`);
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

void main();
