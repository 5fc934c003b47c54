#!/usr/bin/env node
import { IB_HOST_USAGE, loadIbHostConfig } from './config.js';
import { startIbHost } from './ib-host.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(IB_HOST_USAGE);
    return;
  }
  let handle;
  try {
    handle = await startIbHost(loadIbHostConfig(process.env, argv));
  } catch (error) {
    console.error(`ktrdr-ib-host: ${(error as Error).message}`);
    process.exit(1);
  }
  const gateway = handle.gatewayState();
  console.log(
    `ktrdr-ib-host listening on ${handle.url} (IB Gateway/TWS at ${gateway.host}:${gateway.port}, client id ${gateway.client_id})`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`ktrdr-ib-host: ${signal}, shutting down`);
    setTimeout(() => process.exit(1), 10_000).unref();
    void handle.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // started by the desktop app or `npm start`: leave with it, even when it was killed
  if (process.env.KTRDR_EXIT_WITH_PARENT === '1') {
    process.stdin.on('data', () => undefined);
    process.stdin.once('end', () => stop('the process that started this service is gone'));
  }
}

void main();
