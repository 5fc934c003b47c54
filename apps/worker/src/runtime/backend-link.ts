import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  ApiError,
  ConnectionError,
  LatestValueThrottle,
  type BackendClient,
  type CompletedOperationReport,
  type Heartbeat,
  type MetricInput,
  type Progress,
  type WorkerCapabilities,
  type WorkerType,
} from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';
import { CHECKPOINT_ARTIFACT, type ArtifactFile } from './job-definition.js';

/** Who this worker is, as it registers. */
export interface WorkerIdentity {
  worker_id: string;
  worker_type: WorkerType;
  /** Absent for a reverse worker, which the backend reaches down the channel it opens. */
  endpoint_url?: string;
  connection: 'direct' | 'reverse';
  capabilities: WorkerCapabilities;
  /** The secret the backend must send when it calls this worker. */
  callback_token?: string;
}

/**
 * The exit status of a worker whose id the backend refused because a live worker at another
 * endpoint holds it (409 `WORKER_ID_IN_USE`: cloned machines with one host name). 78 is
 * sysexits' EX_CONFIG: a configuration error that retrying cannot fix — give the worker its
 * own `KTRDR_WORKER_ID`. Supervisors should not restart a worker that exits with it.
 */
export const EXIT_WORKER_ID_IN_USE = 78;

/** The backend refused this worker's id: a live worker elsewhere holds it. */
export class WorkerIdInUseError extends Error {
  override readonly name = 'WorkerIdInUseError';
  readonly exitCode = EXIT_WORKER_ID_IN_USE;
  constructor(
    /** The backend's message: it names the live worker's endpoint and KTRDR_WORKER_ID. */
    message: string,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message);
  }
}

/** An attempt the backend moved on from (no attempt: whichever this worker holds). */
export interface Drop {
  id: string;
  attempt?: number;
}

/** The attempt of `id` that a registration or heartbeat described, so only it is dropped. */
function attemptSent(
  id: string,
  sent: { current_operation_id?: string | null; current_attempt?: number | null },
  completed: readonly { operation_id: string; attempt: number }[],
): Drop {
  if (sent.current_operation_id === id && typeof sent.current_attempt === 'number')
    return { id, attempt: sent.current_attempt };
  const done = completed.find((c) => c.operation_id === id);
  return done ? { id, attempt: done.attempt } : { id };
}

/** The outcome of a job, kept until the backend has acknowledged it. */
export interface FinalReport {
  operation_id: string;
  attempt: number;
  status: 'completed' | 'failed' | 'cancelled';
  error?: string;
  summary?: Record<string, unknown>;
  /** The last progress, so the backend's record ends where the job did. */
  progress?: Progress;
  /** Files to upload, in order, before the report (removed once delivered). */
  artifacts?: ArtifactFile[];
  /** How many of `artifacts` are already uploaded. */
  uploaded?: number;
}

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
}

const MAX_BACKOFF_MS = 2000;

interface CheckpointSlot {
  next: { attempt: number; bytes: Uint8Array; ref: string } | undefined;
}

/**
 * The worker's side of the conversation with the backend: registration with retry and
 * backoff, heartbeats, immediate re-registration on a 404 (a restarted backend),
 * throttled progress reports, and an outbox that keeps each final outcome (and its
 * result file) until the backend has taken it — so a result is never lost to a backend
 * restart or a network blip.
 */
export class BackendLink {
  private registered = false;
  /** True once the backend issued a credential: requests carry it instead of the join token. */
  private usingCredential = false;
  private stopped = false;
  private heartbeatMs = 1000;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private backoffMs = 250;
  private nextRegisterAt = 0;
  private readonly outbox: FinalReport[] = [];
  private flushing: Promise<void> | undefined;
  private readonly progress = new Map<string, LatestValueThrottle<Progress>>();
  private readonly checkpoints = new Map<string, CheckpointSlot>();
  private readonly metricsChain = new Map<string, Promise<void>>();
  private readonly onceRegistered: Promise<void>;
  private resolveRegistered!: () => void;
  private rejectRegistered!: (error: Error) => void;

  constructor(private readonly deps: BackendLinkDeps) {
    this.onceRegistered = new Promise((resolve, reject) => {
      this.resolveRegistered = resolve;
      this.rejectRegistered = reject;
    });
    // a refusal is delivered through onIdInUse; whoever awaits `ready` sees it too
    this.onceRegistered.catch(() => undefined);
  }

  /** Resolves after the first successful registration; rejects if the backend refuses the id. */
  get ready(): Promise<void> {
    return this.onceRegistered;
  }

  /** True while the backend knows this worker. */
  get isRegistered(): boolean {
    return this.registered;
  }

  /** Starts registering and heartbeating. */
  start(): void {
    void this.tick();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (!this.registered) {
      if (Date.now() >= this.nextRegisterAt) await this.register();
      this.schedule(
        this.registered ? this.heartbeatMs : Math.min(this.backoffMs, this.heartbeatMs),
      );
      return;
    }
    await this.beat();
    this.schedule(this.registered ? this.heartbeatMs : 0);
  }

