import { join } from 'node:path';
import { startBackend, type BackendConfig, type BackendHandle } from '@ktrdr/backend';
import { superviseWorker, type SupervisedWorker } from './worker-process.js';

/** What runs on the trader's machine. */
export interface LocalStackOptions {
  backend: BackendConfig;
  /** Local CPU backtest workers to start as child processes (default 1). */
  backtestWorkers?: number;
  // The training issue adds local training workers and the GPU training host service here;
  // the IB issue adds the IB host service.
  /** How long to wait for the workers to register. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

/** The running stack. */
export interface LocalStack {
  backend: BackendHandle;
  workers: SupervisedWorker[];
  /** Stops the workers, then the backend; leaves no process behind. */
  close(): Promise<void>;
}

/**
 * Starts the embedded stack the desktop app (and `npm start` without Electron) runs: the
 * backend, then local workers as child processes, and waits until every worker has
 * registered — or fails with a message the user can act on.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const backend = await startBackend(options.backend);
  const workers: SupervisedWorker[] = [];
  const close = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await backend.close();
  };
  try {
    const count = options.backtestWorkers ?? 1;
    for (let i = 1; i <= count; i++) {
      workers.push(
        superviseWorker({
          name: `backtest-worker-${i}`,
          log,
          env: {
            KTRDR_BACKEND_URL: backend.url,
            KTRDR_CLUSTER_TOKEN: backend.token,
            KTRDR_WORKER_TYPE: 'backtesting',
            // local workers listen on loopback only, on any free port
            KTRDR_WORKER_HOST: '127.0.0.1',
            KTRDR_WORKER_PORT: '0',
            KTRDR_CACHE_DIR: join(options.backend.dataDir, 'cache', `backtest-worker-${i}`),
            KTRDR_LOG_LEVEL: options.backend.logLevel,
          },
        }),
      );
    }
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const registry = backend.backend.ctx.registry;
    await Promise.race([
      Promise.all(
        workers.map(async (worker) => {
          const id = await worker.workerId();
          while (!registry.get(id)) await new Promise((r) => setTimeout(r, 50));
        }),
      ),
      new Promise((_, reject) =>
        setTimeout(
          () =>
            reject(
              new Error(
                `the local workers did not register within ${timeoutMs / 1000} s; see the [backtest-worker-N] lines above`,
              ),
            ),
          timeoutMs,
        ).unref(),
      ),
    ]);
    return { backend, workers, close };
  } catch (error) {
    await close();
    throw error;
  }
}
