import { createServer, type Server } from 'node:http';
import { type BackendClient, type Progress } from '@ktrdr/shared';

/**
 * A minimal stand-in worker for the progress-latency benchmark: it registers, accepts
 * one job and then posts progress reports at a pace the benchmark controls, so the time
 * from "report sent" to "SSE event received" can be measured in one process (one clock).
 * The real worker sends the same report; it just cannot be told when to.
 */
export class HarnessWorker {
  private server: Server | undefined;
  readonly workerId = `bench-harness-${process.pid}`;
  job: { task_id: string; attempt: number } | undefined;
  private jobWaiters: (() => void)[] = [];

  constructor(private readonly client: BackendClient) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/health') {
          res.end(
            JSON.stringify({
              status: 'ok',
              worker_id: this.workerId,
              worker_type: 'backtesting',
              worker_status: this.job ? 'busy' : 'idle',
              current_operation_id: this.job?.task_id ?? null,
            }),
          );
        } else if (req.url === '/backtests/start' && req.method === 'POST') {
          const job = JSON.parse(body) as { task_id: string; attempt: number };
          this.job = { task_id: job.task_id, attempt: job.attempt };
          res.statusCode = 202;
          res.end(JSON.stringify({ success: true, operation_id: job.task_id, status: 'running' }));
          for (const w of this.jobWaiters) w();
          this.jobWaiters = [];
        } else if (req.url?.includes('/cancel')) {
          this.job = undefined;
          res.end('{}');
        } else {
          res.statusCode = 404;
          res.end('{}');
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await this.client.registerWorker({
      worker_id: this.workerId,
      worker_type: 'backtesting',
      endpoint_url: `http://127.0.0.1:${port}`,
      capabilities: { gpu: false, cpu_cores: 1, memory_mb: 1, version: 'bench' },
    });
  }

  /** Resolves when a job has been dispatched here. */
  waitForJob(): Promise<void> {
    return this.job ? Promise.resolve() : new Promise((resolve) => this.jobWaiters.push(resolve));
  }

  /** Sends one progress report for the job it holds. */
  async report(progress: Progress): Promise<void> {
    if (!this.job) throw new Error('no job');
    await this.client.reportOperation(this.job.task_id, {
      worker_id: this.workerId,
      attempt: this.job.attempt,
      status: 'running',
      progress,
    });
  }

  async heartbeat(): Promise<void> {
    await this.client.heartbeat(this.workerId, {
      worker_status: this.job ? 'busy' : 'idle',
      current_operation_id: this.job?.task_id ?? null,
      current_attempt: this.job?.attempt ?? null,
    });
  }

  async close(): Promise<void> {
    await this.client.unregisterWorker(this.workerId).catch(() => undefined);
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
