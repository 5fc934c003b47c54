import {
  REPO_ROOT,
  spawnService,
  startBackendProcess,
  startWorkerProcess,
  tempDir,
  waitFor,
} from '@ktrdr/testkit';
import { startTwsSimulator } from '@ktrdr/testkit/tws-simulator';
import { BackendClient } from '@ktrdr/shared';

const TOKEN = 'e2e-token-0123456789abcdef';

/**
 * A real backend process, two real backtest worker processes (speed-capped so a backtest
 * of the bundled series runs for a few seconds: long enough to watch and cancel), a CPU
 * training worker, and the IB host service connected to the TWS simulator (a real TCP
 * "gateway"). Tests read where they are from the environment; the returned function
 * stops them all.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = tempDir('ktrdr-e2e-');
  const gateway = await startTwsSimulator({ seed: 11 });
  const ibHost = await spawnService(
    `${REPO_ROOT}apps/ib-host/dist/bin.js`,
    [],
    {
      KTRDR_CLUSTER_TOKEN: TOKEN,
      KTRDR_IB_HOST_PORT: '0',
      IB_GATEWAY_PORT: String(gateway.port),
    },
    /ktrdr-ib-host listening on (http:\/\/\S+)/,
  );
  const backend = await startBackendProcess({
    dataDir: `${dir.path}/data`,
    port: 0,
    token: TOKEN,
    env: { USE_IB_HOST_SERVICE: 'true', IB_HOST_SERVICE_URL: ibHost.match[1] as string },
  });
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
  await waitFor('the IB host service connected to the simulator', async () =>
    Boolean((await client.ibStatus()).gateway?.connected),
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
    await ibHost.proc.stop('SIGTERM');
    await gateway.close();
    dir.remove();
  };
}
