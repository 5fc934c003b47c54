import { BackendClient, type Operation } from '@ktrdr/shared';
import { startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '@ktrdr/testkit';
import {
  defaultBackendConfig,
  startBackend,
  type BackendConfig,
  type BackendHandle,
} from '../../src/index.js';

/** A token long enough for the backend's check, fixed so worker processes can be given it. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** An in-process backend on a free loopback port, its data dir under `dir`, quiet. */
export function startTestBackend(
  dir: string,
  overrides: Partial<BackendConfig> = {},
): Promise<BackendHandle> {
  return startBackend({
    ...defaultBackendConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir: `${dir}/data`,
    clusterToken: TEST_TOKEN,
    logLevel: 'silent',
    ...overrides,
  });
}

/** An in-process backend on a free port and real worker processes registered with it. */
export interface Cluster {
  backend: BackendHandle;
  client: BackendClient;
  workers: WorkerProcess[];
  dir: string;
  addWorker(env?: Record<string, string>): Promise<WorkerProcess>;
  /** Polls an operation through the API until `predicate` holds; resolves with it. */
  until(
    id: string,
    predicate: (op: Operation) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Operation>;
  close(): Promise<void>;
}

/**
 * Starts a backend (temp data dir, port 0) and `workerCount` `ktrdr-worker` processes.
 * `throttle` caps each worker's backtest speed (bars/s) so runs last long enough to
 * watch, cancel or kill.
 */
export async function startCluster(options: {
  workerEnv?: Record<string, string>;
  workerCount: number;
  throttle?: number;
  backend?: Partial<BackendConfig>;
}): Promise<Cluster> {
  const dir = tempDir();
  const backend = await startTestBackend(dir.path, options.backend);
  const client = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
  const workers: WorkerProcess[] = [];
  let n = 0;
  const addWorker = async (env: Record<string, string> = {}) => {
    const worker = await startWorkerProcess({
      backendUrl: backend.url,
      token: TEST_TOKEN,
      cacheDir: `${dir.path}/worker-${++n}`,
      env: {
        ...(options.throttle
          ? { KTRDR_WORKER_THROTTLE_BARS_PER_SEC: String(options.throttle) }
          : {}),
        ...options.workerEnv,
        ...env,
      },
    });
    workers.push(worker);
    await waitFor(`worker ${worker.workerId} registered`, () =>
      backend.backend.ctx.registry.get(worker.workerId),
    );
    return worker;
  };
  await Promise.all(Array.from({ length: options.workerCount }, () => addWorker()));
  return {
    backend,
    client,
    workers,
    dir: dir.path,
    addWorker,
    until: (id, predicate, what, timeoutMs = 20_000) =>
      waitFor(
        what,
        async () => {
          const op = await client.getOperation(id);
          return predicate(op) ? op : undefined;
        },
        { timeoutMs, intervalMs: 100 },
      ),
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
      await backend.close();
      dir.remove();
    },
  };
}
