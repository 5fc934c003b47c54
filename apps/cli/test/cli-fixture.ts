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

/**
 * A strategy whose backtest runs ~15 s on the fixture's throttled workers (30,000 daily
 * bars of a random walk): long enough to interrupt, inspect and cancel under any load.
 */
export const SLOW_STRATEGY = 'slow_cross';

/** 30,000 daily bars of a seeded random walk, as CSV. */
function longSeriesCsv(): string {
  const lines = ['date,open,high,low,close,volume'];
  let price = 100;
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 30_000; i++) {
    const day = new Date(Date.UTC(1900, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const open = price;
    price = Math.max(1, price * (1 + (random() - 0.5) * 0.04));
    const high = Math.max(open, price) * 1.005;
    const low = Math.min(open, price) * 0.995;
    lines.push(
      `${day},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${price.toFixed(2)},1000`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const SLOW_YAML = `name: ${SLOW_STRATEGY}
type: rules
data: { symbol: LONG, timeframe: 1d, start_date: '1900-01-01', end_date: '1990-12-31' }
indicators:
  fast: { type: sma, period: 10 }
  slow: { type: sma, period: 30 }
entry:
  long: { crosses_above: [fast, slow] }
exit:
  long: { crosses_below: [fast, slow] }
`;

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
  await client.importCsv({ symbol: 'LONG', timeframe: '1d' }, longSeriesCsv());
  await client.putStrategy(SLOW_STRATEGY, SLOW_YAML);
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
