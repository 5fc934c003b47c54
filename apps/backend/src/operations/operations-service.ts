import {
  initialProgress,
  isTerminalStatus,
  type JobKindRegistry,
  type MetricRow,
  type Operation,
  type OperationListQuery,
  type Progress,
  type Provenance,
} from '@ktrdr/shared';
import { ConflictError, NotFoundError } from '@ktrdr/server-kit';
import type { DispatchQueues } from '../dispatch/dispatch-queues.js';
import type { EventBus } from '../events/event-bus.js';
import { newOperationId } from './operation-ids.js';
import { putBackInLine, retryJob, type BackInLine } from './next-attempt.js';
import { toWireOperation, type OperationRecord } from './operation-record.js';
import type { OperationStore } from './operation-store.js';

/** What a new operation of kind `K` starts from (its fields typed by its descriptor). */
export interface NewOperation<K extends string = string> {
  type: K;
  metadata: OperationRecord<K>['metadata'];
  provenance: Provenance;
  job: OperationRecord<K>['job'];
  parentOperationId?: string | null;
  retryOf?: string | null;
  /** A pre-made id (see {@link newOperationId}), when the job must name it. */
  operationId?: string;
}

/**
 * How long a `running` row may wait to be written (see {@link OperationsService.markRunning}):
 * longer than a short backtest takes end to end, short enough that a backend killed right
 * after a start reruns little.
 */
export const RUNNING_WRITE_DELAY_MS = 50;

/** How an operation ended. */
export type FinalStatus = 'completed' | 'failed' | 'cancelled';

/** What the operations service is built from. */
export interface OperationsServiceDeps {
  store: OperationStore;
  events: EventBus;
  /** The dispatch queues, for the queue position of pending operations. */
  queues: DispatchQueues;
  /** The job kinds (what a retry must not reuse). */
  kinds: JobKindRegistry;
  now?: () => Date;
}

/**
 * The lifecycle of operations: the backend is their only writer, and every change goes
 * through here so it is persisted first and then announced on the event stream.
 */
