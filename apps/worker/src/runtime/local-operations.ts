import { initialProgress, type Operation, type OperationType, type Progress } from '@ktrdr/shared';

/**
 * The worker's own, in-memory record of the operations it ran (what its proxy endpoints
 * answer from). The backend remains the source of truth; this is kept short.
 */
export class LocalOperations {
  private readonly operations = new Map<string, Operation>();

  constructor(
    private readonly workerId: () => string,
    private readonly keep = 100,
  ) {}

  /** Records a job that starts now. */
  start(
    id: string,
    type: OperationType,
    attempt: number,
    metadata: Record<string, unknown>,
  ): Operation {
    const now = new Date().toISOString();
    const op: Operation = {
      operation_id: id,
      operation_type: type,
      status: 'running',
      attempt,
      worker_id: this.workerId(),
      parent_operation_id: null,
      retry_of: null,
      created_at: now,
      started_at: now,
      completed_at: null,
      progress: { ...initialProgress('starting') },
      metadata,
      error_message: null,
      result_summary: null,
      queue_position: null,
      routing_reason: null,
      attempts: [
        { attempt, worker_id: this.workerId(), started_at: now, ended_at: null, outcome: null },
      ],
      provenance: { strategy_hash: null, data_etag: null, code_version: '' },
    };
    this.operations.delete(id);
    this.operations.set(id, op);
    while (this.operations.size > this.keep) {
      const oldest = this.operations.keys().next().value as string;
      this.operations.delete(oldest);
    }
    return op;
  }

  /** One operation, or undefined. */
  get(id: string): Operation | undefined {
    return this.operations.get(id);
  }

  /** Newest first. */
  list(): Operation[] {
    return [...this.operations.values()].reverse();
  }

  /** Updates progress. */
  progress(id: string, progress: Progress): void {
    const op = this.operations.get(id);
    if (op) op.progress = progress;
  }

  /** Marks the end of a job. */
  finish(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    details: { error?: string; summary?: Record<string, unknown> } = {},
  ): void {
    const op = this.operations.get(id);
    if (!op) return;
    const now = new Date().toISOString();
    op.status = status;
    op.completed_at = now;
    op.error_message = details.error ?? null;
    op.result_summary = details.summary ?? null;
    if (status === 'completed') {
      op.progress = {
        ...op.progress,
        percentage: 100,
        items_processed: op.progress.items_total || op.progress.items_processed,
        eta_seconds: 0,
        current_step: 'completed',
      };
    }
    op.attempts = op.attempts.map((a) => ({ ...a, ended_at: now, outcome: status }));
  }
}
