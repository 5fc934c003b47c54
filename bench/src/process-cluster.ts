import { BackendClient, subscribeToEvents, type BackendEvent, type Operation } from '@ktrdr/shared';
import {
  freePort,
  startBackendProcess,
  startWorkerProcess,
  tempDir,
  waitFor,
  type BackendProcess,
  type WorkerProcess,
} from '@ktrdr/testkit';
import { Agent } from 'undici';

const TOKEN = 'bench-token-0123456789abcdef';

/**
 * A `ktrdr-backend` process (its CPU and memory measurable on their own, and restartable on
 * the same port and data dir) plus `ktrdr-worker` processes, for one benchmark scenario.
 */
export class ProcessCluster {
  readonly dir = tempDir('ktrdr-bench-proc-');
  readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  readonly workers: WorkerProcess[] = [];
  backend!: BackendProcess;
  client!: BackendClient;
  port = 0;
  /** Worker processes started so far (each gets its own cache dir). */
  private started = 0;

  constructor(private readonly backendEnv: Record<string, string> = {}) {}

  get dataDir(): string {
    return `${this.dir.path}/data`;
  }

  get token(): string {
    return TOKEN;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the backend process (on the port of the previous start, if any). */
  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    this.backend = await startBackendProcess({
      dataDir: this.dataDir,
      port: this.port,
      token: TOKEN,
      env: { KTRDR_LOG_LEVEL: 'error', ...profiling(), ...this.backendEnv },
    });
    this.client ??= new BackendClient({ baseUrl: this.url, token: TOKEN, dispatcher: this.agent });
    return this;
  }

  /** Stops the backend process (SIGTERM: a clean shutdown) and waits for its exit. */
  async stopBackend(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.backend.stop(signal);
  }

  /** Adds `n` real worker processes and waits until the backend lists them as available. */
  async addWorkers(
    n: number,
    env: Record<string, string> = {},
    type: 'backtesting' | 'training' = 'backtesting',
  ): Promise<WorkerProcess[]> {
    const first = this.started;
    this.started += n;
    const started = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        startWorkerProcess({
          backendUrl: this.url,
          token: TOKEN,
          type,
          cacheDir: `${this.dir.path}/w${first + i}`,
          env: { KTRDR_LOG_LEVEL: 'warn', ...profiling(), ...env },
        }),
      ),
    );
    this.workers.push(...started);
    await this.waitForWorkers(started.map((w) => w.workerId));
    return started;
  }

  /** Waits until every one of `ids` is in the roster as `available`. */
  async waitForWorkers(ids: readonly string[], timeoutMs = 20_000): Promise<void> {
    await waitFor(
      'workers registered',
      async () => {
        const { workers } = await this.client.listWorkers();
        const available = new Set(
          workers.filter((w) => w.status === 'available').map((w) => w.worker_id),
        );
        return ids.every((id) => available.has(id));
      },
      { timeoutMs, intervalMs: 20 },
    );
  }

  /** Removes a worker process from the list (after it was killed). */
  forget(worker: WorkerProcess): void {
    const at = this.workers.indexOf(worker);
    if (at >= 0) this.workers.splice(at, 1);
  }

  /** Polls an operation until `until` holds (or throws after `timeoutMs`). */
  async waitForOperation(
    id: string,
    until: (op: Operation) => boolean,
    timeoutMs = 60_000,
    intervalMs = 20,
  ): Promise<Operation> {
    return waitFor(
      `operation ${id}`,
      async () => {
        const op = await this.client.getOperation(id);
        return until(op) ? op : undefined;
      },
      { timeoutMs, intervalMs },
    );
  }

  /** Follows the event stream; resolves once subscribed. */
  async events(onEvent: (event: BackendEvent) => void): Promise<{ close(): void }> {
    const subscription = subscribeToEvents(this.client.http, { onEvent });
    await subscription.ready;
    return subscription;
  }

  async close(): Promise<void> {
    // A profiled process writes its profile only on a clean exit.
    const signal = process.env.KTRDR_NODE_ARGS ? 'SIGTERM' : 'SIGKILL';
    await Promise.all(this.workers.map((w) => w.stop(signal)));
    await this.backend?.stop(signal);
    await this.agent.close();
    this.dir.remove();
  }
}

/** Resolves with the time (performance.now()) at which `predicate` first holds for an event. */
export function nextEvent(
  cluster: ProcessCluster,
  predicate: (event: BackendEvent) => boolean,
): { at: Promise<number>; ready: Promise<void>; close(): void } {
  let resolve!: (t: number) => void;
  const at = new Promise<number>((r) => (resolve = r));
  const subscription = subscribeToEvents(cluster.client.http, {
    onEvent: (event) => {
      if (predicate(event)) resolve(performance.now());
    },
  });
  return { at, ready: subscription.ready, close: () => subscription.close() };
}

/**
 * `KTRDR_NODE_ARGS` of the bench's own environment passed on to every process it starts, so
 * that `KTRDR_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" node bench/dist/one.js …`
 * profiles the backend and the workers of any benchmark.
 */
export function profiling(): Record<string, string> {
  const args = process.env.KTRDR_NODE_ARGS;
  return args ? { KTRDR_NODE_ARGS: args } : {};
}
