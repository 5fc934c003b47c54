#!/usr/bin/env node
import { releaseYoungGenerationWhenQuiet } from '@ktrdr/server-kit';
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
  // start-up's young generation (~30 MiB resident) goes back once the backend is quiet
  const stopYoungGenerationRelease = releaseYoungGenerationWhenQuiet();
  const stop = (signal: string) => {
    console.log(`ktrdr-backend: ${signal}, shutting down`);
    stopYoungGenerationRelease();
    void handle.close().then(() => process.exit(0));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

void main();
