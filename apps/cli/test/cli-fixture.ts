import { mkdirSync } from 'node:fs';
import { BackendClient } from '@ktrdr/shared';
import {
  startBackendProcess,
  startWorkerProcess,
  tempDir,
  waitFor,
  type BackendProcess,
  type WorkerProcess,
} from '@ktrdr/testkit';

/** The token the fixture's backend and workers share. */
export const TOKEN = 'cli-test-token-0123456789abcdef';

/** A backend process, its workers, and the environment a `ktrdr` run needs to reach them. */
export interface CliCluster {
  backend: BackendProcess;
  workers: WorkerProcess[];
  client: BackendClient;
  /** KTRDR_BACKEND_URL, KTRDR_CLUSTER_TOKEN and an empty KTRDR_DATA_DIR. */
  env: Record<string, string>;
  dir: string;
  close(): Promise<void>;
}

/**
 * Starts a real `ktrdr-backend` and `backtesters` backtest workers (throttled to ~2.5 s per
 * run of the bundled series, long enough to interrupt) plus `trainers` CPU training workers.
 */
export async function startCliCluster(options: {
  backtesters: number;
  trainers: number;
}): Promise<CliCluster> {
  const dir = tempDir('ktrdr-cli-');
  const backend = await startBackendProcess({
    dataDir: `${dir.path}/data`,
    port: 0,
    token: TOKEN,
  });
  const client = new BackendClient({ baseUrl: backend.url, token: TOKEN });
  const start = (type: 'backtesting' | 'training', n: number) =>
    startWorkerProcess({
      backendUrl: backend.url,
      token: TOKEN,
      type,
      cacheDir: `${dir.path}/${type}-${n}`,
      env:
        type === 'backtesting'
          ? { KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '2000' }
          : { KTRDR_TRAINING_BACKEND: 'cpu' },
    });
  const workers = await Promise.all([
    ...Array.from({ length: options.backtesters }, (_, n) => start('backtesting', n)),
    ...Array.from({ length: options.trainers }, (_, n) => start('training', n)),
  ]);
  const total = options.backtesters + options.trainers;
  await waitFor(
    `${total} workers registered`,
    async () => (await client.listWorkers()).total_count === total,
  );
  mkdirSync(`${dir.path}/cli-home`, { recursive: true });
  return {
    backend,
    workers,
    client,
    dir: dir.path,
    env: {
      KTRDR_BACKEND_URL: backend.url,
      KTRDR_CLUSTER_TOKEN: TOKEN,
      KTRDR_DATA_DIR: `${dir.path}/cli-home`,
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
      await backend.stop('SIGTERM');
      dir.remove();
    },
  };
}
