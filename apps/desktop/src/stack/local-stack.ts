import { startBackend, type BackendConfig, type BackendHandle } from '@ktrdr/backend';
import { awaitRegistered, startLocalWorkers } from './local-workers.js';
import type { SupervisedWorker } from './worker-process.js';

/** What runs on the trader's machine. */
export interface LocalStackOptions {
  backend: BackendConfig;
  /** Local CPU backtest workers to start as child processes (default 1). */
  backtestWorkers?: number;
  /** Local CPU training workers (default 1). */
  trainingWorkers?: number;
  /** Try the GPU training host service (default true; it runs only where a GPU backend loads). */
  gpuTrainingHost?: boolean;
  // the IB issue adds the IB host service
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
    workers.push(
      ...startLocalWorkers({
        backendUrl: backend.url,
        token: backend.token,
        dataDir: options.backend.dataDir,
        logLevel: options.backend.logLevel,
        backtestWorkers: options.backtestWorkers ?? 1,
        trainingWorkers: options.trainingWorkers ?? 1,
        gpuTrainingHost: options.gpuTrainingHost ?? true,
        log,
      }),
    );
    const registry = backend.backend.ctx.registry;
    await awaitRegistered(
      workers,
      (id) => registry.get(id) !== undefined,
      options.readyTimeoutMs ?? 30_000,
    );
    return { backend, workers, close };
  } catch (error) {
    await close();
    throw error;
  }
}
