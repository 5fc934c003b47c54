import { fileURLToPath } from 'node:url';
import { BackendClient } from '@ktrdr/shared';
import { resolvePort, startLocalIbHost } from '../stack/ib-host-service.js';
import { awaitRegistered, startLocalWorkers } from '../stack/local-workers.js';
import type { SupervisedWorker } from '../stack/worker-process.js';
import type { HostMessage, ParentMessage } from './host-protocol.js';
import { desktopRuntime, type SqliteDriverChoice } from './runtime-plan.js';
import type { DesktopSettings } from './settings.js';

/** A process running the backend (an Electron utility process, or a Node fork in tests). */
export interface HostProcess {
  /** The OS process id, where known. */
  readonly pid?: number | undefined;
  send(message: ParentMessage): void;
  onMessage(listener: (message: HostMessage) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** Starts `entry` as the backend's process with `env`. */
export type SpawnHost = (entry: string, env: Record<string, string>) => HostProcess;

/** The compiled backend host script, next to this file. */
export const BACKEND_HOST_ENTRY = fileURLToPath(new URL('./backend-host.js', import.meta.url));

/** Start-up failed; the message says what to do. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Options of {@link startDesktopStack}. */
export interface DesktopStackOptions {
  dataDir: string;
  settings: DesktopSettings;
  spawnHost: SpawnHost;
  /** The backend host script (default: the compiled one next to this module). */
  hostEntry?: string;
  handshakeTimeoutMs?: number;
  workerTimeoutMs?: number;
  logLevel?: string;
  log?: (line: string) => void;
  /** The backend's SQLite driver (default: {@link desktopRuntime}'s choice for this process). */
  sqliteDriver?: SqliteDriverChoice;
}

/** The running stack. */
export interface DesktopStack {
  url: string;
  token: string;
  workers: SupervisedWorker[];
  /** The IB host service (its id is the URL it listens on). */
  ibHost: SupervisedWorker;
  /** Stops the workers and the IB host service, then the backend; resolves when every process is gone. */
  stop(): Promise<void>;
}

function handshake(
  host: HostProcess,
  timeoutMs: number,
  port: number,
): Promise<{ url: string; token: string; joinToken: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new StartupError(
            `the backend did not start within ${timeoutMs / 1000} s; see the log in the data folder`,
          ),
        ),
      timeoutMs,
    );
    host.onMessage((message) => {
      clearTimeout(timer);
      if (message.type === 'ready')
        resolve({ url: message.url, token: message.token, joinToken: message.joinToken });
      else {
        const hint = /port \d+ .* is in use/.test(message.message)
          ? ` (change the port in the settings, currently ${port})`
          : '';
        reject(new StartupError(`the backend could not start: ${message.message}${hint}`));
      }
    });
    host.onExit((code) => {
      clearTimeout(timer);
      reject(new StartupError(`the backend exited during start-up (code ${code ?? 'none'})`));
    });
  });
}

/**
 * What the desktop app starts, in order, each awaited with a deadline: the backend in its
 * own process (handshake: ready or a reason), then the local workers as child processes
 * (until each has registered): backtest workers, CPU training workers, and the GPU
 * training host service where a GPU backend loads; and the IB host service beside the
 * backend (which is told to route downloads through it).
 * Free of Electron, so it is tested with plain Node processes.
 */
export async function startDesktopStack(options: DesktopStackOptions): Promise<DesktopStack> {
  const { settings, dataDir } = options;
  const log = options.log ?? (() => undefined);
  const ibHostPort = await resolvePort(settings.ib_host_port);
  const env: Record<string, string> = {
    USE_IB_HOST_SERVICE: 'true',
    IB_HOST_SERVICE_URL: `http://127.0.0.1:${ibHostPort}`,
    KTRDR_DATA_DIR: dataDir,
    KTRDR_PORT: String(settings.backend_port),
    KTRDR_HOST: settings.allow_lan_workers ? '0.0.0.0' : '127.0.0.1',
    KTRDR_LOG_LEVEL: options.logLevel ?? 'warn',
    KTRDR_SQLITE_DRIVER: options.sqliteDriver ?? desktopRuntime().sqliteDriver,
  };
  const host = options.spawnHost(options.hostEntry ?? BACKEND_HOST_ENTRY, env);
  let exited = false;
  const exit = new Promise<void>((resolve) => host.onExit(() => ((exited = true), resolve())));
  const stopHost = async () => {
    if (exited) return;
    host.send({ type: 'stop' });
    const killed = setTimeout(() => host.kill(), 10_000);
    await exit;
    clearTimeout(killed);
  };
  let ready;
  try {
    ready = await handshake(host, options.handshakeTimeoutMs ?? 30_000, settings.backend_port);
  } catch (error) {
    host.kill();
    throw error;
  }
  log(`backend ready at ${ready.url}`);

  const workers: SupervisedWorker[] = [];
  const ibHost = startLocalIbHost({
    token: ready.token,
    port: ibHostPort,
    gatewayHost: settings.ib_gateway_host,
    gatewayPort: settings.ib_gateway_port,
    logLevel: options.logLevel ?? 'warn',
    log,
  });
  const stop = async () => {
    await Promise.all([...workers, ibHost].map((w) => w.stop()));
    await stopHost();
  };
  try {
    workers.push(
      ...startLocalWorkers({
        backendUrl: ready.url,
        joinToken: ready.joinToken,
        dataDir,
        logLevel: options.logLevel ?? 'warn',
        backtestWorkers: settings.local_backtest_workers,
        trainingWorkers: settings.local_training_workers,
        gpuTrainingHost: settings.gpu_training_host,
        log,
      }),
    );
    const client = new BackendClient({ baseUrl: ready.url, token: ready.token });
    try {
      await awaitRegistered(
        workers,
        async (id) => (await client.listWorkers()).workers.some((w) => w.worker_id === id),
        options.workerTimeoutMs ?? 30_000,
      );
    } catch (error) {
      throw new StartupError((error as Error).message);
    }
    await ibHost.workerId();
    return { ...ready, workers, ibHost, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
