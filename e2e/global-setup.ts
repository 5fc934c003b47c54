import { startBackendProcess, startWorkerProcess, tempDir, waitFor } from '@ktrdr/testkit';
import { BackendClient } from '@ktrdr/shared';

const TOKEN = 'e2e-token-0123456789abcdef';

/**
 * A real backend process, two real backtest worker processes (speed-capped so a backtest
 * of the bundled series runs for a few seconds: long enough to watch and cancel) and a
 * CPU training worker. Tests read
 * where they are from the environment; the returned function stops them all.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = tempDir('ktrdr-e2e-');
  const backend = await startBackendProcess({ dataDir: `${dir.path}/data`, port: 0, token: TOKEN });
  const workers = await Promise.all(
    [1, 2].map((n) =>
      startWorkerProcess({
        backendUrl: backend.url,
        token: TOKEN,
        cacheDir: `${dir.path}/worker-${n}`,
        env: { KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '1500', KTRDR_CHECKPOINT_SECONDS: '0.5' },
      }),
    ),
  );
  // and a CPU training worker on the wasm backend (what the desktop app starts)
  workers.push(
    await startWorkerProcess({
      backendUrl: backend.url,
      token: TOKEN,
      type: 'training',
      cacheDir: `${dir.path}/worker-training`,
      env: { KTRDR_TRAINING_BACKEND: 'wasm' },
    }),
  );
  const client = new BackendClient({ baseUrl: backend.url, token: TOKEN });
  await waitFor(
    'every worker registered',
    async () => (await client.listWorkers()).total_count === 3,
    { timeoutMs: 20_000 },
  );
  process.env.KTRDR_E2E_URL = backend.url;
  process.env.KTRDR_E2E_TOKEN = TOKEN;
  process.env.KTRDR_E2E_WORKERS = JSON.stringify(
    workers.map((w, i) => ({
      id: w.workerId,
      pid: w.child.pid,
      type: i < 2 ? 'backtesting' : 'training',
    })),
  );
  return async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await backend.stop('SIGTERM');
    dir.remove();
  };
}
