import { join } from 'node:path';
import { superviseWorker, type SupervisedWorker } from './worker-process.js';

/** Which local workers to run beside the backend. */
export interface LocalWorkersOptions {
  backendUrl: string;
  /** The backend's join token: local workers hold no admin rights either. */
  joinToken: string;
  dataDir: string;
  logLevel: string;
  backtestWorkers: number;
  trainingWorkers: number;
  /** Try the GPU training host service (it declines to start where no GPU backend loads). */
  gpuTrainingHost: boolean;
  log: (line: string) => void;
}

/**
 * Starts the local workers as supervised child processes: backtest workers, CPU training
 * workers (wasm, the fastest CPU backend that loads everywhere), and the GPU training
 * host service on port 5002, which exits at once — logged, not restarted — on a machine
 * where no GPU backend loads. Every one listens on loopback only.
 */
export function startLocalWorkers(options: LocalWorkersOptions): SupervisedWorker[] {
  const env = (name: string, type: 'backtesting' | 'training') => ({
    KTRDR_BACKEND_URL: options.backendUrl,
    KTRDR_JOIN_TOKEN: options.joinToken,
    KTRDR_WORKER_TYPE: type,
    KTRDR_WORKER_HOST: '127.0.0.1',
    KTRDR_WORKER_PORT: '0',
    KTRDR_CACHE_DIR: join(options.dataDir, 'cache', name),
    KTRDR_LOG_LEVEL: options.logLevel,
  });
  const { log } = options;
  const workers: SupervisedWorker[] = [];
  for (let i = 1; i <= options.backtestWorkers; i++) {
    const name = `backtest-worker-${i}`;
    workers.push(superviseWorker({ name, log, env: env(name, 'backtesting') }));
  }
  for (let i = 1; i <= options.trainingWorkers; i++) {
    const name = `training-worker-${i}`;
    workers.push(
      superviseWorker({
        name,
        log,
        env: { ...env(name, 'training'), KTRDR_TRAINING_BACKEND: 'wasm' },
      }),
    );
  }
  if (options.gpuTrainingHost) {
    const name = 'gpu-training-host';
    workers.push(
      superviseWorker({
        name,
        log,
        args: ['--gpu-host'],
        optional: true,
        env: { ...env(name, 'training'), KTRDR_WORKER_PORT: '5002' },
      }),
    );
  }
  return workers;
}

/**
 * Waits until every started worker has registered (an optional one that declined is
 * skipped); rejects after `timeoutMs` with a message that says where to look.
 */
export async function awaitRegistered(
  workers: readonly SupervisedWorker[],
  isRegistered: (workerId: string) => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ids = (await Promise.all(workers.map((w) => w.workerId()))).filter(
    (id): id is string => id !== null,
  );
  for (const id of ids) {
    while (!(await isRegistered(id))) {
      if (Date.now() > deadline)
        throw new Error(
          `the local workers did not register within ${timeoutMs / 1000} s; see the [backtest-worker-N] / [training-worker-N] lines in the log`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
