#!/usr/bin/env node
import { startBackend } from './backend.js';
import { startupBanner } from './banner.js';
import { BACKEND_USAGE, loadBackendConfig } from './config.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(BACKEND_USAGE);
    return;
  }
  let handle;
  try {
    handle = await startBackend(loadBackendConfig(process.env, argv));
  } catch (error) {
    console.error(`ktrdr-backend: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(startupBanner(handle, process.stdout.isTTY === true));
  const stop = (signal: string) => {
    console.log(`ktrdr-backend: ${signal}, shutting down`);
    void handle.close().then(() => process.exit(0));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

void main();