export class OperationsService {
  private readonly store: OperationStore;
  private readonly events: EventBus;
  private readonly now: () => Date;
  /**
   * Pending and running operations, kept in memory (write-through: every change is
   * persisted first) so the hot paths — dispatch, reports, cancel — never re-read and
   * re-parse rows. Records leave it when they end.
   */
  private readonly active = new Map<string, OperationRecord>();
  /** Called after an operation ended (sweeps follow their children this way). */
  private readonly endListeners = new Set<(record: OperationRecord) => void>();
  /** Records whose `running` row waits to be written (see {@link markRunning}). */
  private readonly unwritten = new Set<OperationRecord>();
  private writeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: OperationsServiceDeps) {
    this.store = deps.store;
    this.events = deps.events;
    this.now = deps.now ?? (() => new Date());
  }

  /** The job kinds this backend knows. */
  get kinds(): JobKindRegistry {
    return this.deps.kinds;
  }

  /** The wire form, with the live queue position. */
  toWire(record: OperationRecord): Operation {
    return toWireOperation(
      record,
      record.status === 'pending' ? this.deps.queues.position(record.operation_id) : null,
    );
  }

  /**
   * Creates a `pending` operation. `create<'training'>(…)` checks its job and metadata
   * against the kind's schemas' types; without the type argument they are plain objects.
   */
  create<K extends string = string>(input: NewOperation<NoInfer<K>>): OperationRecord<K> {
    const now = this.now();
    const record: OperationRecord<K> = {
      operation_id: input.operationId ?? newOperationId(input.type, now),
      operation_type: input.type,
      status: 'pending',
      attempt: 1,
      worker_id: null,
      parent_operation_id: input.parentOperationId ?? null,
      retry_of: input.retryOf ?? null,
      created_at: now.toISOString(),
      started_at: null,
      completed_at: null,
      progress: initialProgress(),
      metadata: input.metadata,
      error_message: null,
      result_summary: null,
      routing_reason: null,
      attempts: [],
      provenance: input.provenance,
      job: input.job,
      checkpoint_ref: null,
    };
    this.store.insert(record);
    this.active.set(record.operation_id, record);
    return record;
  }

  /**
   * Creates a `pending` operation and hands it to `submit` (the dispatcher's) in one commit:
   * whatever `submit` writes before its first await goes to disk with the new row. A commit
   * costs about 0.1 ms of system time here, more than the write.
   */
  createAndSubmit<K extends string = string>(
    input: NewOperation<NoInfer<K>>,
    submit: (record: OperationRecord<K>) => Promise<void>,
  ): { record: OperationRecord<K>; submitted: Promise<void> } {
    return this.store.inTransaction(() => {
      const record = this.create<K>(input);
      return { record, submitted: submit(record) };
    });
  }

  /** One operation, or undefined. */
  get(id: string): OperationRecord | undefined {
    const cached = this.active.get(id);
    if (cached) return cached;
    const record = this.store.get(id);
    if (record && !isTerminalStatus(record.status)) this.active.set(id, record);
    return record;
  }

  /** One operation, or a 404. */
  require(id: string): OperationRecord {
    const record = this.get(id);
    if (!record) throw new NotFoundError('operation', id);
    return record;
  }

  /** A page of operations, newest first. */
  list(query: OperationListQuery): { operations: Operation[]; total_count: number } {
    const { records, total } = this.store.list(query);
    // an active operation's record in memory is ahead of its row (a reservation is not written)
    return {
      operations: records.map((r) => this.toWire(this.active.get(r.operation_id) ?? r)),
      total_count: total,
    };
  }

  /**
   * Operations in a status, oldest first (the cached record where there is one, so the
   * status in memory decides: a `running` row may still wait to be written).
   */
  byStatus(status: OperationRecord['status']): OperationRecord[] {
    const rows = this.store
      .byStatus(status)
      .map((row) => this.active.get(row.operation_id) ?? this.get(row.operation_id) ?? row)
      .filter((record) => record.status === status);
    const waiting = [...this.unwritten].filter(
      (record) => record.status === status && !rows.includes(record),
    );
    if (waiting.length === 0) return rows;
    return [...rows, ...waiting].sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  /** The pending and running operations assigned to `workerId`. */
  activeHeldBy(workerId: string): OperationRecord[] {
    return [...this.active.values()].filter(
      (record) => record.worker_id === workerId && !isTerminalStatus(record.status),
    );
  }

  /** Counts per status. */
  countByStatus(): Record<string, number> {
    return this.store.countByStatus();
  }

  /** Calls `listener` with every operation that ends, after it is stored. */
  onEnd(listener: (record: OperationRecord) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** The operations of a parent (a sweep's children), oldest first; of one type if given. */
  children(parentId: string, type?: string): OperationRecord[] {
    return this.store
      .byParent(parentId, type)
      .map((row) => this.active.get(row.operation_id) ?? row);
  }

  /** An ended child runs again (resuming a sweep): `backInLine(id, {why: 'requeue'})`. */
  requeue(id: string): OperationRecord {
    return this.backInLine(id, { why: 'requeue' });
  }

  /** An ended backend-run operation (a sweep) is running again: `backInLine(id, {why: 'reopen'})`. */
  reopen(id: string): OperationRecord {
    return this.backInLine(id, { why: 'reopen' });
  }

  /**
   * Announces the current state of an operation (e.g. its queue position moved); a caller
   * that knows the queue place passes it, saving the search of the queue.
   */
  announce(record: OperationRecord, queuePosition?: number): void {
    this.events.publish(
      'operation',
      queuePosition === undefined ? this.toWire(record) : toWireOperation(record, queuePosition),
    );
  }

  /**
   * Reserves the operation for `workerId` before the start request goes out, so that a
   * report racing the start answer is recognized as coming from the right worker. Kept in
   * memory only: the row is written once, with `running` ({@link markRunning}). A written
   * reservation would buy nothing — a backend restarted mid-dispatch unassigns pending
   * operations anyway, and the worker's reports then get 409 — and it was one of four
   * commits per short operation.
   */
  assignWorker(
    id: string,
    workerId: string,
    routingReason: string,
    trainingBackend?: string | null,
  ): OperationRecord {
    const record = this.require(id);
    const at = this.now().toISOString();
    record.worker_id = workerId;
    record.routing_reason = routingReason;
    if (trainingBackend !== undefined)
      record.provenance = { ...record.provenance, training_backend: trainingBackend };
    record.attempts = [
      ...record.attempts.filter((a) => a.attempt !== record.attempt),
      {
        attempt: record.attempt,
        worker_id: workerId,
        started_at: at,
        ended_at: null,
        outcome: null,
      },
    ];
    return record;
  }

  /**
   * The start request failed: the operation is no one's again. Written, because the row
   * may hold an assignment (one stored before a restart, or by a backend before this one).
   */
  unassignWorker(id: string): void {
    const record = this.require(id);
    if (record.status !== 'pending') return;
    record.worker_id = null;
    record.routing_reason = null;
    record.attempts = record.attempts.filter((a) => a.attempt !== record.attempt);
    this.write(record);
  }

  /**
   * The worker accepted the job. A no-op if a report already ended it. Announced at once;
   * its row (with the assignment) is written within {@link RUNNING_WRITE_DELAY_MS}, together
   * with the others started meanwhile, or with the operation's next write: a short
   * backtest's outcome usually comes first, and its one write covers both (two commits per
   * short operation instead of four). A backend killed in that window finds the operation
   * pending, unassigned: it runs again, and its worker is told to drop the old attempt.
   */
  markRunning(id: string): OperationRecord {
    const record = this.require(id);
    if (record.status !== 'pending') return record;
    record.status = 'running';
    record.started_at ??= this.now().toISOString();
    record.progress = { ...record.progress, current_step: 'starting' };
    this.unwritten.add(record);
    if (!this.writeTimer) {
      this.writeTimer = setTimeout(() => this.writePending(), RUNNING_WRITE_DELAY_MS);
      this.writeTimer.unref?.();
    }
    this.announce(record);
    return record;
  }

  /** Writes the rows that wait (see {@link markRunning}) in one commit; on close, before the database goes. */
  writePending(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    if (this.unwritten.size === 0) return;
    const records = [...this.unwritten];
    this.unwritten.clear();
    this.store.inTransaction(() => {
      for (const record of records) this.store.update(record);
    });
  }

  /** Writes a record's whole row (which covers a `running` row still waiting). */
  private write(record: OperationRecord): void {
    this.unwritten.delete(record);
    this.store.update(record);
  }

  /** Remembers the latest checkpoint a worker saved for the running attempt. */
  setCheckpoint(record: OperationRecord, ref: string): void {
    record.checkpoint_ref = ref;
    this.write(record);
  }

  /** Resume: a failed or cancelled operation continues from its checkpoint (the caller dispatches it). */
  prepareResume(id: string): OperationRecord {
    return this.backInLine(id, { why: 'resume' });
  }

  /** Automatic failover: the worker running this attempt was lost (the caller dispatches it). */
  failOver(id: string, why: string): OperationRecord {
    return this.backInLine(id, { why: 'failover', lost: why });
  }

  /**
   * Puts an operation back in line under its id with its next attempt (see
   * {@link putBackInLine} for what changes). Stored; not dispatched.
   */
  backInLine(id: string, reason: BackInLine): OperationRecord {
    const record = this.require(id);
    if (!putBackInLine(record, reason, this.now)) return record;
    this.write(record);
    this.active.set(record.operation_id, record);
    if (reason.why === 'failover' || reason.why === 'reopen') this.announce(record);
    return record;
  }

  /** How many attempts of an operation ended because their worker was lost. */
  lostAttempts(record: OperationRecord): number {
    return record.attempts.filter((a) => a.outcome?.startsWith('lost: ')).length;
  }

  /** A new operation that runs the same job from scratch (`retry_of` = the old id). */
  prepareRetry(id: string): OperationRecord {
    const old = this.require(id);
    if (!isTerminalStatus(old.status)) {
      throw new ConflictError(
        `operation ${id} is still ${old.status}; cancel it first or wait for it to end`,
        { status: old.status },
      );
    }
    const operationId = newOperationId(old.operation_type, this.now());
    return this.create({
      operationId,
      type: old.operation_type,
      ...retryJob(old, operationId, this.deps.kinds),
      parentOperationId: old.parent_operation_id,
      retryOf: old.operation_id,
    });
  }

  /**
   * Stores and streams a progress update; `store: false` when the caller stores the whole
   * record right after (a final report), so the row is written once.
   */
  recordProgress(
    record: OperationRecord,
    progress: Progress,
    options: { store?: boolean } = {},
  ): void {
    record.progress = progress;
    // a row that shows progress shows that it runs: a waiting `running` row goes with it
    if (options.store !== false) {
      if (this.unwritten.has(record)) this.write(record);
      else this.store.updateProgress(record.operation_id, progress);
    }
    this.events.publishProgress(record.operation_id, progress);
  }

  /** Stores and streams metric rows. */
  appendMetrics(id: string, rows: Record<string, number | null>[]): MetricRow[] {
    const stored = this.store.appendMetrics(id, rows);
    if (stored.length > 0) this.events.publish('metrics', { operation_id: id, metrics: stored });
    return stored;
  }

  /** Metric rows from cursor `since`. */
  metricsSince(id: string, since: number): MetricRow[] {
    return this.store.metricsSince(id, since);
  }

  /**
   * Ends an operation. A no-op (returning the record) when it has already ended, so that
   * racing paths (a report and a cancel, a failure detector and a report) settle once.
   */
  finish(
    id: string,
    status: FinalStatus,
    outcome: {
      error?: string | null;
      resultSummary?: Record<string, unknown> | null;
      reason?: string;
    } = {},
  ): OperationRecord {
    const record = this.require(id);
    if (isTerminalStatus(record.status)) return record;
    const at = this.now().toISOString();
    record.status = status;
    record.completed_at = at;
    if (status === 'completed') {
      record.progress = {
        ...record.progress,
        percentage: 100,
        items_processed: record.progress.items_total || record.progress.items_processed,
        eta_seconds: 0,
        current_step: 'completed',
      };
      record.result_summary = outcome.resultSummary ?? record.result_summary;
      record.error_message = null;
    } else {
      record.progress = { ...record.progress, eta_seconds: null, current_step: status };
      record.error_message = outcome.error ?? outcome.reason ?? record.error_message;
    }
    record.attempts = record.attempts.map((a) =>
      a.attempt === record.attempt && a.ended_at === null
        ? {
            ...a,
            ended_at: at,
            outcome:
              status === 'completed'
                ? 'completed'
                : `${status}: ${outcome.error ?? outcome.reason ?? ''}`.replace(/: $/, ''),
          }
        : a,
    );
    this.write(record);
    this.active.delete(id);
    this.events.flushProgress(id);
    this.announce(record);
    for (const listener of this.endListeners) listener(record);
    return record;
  }
}
