#!/usr/bin/env node
import { releaseYoungGenerationWhenQuiet } from '@ktrdr/server-kit';
import { loadWorkerConfig, WORKER_USAGE } from './config.js';
import { startWorker } from './worker.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(WORKER_USAGE);
    return;
  }
  let handle;
  try {
    handle = await startWorker(loadWorkerConfig(process.env, argv));
  } catch (error) {
    console.error(`ktrdr-worker: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(
    `ktrdr-worker ${handle.workerId} listening on ${handle.url} (advertised as ${handle.publicUrl})`,
  );
  // start-up's young generation (~30 MiB resident) goes back once the worker is quiet
  const stopYoungGenerationRelease = releaseYoungGenerationWhenQuiet();
  // a live worker elsewhere holds this id (cloned machines): the backend's message says
  // which, and how to fix it; retrying cannot, so leave with EX_CONFIG (78), port released
  void handle.refused.then((refusal) => {
    console.error(`ktrdr-worker: ${refusal.message}`);
    process.exit(refusal.exitCode);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stopYoungGenerationRelease();
    console.log(`ktrdr-worker: ${signal}, finishing up and leaving`);
    // compose and Kubernetes give 30 s; leave well before
    setTimeout(() => process.exit(1), 25_000).unref();
    void handle.shutdown().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // started by the desktop app or `npm start`: leave with it, even when it was killed
  if (process.env.KTRDR_EXIT_WITH_PARENT === '1') {
    process.stdin.on('data', () => undefined);
    process.stdin.once('end', () => stop('the process that started this worker is gone'));
  }
}

void main();
