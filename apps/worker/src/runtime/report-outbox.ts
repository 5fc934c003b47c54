/**
 * Delivers what a job reports to the backend — progress (throttled), metric rows (in order),
 * its final outcome (kept until the backend has taken it, so no result is lost to a backend
 * restart or a network blip).
 */
import {
  ApiError,
  ConnectionError,
  LatestValueThrottle,
  mustDropJob,
  retry,
  type BackendClient,
  type CompletedOperationReport,
  type MetricInput,
  type NextJob,
  type Progress,
  type SweepSetResults,
} from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { ArtifactTransfer, ResultFiles } from './artifact-transfer.js';
import type { Drop } from './registration.js';

/** The outcome of a job, kept until the backend has acknowledged it. */
export interface FinalReport extends ResultFiles {
  operation_id: string;
  attempt: number;
  status: 'completed' | 'failed' | 'cancelled';
  error?: string;
  summary?: Record<string, unknown>;
  /** The last progress, so the backend's record ends where the job did. */
  progress?: Progress;
}

/**
 * Metric rows that do not get through are tried again 500, 1000, 1500 and 2000 ms later
 * (five tries): a lost epoch row would leave a hole in the curves.
 */
export const METRICS_RETRY = { initialMs: 500, growth: 'linear', maxAttempts: 5 } as const;

/** Progress goes up at most once per this interval per operation, the first one included. */
export const PROGRESS_INTERVAL_MS = 100;

/** What the outbox needs from the worker. */
export interface ReportOutboxDeps {
  client: BackendClient;
  workerId: () => string;
  /** Whether the backend knows this worker now: nothing is sent while it does not. */
  isRegistered: () => boolean;
  /** The backend answered a report with "drop this job". */
  onDrop: (drops: readonly Drop[]) => void;
  /** Uploads a final outcome's result files before its report. */
  files: ArtifactTransfer;
  log: FastifyBaseLogger;
  /** Whether the worker would start a job now (nothing runs, it is not shutting down). */
  canTakeNext?: () => boolean;
  /** The backend answered a final report with the next job (asked for with `take_next`). */
  onNextJob?: (next: NextJob) => void;
}

/** The reports of running and ended jobs, on their way to the backend. */
export class ReportOutbox {
  private readonly outbox: FinalReport[] = [];
  private flushing: Promise<void> | undefined;
  private readonly progress = new Map<string, LatestValueThrottle<Progress>>();
  private readonly orderedReports = new Map<string, Promise<void>>();

  constructor(private readonly deps: ReportOutboxDeps) {}

  /**
   * Sends progress, at most ten times a second per operation (latest value wins). The
   * first waits 100 ms as well: a job that ends sooner sends no progress at all, its
   * final report carries where it ended (one request per short job, not two).
   */
  reportProgress(operationId: string, attempt: number, progress: Progress): void {
    let throttle = this.progress.get(operationId);
    if (!throttle) {
      throttle = new LatestValueThrottle<Progress>(
        PROGRESS_INTERVAL_MS,
        (p) => void this.sendProgress(operationId, attempt, p),
        undefined,
        { leading: false },
      );
      this.progress.set(operationId, throttle);
    }
    throttle.push(progress);
  }

  private async sendProgress(
    operationId: string,
    attempt: number,
    progress: Progress,
  ): Promise<void> {
    if (!this.deps.isRegistered()) return;
    try {
      await this.deps.client.reportOperation(
        operationId,
        { worker_id: this.deps.workerId(), attempt, status: 'running', progress },
        { timeoutMs: 5000 },
      );
    } catch (error) {
      if (mustDropJob(error)) this.deps.onDrop([{ id: operationId, attempt }]);
    }
  }

  /**
   * Sends metric rows of a running attempt, in order (each send waits for the previous),
   * trying again while the backend cannot be reached (see {@link METRICS_RETRY}).
   */
  reportMetrics(operationId: string, attempt: number, rows: MetricInput[]): void {
    this.sendInOrder(operationId, attempt, { metrics: rows }, 'metric rows');
  }

  /**
   * Sends a sweep shard's finished sets, in the same ordered, retried chain as metric rows:
   * the final report waits for them, so a shard is never seen done before its last sets.
   */
  reportSets(operationId: string, attempt: number, sets: SweepSetResults): void {
    this.sendInOrder(operationId, attempt, { sets }, 'finished sets');
  }

