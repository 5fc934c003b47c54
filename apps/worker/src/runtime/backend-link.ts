/**
 * The worker's one handle on the backend: a thin composition of its three parts
 * (registration, report delivery, artifact transfer), so that callers see a single link.
 */
import type {
  BackendClient,
  Heartbeat,
  MetricInput,
  NextJob,
  Progress,
  SweepSetResults,
} from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';
import { ArtifactTransfer } from './artifact-transfer.js';
import {
  Registration,
  type Drop,
  type WorkerIdentity,
  type WorkerIdInUseError,
} from './registration.js';
import { ReportOutbox, type FinalReport } from './report-outbox.js';

export {
  EXIT_WORKER_ID_IN_USE,
  WorkerIdInUseError,
  type Drop,
  type WorkerIdentity,
} from './registration.js';
export type { FinalReport } from './report-outbox.js';

/** What the link needs from the worker. */
export interface BackendLinkDeps {
  client: BackendClient;
  /** Known once the worker listens (its port may be picked by the OS). */
  identity: () => WorkerIdentity;
  /** What the worker runs right now. */
  state: () => Heartbeat;
  /** The backend moved on from these operations: stop them and forget them. */
  onDrop: (drops: readonly Drop[]) => void;
  /** The credential the backend issued (or confirmed) at registration; undefined = revoked, register with the join token. */
  onCredential: (credential: string | undefined) => void;
  /**
   * The backend refused this worker's id for good (a live worker elsewhere holds it), at its
   * first registration or a later one: the link has stopped; the worker must exit.
   */
  onIdInUse: (error: WorkerIdInUseError) => void;
  log: FastifyBaseLogger;
  /** Whether the worker would start a job now: its last outcome then asks for the next. */
  canTakeNext?: () => boolean;
  /** A job handed over in the answer to a final report. */
  onNextJob?: (next: NextJob) => void;
}

/**
 * The worker's side of the conversation with the backend. Each part has its own module —
 * {@link Registration} (register, heartbeat, re-register), {@link ReportOutbox} (progress,
 * metrics, final outcomes), {@link ArtifactTransfer} (checkpoints, result files) — and a
 * "drop this job" from any of them reaches the outbox, then the runner.
 */
export class BackendLink {
  private readonly registration: Registration;
  private readonly outbox: ReportOutbox;
  private readonly files: ArtifactTransfer;

  constructor(private readonly deps: BackendLinkDeps) {
    const workerId = () => deps.identity().worker_id;
    const onDrop = (drops: readonly Drop[]) => this.drop(drops);
    this.files = new ArtifactTransfer({ client: deps.client, workerId, onDrop, log: deps.log });
    this.outbox = new ReportOutbox({
      client: deps.client,
      workerId,
      isRegistered: () => this.registration.isRegistered,
      onDrop,
      files: this.files,
      log: deps.log,
      ...(deps.canTakeNext ? { canTakeNext: deps.canTakeNext } : {}),
      ...(deps.onNextJob ? { onNextJob: deps.onNextJob } : {}),
    });
    this.registration = new Registration({
      client: deps.client,
      identity: deps.identity,
      state: deps.state,
      completed: () => this.outbox.completedReports(),
      onDrop,
      onCredential: deps.onCredential,
      onIdInUse: deps.onIdInUse,
      onContact: () => void this.outbox.flush(),
      log: deps.log,
    });
  }

  /** Resolves after the first successful registration; rejects if the backend refuses the id. */
  get ready(): Promise<void> {
    return this.registration.ready;
  }

  /** True while the backend knows this worker. */
  get isRegistered(): boolean {
    return this.registration.isRegistered;
  }

  /** Starts registering and heartbeating. */
  start(): void {
    this.registration.start();
  }

  /**
   * The backend moved on from these attempts. Only the attempt named is dropped: the same
   * operation may already be here again under its next attempt.
   */
  private drop(drops: readonly Drop[]): void {
    this.outbox.forget(drops);
    this.deps.onDrop(drops);
  }

  /** Sends progress, at most ten times a second per operation (latest value wins). */
  reportProgress(operationId: string, attempt: number, progress: Progress): void {
    this.outbox.reportProgress(operationId, attempt, progress);
  }

  /** Sends metric rows of a running attempt, in order, retrying while the backend is away. */
  reportMetrics(operationId: string, attempt: number, rows: MetricInput[]): void {
    this.outbox.reportMetrics(operationId, attempt, rows);
  }

  /** A sweep shard's finished sets, in order with its metric rows. */
  reportSets(operationId: string, attempt: number, sets: SweepSetResults): void {
    this.outbox.reportSets(operationId, attempt, sets);
  }

  /** Resolves once every metric row sent so far for the operation was delivered (or given up). */
  deliveredInOrder(operationId: string): Promise<void> {
    return this.outbox.deliveredInOrder(operationId);
  }

  /** Uploads a checkpoint of a running attempt (only the newest waiting one is kept). */
  saveCheckpoint(operationId: string, attempt: number, bytes: Uint8Array, ref: string): void {
    this.files.saveCheckpoint(operationId, attempt, bytes, ref);
  }

  /** Queues a job's outcome and delivers it (retrying until the backend takes it). */
  finalize(report: FinalReport): void {
    // a checkpoint still waiting to go up is worthless once the job has ended
    this.files.discardWaitingCheckpoint(report.operation_id);
    this.outbox.finalize(report);
  }

  /** Outcomes not yet delivered. */
  get pending(): readonly FinalReport[] {
    return this.outbox.pending;
  }

  /** Delivers queued outcomes in order; stops at the first connection failure. */
  flushOutbox(): Promise<void> {
    return this.outbox.flush();
  }

  /** Leaves the roster (graceful shutdown) and stops. */
  async leave(): Promise<void> {
    this.outbox.stop();
    await this.registration.leave();
  }

  /** Stops timers (does not leave). */
  stop(): void {
    this.registration.stop();
    this.outbox.stop();
  }
}
