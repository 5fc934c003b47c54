import { startBackend, type BackendConfig, type BackendHandle } from '@ktrdr/backend';
import { IB_HOST_PORT, resolvePort, startLocalIbHost } from './ib-host-service.js';
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
  /**
   * Run the IB host service beside the backend (default true) on this port (default 5001;
   * 0 = a free one), talking to IB Gateway/TWS at `ibGateway` (default 127.0.0.1:4002).
   */
  ibHost?: boolean;
  ibHostPort?: number;
  ibGateway?: { host: string; port: number };
  /** How long to wait for the workers to register. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

/** The running stack. */
export interface LocalStack {
  backend: BackendHandle;
  workers: SupervisedWorker[];
  /** The other child processes: the IB host service (its id is the URL it listens on). */
  services: SupervisedWorker[];
  /** Stops the workers and services, then the backend; leaves no process behind. */
  close(): Promise<void>;
}

/**
 * Starts the embedded stack the desktop app (and `npm start` without Electron) runs: the
 * backend, then local workers as child processes, and waits until every worker has
 * registered — or fails with a message the user can act on.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const ibHost = options.ibHost ?? true;
  const ibHostPort = ibHost ? await resolvePort(options.ibHostPort ?? IB_HOST_PORT) : 0;
  const backend = await startBackend(
    ibHost
      ? {
          ...options.backend,
          useIbHostService: true,
          ibHostServiceUrl: `http://127.0.0.1:${ibHostPort}`,
        }
      : options.backend,
  );
  const workers: SupervisedWorker[] = [];
  /** Child processes that are not workers (the IB host service). */
  const services: SupervisedWorker[] = [];
  const close = async () => {
    await Promise.all([...workers, ...services].map((w) => w.stop()));
    await backend.close();
  };
  try {
    workers.push(
      ...startLocalWorkers({
        backendUrl: backend.url,
        joinToken: backend.joinToken,
        dataDir: options.backend.dataDir,
        logLevel: options.backend.logLevel,
        backtestWorkers: options.backtestWorkers ?? 1,
        trainingWorkers: options.trainingWorkers ?? 1,
        gpuTrainingHost: options.gpuTrainingHost ?? true,
        log,
      }),
    );
    if (ibHost) {
      services.push(
        startLocalIbHost({
          token: backend.token,
          port: ibHostPort,
          gatewayHost: options.ibGateway?.host ?? '127.0.0.1',
          gatewayPort: options.ibGateway?.port ?? 4002,
          logLevel: options.backend.logLevel,
          log,
        }),
      );
    }
    const registry = backend.backend.ctx.registry;
    await awaitRegistered(
      workers,
      (id) => registry.get(id) !== undefined,
      options.readyTimeoutMs ?? 30_000,
    );
    // the IB host service is ready once it listens (its link to IB comes and goes on its own)
    await Promise.all(services.map((service) => service.workerId()));
    return { backend, workers, services, close };
  } catch (error) {
    await close();
    throw error;
  }
}