  private async register(): Promise<void> {
    const { client, state, log } = this.deps;
    const identity = this.deps.identity();
    const now = state();
    const completed: CompletedOperationReport[] = this.outbox.map((r) => ({
      operation_id: r.operation_id,
      attempt: r.attempt,
      status: r.status,
      ...(r.error ? { error: r.error } : {}),
    }));
    try {
      const answer = await client.registerWorker(
        {
          ...identity,
          current_operation_id: now.current_operation_id ?? null,
          current_attempt: now.current_attempt ?? null,
          completed_operations: completed,
        },
        { timeoutMs: 5000 },
      );
      this.deps.onCredential(answer.worker_credential);
      this.usingCredential = true;
      this.registered = true;
      this.backoffMs = 250;
      this.heartbeatMs = answer.heartbeat_interval_ms;
      log.info({ backend: client.http.baseUrl }, 'registered with backend');
      this.resolveRegistered();
      if (answer.drop_operations.length > 0)
        this.drop(answer.drop_operations.map((id) => attemptSent(id, now, completed)));
      void this.flushOutbox();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'WORKER_ID_IN_USE') {
        // another live worker holds this id: retrying cannot help, and must not displace it
        this.stop();
        this.registered = false;
        const refused = new WorkerIdInUseError(error.message, error.details);
        log.error({ err: error.message }, 'registration refused: worker id in use');
        this.rejectRegistered(refused);
        this.deps.onIdInUse(refused);
        return;
      }
      this.nextRegisterAt = Date.now() + this.backoffMs;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      if (error instanceof ApiError && error.status === 400) {
        log.error({ err: error.message }, 'registration refused');
      } else if (error instanceof ApiError && error.status === 401 && this.usingCredential) {
        // our credential was revoked (rotation, or we left): register with the join token
        this.deps.onCredential(undefined);
        this.usingCredential = false;
        this.nextRegisterAt = 0;
        log.warn('credential no longer valid; registering again with the join token');
      } else if (error instanceof ApiError && error.status === 401) {
        log.error(
          'registration refused: the token is wrong (check KTRDR_JOIN_TOKEN: the backend may have rotated it)',
        );
      } else {
        log.warn({ err: (error as Error).message }, 'backend not reachable; retrying');
      }
    }
  }

  private async beat(): Promise<void> {
    const { client, state } = this.deps;
    const identity = this.deps.identity();
    try {
      const sent = state();
      const answer = await client.heartbeat(identity.worker_id, sent, {
        timeoutMs: Math.max(2000, this.heartbeatMs * 2),
      });
      if (answer.drop_operations.length > 0)
        this.drop(answer.drop_operations.map((id) => attemptSent(id, sent, [])));
      if (this.outbox.length > 0) void this.flushOutbox();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 401)) {
        // 404: the backend restarted (or dropped us); 401: our credential was revoked —
        // register again right now, with what we hold
        if (error.status === 401) {
          this.deps.onCredential(undefined);
          this.usingCredential = false;
          this.deps.log.warn('credential no longer valid; registering again with the join token');
        }
        this.registered = false;
        this.nextRegisterAt = 0;
        await this.register();
      } else if (error instanceof ConnectionError) {
        this.registered = false;
        this.nextRegisterAt = Date.now();
      }
    }
  }

  /**
   * The backend moved on from these attempts. Only the attempt named is dropped: the same
   * operation may already be here again under its next attempt.
   */
  private drop(drops: readonly Drop[]): void {
    for (const { id, attempt } of drops) {
      this.progress.get(id)?.cancel();
      this.progress.delete(id);
      const at = this.outbox.findIndex(
        (r) => r.operation_id === id && (attempt === undefined || r.attempt === attempt),
      );
      if (at >= 0) this.outbox.splice(at, 1);
    }
    this.deps.onDrop(drops);
  }

  /** Sends progress, at most ten times a second per operation (latest value wins). */
  reportProgress(operationId: string, attempt: number, progress: Progress): void {
    let throttle = this.progress.get(operationId);
    if (!throttle) {
      throttle = new LatestValueThrottle<Progress>(
        100,
        (p) => void this.sendProgress(operationId, attempt, p),
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
    if (!this.registered) return;
    try {
      await this.deps.client.reportOperation(
        operationId,
        { worker_id: this.deps.identity().worker_id, attempt, status: 'running', progress },
        { timeoutMs: 5000 },
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 409)
        this.drop([{ id: operationId, attempt }]);
    }
  }

  /**
   * Sends metric rows of a running attempt, in order (each send waits for the previous),
   * retrying a few times: a lost epoch row would leave a hole in the curves.
   */
  reportMetrics(operationId: string, attempt: number, rows: MetricInput[]): void {
    const previous = this.metricsChain.get(operationId) ?? Promise.resolve();
    const next = previous.then(async () => {
      for (let tryNo = 1; tryNo <= 5; tryNo++) {
        try {
          await this.deps.client.reportOperation(
            operationId,
            { worker_id: this.deps.identity().worker_id, attempt, metrics: rows },
            { timeoutMs: 10_000 },
          );
          return;
        } catch (error) {
          if (error instanceof ApiError) {
            if (error.status === 409) this.drop([{ id: operationId, attempt }]);
            return;
          }
          await new Promise((r) => setTimeout(r, 500 * tryNo).unref());
        }
      }
      this.deps.log.warn({ operation_id: operationId }, 'metric rows not delivered');
    });
    this.metricsChain.set(operationId, next);
    void next.finally(() => {
      if (this.metricsChain.get(operationId) === next) this.metricsChain.delete(operationId);
    });
  }

  /** Resolves once every metric row sent so far for the operation was delivered (or given up). */
  metricsDelivered(operationId: string): Promise<void> {
    return this.metricsChain.get(operationId) ?? Promise.resolve();
  }

  /**
   * Uploads a checkpoint of a running attempt and tells the backend where it stands. One
   * upload at a time per operation; while one runs, only the newest waiting one is kept.
   */
  saveCheckpoint(operationId: string, attempt: number, bytes: Uint8Array, ref: string): void {
    const slot = this.checkpoints.get(operationId);
    if (slot) {
      slot.next = { attempt, bytes, ref };
      return;
    }
    const entry: CheckpointSlot = { next: { attempt, bytes, ref } };
    this.checkpoints.set(operationId, entry);
    void (async () => {
      while (entry.next) {
        const { attempt: a, bytes: b, ref: r } = entry.next;
        entry.next = undefined;
        const who = { worker_id: this.deps.identity().worker_id, attempt: a };
        try {
          await this.deps.client.putArtifact(operationId, CHECKPOINT_ARTIFACT, who, b, {
            timeoutMs: 120_000,
          });
          await this.deps.client.reportOperation(
            operationId,
            { ...who, checkpoint_ref: r },
            { timeoutMs: 10_000 },
          );
        } catch (error) {
          // a lost checkpoint costs only the work since the previous one
          this.deps.log.warn(
            { operation_id: operationId, err: (error as Error).message },
            'checkpoint not saved',
          );
        }
      }
      this.checkpoints.delete(operationId);
    })();
  }

  /** Queues a job's outcome and delivers it (retrying until the backend takes it). */
  finalize(report: FinalReport): void {
    this.progress.get(report.operation_id)?.cancel();
    this.progress.delete(report.operation_id);
    // a checkpoint still waiting to go up is worthless once the job has ended
    const slot = this.checkpoints.get(report.operation_id);
    if (slot) slot.next = undefined;
    this.outbox.push(report);
    void this.flushOutbox();
  }

  /** Outcomes not yet delivered. */
  get pending(): readonly FinalReport[] {
    return this.outbox;
  }

  /** Delivers queued outcomes in order; stops at the first connection failure. */
  flushOutbox(): Promise<void> {
    this.flushing ??= this.deliver().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async deliver(): Promise<void> {
    const { client, log } = this.deps;
    const identity = this.deps.identity();
    while (this.outbox.length > 0 && this.registered) {
      const report = this.outbox[0] as FinalReport;
      const who = { worker_id: identity.worker_id, attempt: report.attempt };
      try {
        // the last epoch's row lands before the operation is seen as done
        await this.metricsDelivered(report.operation_id);
        const files = report.artifacts ?? [];
        for (let i = report.uploaded ?? 0; i < files.length; i++) {
          const file = files[i] as ArtifactFile;
          const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>;
          await client.putArtifact(report.operation_id, file.name, who, body, {
            timeoutMs: 600_000,
          });
          report.uploaded = i + 1;
        }
        await client.reportOperation(
          report.operation_id,
          {
            ...who,
            status: report.status,
            ...(report.progress ? { progress: report.progress } : {}),
            ...(report.error ? { error: report.error } : {}),
            ...(report.summary ? { result_summary: report.summary } : {}),
          },
          { timeoutMs: 10_000 },
        );
      } catch (error) {
        if (error instanceof ConnectionError) return; // retried after the next (re-)registration
        if (error instanceof ApiError && error.status >= 500) return;
        log.warn(
          { operation_id: report.operation_id, err: (error as Error).message },
          'backend refused a final report; dropping it',
        );
      }
      this.outbox.shift();
      for (const file of report.artifacts ?? []) await rm(file.path, { force: true });
    }
  }

  /** Leaves the roster (graceful shutdown) and stops. */
  async leave(): Promise<void> {
    this.stop();
    if (!this.registered) return;
    try {
      await this.deps.client.unregisterWorker(this.deps.identity().worker_id, { timeoutMs: 3000 });
    } catch {
      // the backend will notice our silence instead
    }
    this.registered = false;
  }

  /** Stops timers (does not leave). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const throttle of this.progress.values()) throttle.cancel();
    this.progress.clear();
  }
}
