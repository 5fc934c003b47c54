/**
 * Keeps this worker on the backend's roster: it registers (backing off while the backend
 * is away), heartbeats, re-registers at once when the backend forgets it (a restart).
 */
import {
  Backoff,
  EXIT_WORKER_ID_IN_USE,
  ConnectionError,
  hasErrorCode,
  type BackendClient,
  type CompletedOperationReport,
  type Heartbeat,
  type WorkerCapabilities,
  type WorkerType,
} from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';

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

export { EXIT_WORKER_ID_IN_USE };

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

/** Registration retries: 250 ms, doubled after each failure, at most 2 s apart. */
export const REGISTER_BACKOFF = { initialMs: 250, maxMs: 2000 } as const;

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

/** What the registration needs from the worker. */
export interface RegistrationDeps {
  client: BackendClient;
  /** Known once the worker listens (its port may be picked by the OS). */
  identity: () => WorkerIdentity;
  /** What the worker runs right now. */
  state: () => Heartbeat;
  /** Outcomes not yet delivered: a registration reports them, so the backend forgets nothing. */
  completed: () => CompletedOperationReport[];
  /** The backend moved on from these attempts. */
  onDrop: (drops: readonly Drop[]) => void;
  /** The credential the backend issued (or confirmed) at registration; undefined = revoked, register with the join token. */
  onCredential: (credential: string | undefined) => void;
  /**
   * The backend refused this worker's id for good (a live worker elsewhere holds it), at its
   * first registration or a later one: registration has stopped; the worker must exit.
   */
  onIdInUse: (error: WorkerIdInUseError) => void;
  /** The backend answered a registration or a heartbeat: a moment to deliver what waits. */
  onContact: () => void;
  log: FastifyBaseLogger;
}

/** The one timer that keeps this worker known to the backend (see the module comment). */
export class Registration {
  private registered = false;
  /** True once the backend issued a credential: requests carry it instead of the join token. */
  private usingCredential = false;
  private stopped = false;
  private heartbeatMs = 1000;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff = new Backoff(REGISTER_BACKOFF);
  /** How long to wait before the next registration try, set by each failed one. */
  private retryInMs = 0;
  private readonly onceRegistered: Promise<void>;
  private resolveRegistered!: () => void;
  private rejectRegistered!: (error: Error) => void;

  constructor(private readonly deps: RegistrationDeps) {
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
    if (this.registered) await this.beat();
    else await this.register();
    this.schedule(this.registered ? this.heartbeatMs : this.retryInMs);
  }

  private async register(): Promise<void> {
    const { client, state, log } = this.deps;
    const identity = this.deps.identity();
    const now = state();
    const completed = this.deps.completed();
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
      this.backoff.reset();
      this.heartbeatMs = answer.heartbeat_interval_ms;
      log.info({ backend: client.http.baseUrl }, 'registered with backend');
      this.resolveRegistered();
      if (answer.drop_operations.length > 0)
        this.deps.onDrop(answer.drop_operations.map((id) => attemptSent(id, now, completed)));
      this.deps.onContact();
    } catch (error) {
      if (hasErrorCode(error, 'WORKER_ID_IN_USE')) {
        // another live worker holds this id: retrying cannot help, and must not displace it
        this.stop();
        this.registered = false;
        const refused = new WorkerIdInUseError(error.message, error.details);
        log.error({ err: error.message }, 'registration refused: worker id in use');
        this.rejectRegistered(refused);
        this.deps.onIdInUse(refused);
        return;
      }
      this.retryInMs = this.backoff.next();
      if (hasErrorCode(error, 'VALIDATION_ERROR')) {
        log.error({ err: error.message }, 'registration refused');
      } else if (hasErrorCode(error, 'UNAUTHORIZED') && this.usingCredential) {
        // our credential was revoked (rotation, or we left): register with the join token
        this.deps.onCredential(undefined);
        this.usingCredential = false;
        this.retryInMs = 0;
        log.warn('credential no longer valid; registering again with the join token');
      } else if (hasErrorCode(error, 'UNAUTHORIZED')) {
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
        this.deps.onDrop(answer.drop_operations.map((id) => attemptSent(id, sent, [])));
      this.deps.onContact();
    } catch (error) {
      const unknown = hasErrorCode(error, 'NOT_FOUND');
      const revoked = hasErrorCode(error, 'UNAUTHORIZED');
      if (unknown || revoked) {
        // unknown: the backend restarted (or dropped us); revoked: our credential was
        // rotated away — register again right now, with what we hold
        if (revoked) {
          this.deps.onCredential(undefined);
          this.usingCredential = false;
          this.deps.log.warn('credential no longer valid; registering again with the join token');
        }
        this.registered = false;
        await this.register();
      } else if (error instanceof ConnectionError) {
        this.registered = false;
        this.retryInMs = 0;
      }
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

  /** Stops the timer (does not leave). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
