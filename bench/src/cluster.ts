import { BackendClient } from '@ktrdr/shared';
import { defaultBackendConfig, startBackend, type BackendHandle } from '@ktrdr/backend';
import { startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '@ktrdr/testkit';
import { Agent } from 'undici';
import { profiling } from './process-cluster.js';

const TOKEN = 'bench-token-0123456789abcdef';

/** A backend in this process plus worker processes, for one benchmark scenario. */
export class BenchCluster {
  private readonly dir = tempDir('ktrdr-bench-');
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  readonly workers: WorkerProcess[] = [];
  backend!: BackendHandle;
  client!: BackendClient;

  async start(): Promise<this> {
    this.backend = await startBackend({
      ...defaultBackendConfig(),
      host: '127.0.0.1',
      port: 0,
      dataDir: `${this.dir.path}/data`,
      clusterToken: TOKEN,
      logLevel: 'silent',
    });
    this.client = new BackendClient({
      baseUrl: this.backend.url,
      token: TOKEN,
      dispatcher: this.agent,
    });
    return this;
  }

  /** Adds `n` real worker processes (optionally speed-capped) and waits for their registration. */
  async addWorkers(n: number, env: Record<string, string> = {}): Promise<void> {
    const started = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        startWorkerProcess({
          backendUrl: this.backend.url,
          token: TOKEN,
          cacheDir: `${this.dir.path}/w${this.workers.length + i}`,
          env: { KTRDR_LOG_LEVEL: 'warn', ...profiling(), ...env },
        }),
      ),
    );
    this.workers.push(...started);
    await waitFor(
      'workers registered',
      () =>
        started.every(
          (w) => this.backend.backend.ctx.registry.get(w.workerId)?.status === 'available',
        ),
      { timeoutMs: 20_000 },
    );
  }

  /** Waits until an operation is terminal and returns its status. */
  async settle(id: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = this.backend.backend.ctx.operations.get(id);
      if (record && ['completed', 'failed', 'cancelled'].includes(record.status))
        return record.status;
      if (Date.now() > deadline) throw new Error(`${id} did not finish in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  get token(): string {
    return TOKEN;
  }

  async close(): Promise<void> {
    // a profiled worker writes its profile on SIGTERM only
    const signal = process.env.KTRDR_NODE_ARGS ? 'SIGTERM' : 'SIGKILL';
    await Promise.all(this.workers.map((w) => w.stop(signal)));
    await this.backend.close();
    await this.agent.close();
    this.dir.remove();
  }
}
