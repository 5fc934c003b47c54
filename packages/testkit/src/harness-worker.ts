import { createServer, type Server } from 'node:http';
import type { BackendClient, OperationReportResponse, Progress, WorkerType } from '@ktrdr/shared';

/** Options of a {@link HarnessWorker}. */
export interface HarnessWorkerOptions {
  workerId: string;
  workerType?: WorkerType;
  gpu?: boolean;
  /** Answer start requests with 503 WORKER_BUSY (a worker busy with something else). */
  refuseWork?: boolean;
}

/**
 * A protocol-level stand-in for a worker, registered over real HTTP like any worker: it
 * answers `/health`, accepts start requests (recording the job) and lets the test send
 * reports when it wants. For tests and benchmarks that need to control timing exactly
 * (routing decisions, report latency); everything else uses real `ktrdr-worker` processes.
 */
export class HarnessWorker {
  private server: Server | undefined;
  readonly jobs: { task_id: string; attempt: number; path: string }[] = [];
  private waiters: (() => void)[] = [];
  refuseWork: boolean;

  constructor(
    private readonly client: BackendClient,
    readonly options: HarnessWorkerOptions,
  ) {
    this.refuseWork = options.refuseWork ?? false;
  }

  get workerId(): string {
    return this.options.workerId;
  }

  /** The job it holds (the last one accepted), if any. */
  get job() {
    return this.jobs.at(-1);
  }

  /** Listens on a free loopback port and registers. */
  async start(): Promise<void> {
    const type = this.options.workerType ?? 'backtesting';
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
              worker_type: type,
              worker_status: this.job ? 'busy' : 'idle',
              current_operation_id: this.job?.task_id ?? null,
            }),
          );
        } else if (req.method === 'POST' && req.url?.endsWith('/start')) {
          if (this.refuseWork) {
            res.statusCode = 503;
            res.end(JSON.stringify({ error: { code: 'WORKER_BUSY', message: 'busy elsewhere' } }));
            return;
          }
          const job = JSON.parse(body) as { task_id: string; attempt: number };
          this.jobs.push({ task_id: job.task_id, attempt: job.attempt, path: req.url });
          res.statusCode = 202;
          res.end(JSON.stringify({ success: true, operation_id: job.task_id, status: 'running' }));
          for (const resolve of this.waiters) resolve();
          this.waiters = [];
        } else if (req.method === 'DELETE' && req.url?.includes('/cancel')) {
          res.end('{}');
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such route' } }));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await this.client.registerWorker({
      worker_id: this.workerId,
      worker_type: type,
      endpoint_url: `http://127.0.0.1:${port}`,
      capabilities: {
        gpu: this.options.gpu ?? false,
        ...(this.options.gpu ? { gpu_name: 'Test GPU', gpu_memory_mb: 8192 } : {}),
        cpu_cores: 1,
        memory_mb: 1024,
        version: 'harness',
      },
    });
  }

  /** Resolves when a job has been dispatched here. */
  waitForJob(): Promise<void> {
    return this.job ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Sends a report for the job it holds. With `take_next`, a job in the answer becomes the
   * one it holds (its `path` is `report-answer`), as a start request's would.
   */
  async report(body: {
    status?: 'running' | 'completed' | 'failed' | 'cancelled';
    progress?: Progress;
    error?: string;
    take_next?: boolean;
  }): Promise<OperationReportResponse> {
    const job = this.job;
    if (!job) throw new Error('no job');
    const answer = await this.client.reportOperation(job.task_id, {
      worker_id: this.workerId,
      attempt: job.attempt,
      ...body,
    });
    const next = answer.next_job?.job as { task_id: string; attempt: number } | undefined;
    if (next) {
      this.jobs.push({ task_id: next.task_id, attempt: next.attempt, path: 'report-answer' });
      for (const resolve of this.waiters) resolve();
      this.waiters = [];
    }
    return answer;
  }

  /** Sends a heartbeat saying what it holds. */
  async heartbeat(): Promise<void> {
    const job = this.job;
    await this.client.heartbeat(this.workerId, {
      worker_status: job ? 'busy' : 'idle',
      current_operation_id: job?.task_id ?? null,
      current_attempt: job?.attempt ?? null,
    });
  }

  /** Leaves the roster and stops listening. */
  async close(): Promise<void> {
    await this.client.unregisterWorker(this.workerId).catch(() => undefined);
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