  private sendInOrder(
    operationId: string,
    attempt: number,
    body: { metrics: MetricInput[] } | { sets: SweepSetResults },
    what: string,
  ): void {
    const previous = this.orderedReports.get(operationId) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        await retry(
          () =>
            this.deps.client.reportOperation(
              operationId,
              { worker_id: this.deps.workerId(), attempt, ...body },
              { timeoutMs: 10_000 },
            ),
          // an answer, even a refusal, is final: only silence is worth another try
          { ...METRICS_RETRY, retryable: (error) => !(error instanceof ApiError), unref: true },
        );
      } catch (error) {
        if (mustDropJob(error)) this.deps.onDrop([{ id: operationId, attempt }]);
        else if (!(error instanceof ApiError))
          this.deps.log.warn({ operation_id: operationId }, `${what} not delivered`);
      }
    });
    this.orderedReports.set(operationId, next);
    void next.finally(() => {
      if (this.orderedReports.get(operationId) === next) this.orderedReports.delete(operationId);
    });
  }

  /** Resolves once every metric row and set sent so far for the operation was delivered (or given up). */
  deliveredInOrder(operationId: string): Promise<void> {
    return this.orderedReports.get(operationId) ?? Promise.resolve();
  }

  /** Queues a job's outcome and delivers it (again after each contact, until the backend takes it). */
  finalize(report: FinalReport): void {
    this.stopProgress(report.operation_id);
    this.outbox.push(report);
    void this.flush();
  }

  /** Outcomes not yet delivered. */
  get pending(): readonly FinalReport[] {
    return this.outbox;
  }

  /** The undelivered outcomes as a registration reports them. */
  completedReports(): CompletedOperationReport[] {
    return this.outbox.map((r) => ({
      operation_id: r.operation_id,
      attempt: r.attempt,
      status: r.status,
      ...(r.error ? { error: r.error } : {}),
    }));
  }

  /**
   * Forgets what waits for these attempts. Only the attempt named goes: the same operation
   * may already be here again under its next attempt.
   */
  forget(drops: readonly Drop[]): void {
    for (const { id, attempt } of drops) {
      this.stopProgress(id);
      const at = this.outbox.findIndex(
        (r) => r.operation_id === id && (attempt === undefined || r.attempt === attempt),
      );
      if (at >= 0) this.outbox.splice(at, 1);
    }
  }

  /** Delivers queued outcomes in order; stops at the first connection failure. */
  flush(): Promise<void> {
    if (this.outbox.length === 0) return this.flushing ?? Promise.resolve();
    this.flushing ??= this.deliver().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async deliver(): Promise<void> {
    const { client, files, log } = this.deps;
    while (this.outbox.length > 0 && this.deps.isRegistered()) {
      const report = this.outbox[0] as FinalReport;
      const who = { worker_id: this.deps.workerId(), attempt: report.attempt };
      try {
        // the last epoch's row lands before the operation is seen as done
        await this.deliveredInOrder(report.operation_id);
        // a short job's results ride in its report (one request); larger ones go up first
        const inline = report.status === 'completed' ? files.inline(report) : undefined;
        if (!inline) await files.uploadResults(report);
        // the last outcome of an idle worker asks for its next job in the same exchange
        const takeNext =
          this.outbox.length === 1 && this.outbox[0] === report && this.deps.canTakeNext?.();
        const answer = await client.reportOperation(
          report.operation_id,
          {
            ...who,
            status: report.status,
            ...(report.progress ? { progress: report.progress } : {}),
            ...(report.error ? { error: report.error } : {}),
            ...(report.summary ? { result_summary: report.summary } : {}),
            ...(inline ? { artifacts: inline } : {}),
            ...(takeNext ? { take_next: true } : {}),
          },
          { timeoutMs: 10_000 },
        );
        if (answer.next_job) this.deps.onNextJob?.(answer.next_job);
      } catch (error) {
        if (error instanceof ConnectionError) return; // retried after the next contact
        if (error instanceof ApiError && error.status >= 500) return;
        if (mustDropJob(error)) {
          log.info(
            { operation_id: report.operation_id, err: error.message },
            'the backend moved on from this job; dropping its final report',
          );
        } else {
          log.warn(
            { operation_id: report.operation_id, err: (error as Error).message },
            'backend refused a final report; dropping it',
          );
        }
      }
      // by identity: a drop may have taken it out of the queue meanwhile
      const at = this.outbox.indexOf(report);
      if (at >= 0) this.outbox.splice(at, 1);
      await files.removeResults(report);
    }
  }

  private stopProgress(operationId: string): void {
    this.progress.get(operationId)?.cancel();
    this.progress.delete(operationId);
  }

  /** Stops the progress throttles (nothing more is sent). */
  stop(): void {
    for (const throttle of this.progress.values()) throttle.cancel();
    this.progress.clear();
  }
}
