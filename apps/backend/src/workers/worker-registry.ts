import type { Worker, WorkerCapabilities, WorkerStatus, WorkerType } from '@ktrdr/shared';
import type { EventBus } from '../events/event-bus.js';

/** A worker as the backend tracks it in memory (workers re-register after a restart). */
export interface WorkerRecord {
  worker_id: string;
  worker_type: WorkerType;
  /** Its URL (direct), or `channel:<worker_id>` for messages (reverse). */
  endpoint_url: string;
  connection: 'direct' | 'reverse';
  status: WorkerStatus;
  capabilities: WorkerCapabilities;
  /** The secret the worker chose for our calls to it (kept in memory only). */
  callback_token: string | null;
  current_operation_id: string | null;
  current_attempt: number | null;
  registered_at: number;
  /** Last time we heard from it: a heartbeat, a report or a successful probe. */
  last_heard_at: number;
  /** Last heartbeat proper, for the roster's "last heartbeat". */
  last_heartbeat_at: number;
  /** For least-recently-used selection. */
  last_dispatched_at: number;
  /** The worker said `idle` while we think it runs something: since when. */
  idle_mismatch_since: number | null;
  probing: boolean;
}

/** The wire form of a record. */
export function toWireWorker(record: WorkerRecord): Worker {
  return {
    worker_id: record.worker_id,
    worker_type: record.worker_type,
    // a reverse worker has no URL: it is reached down the channel it holds open
    endpoint_url: record.connection === 'direct' ? record.endpoint_url : null,
    connection: record.connection,
    status: record.status,
    capabilities: record.capabilities,
    current_operation_id: record.current_operation_id,
    last_heartbeat_at: new Date(record.last_heartbeat_at).toISOString(),
    registered_at: new Date(record.registered_at).toISOString(),
  };
}

/**
 * The roster: who is registered, in which state, running what. Every change that a
 * client would see is announced as a `worker` event; heartbeats are batched into one
 * `heartbeats` event per second.
 */
export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerRecord>();
  private heardSince = new Map<string, string>();
  private readonly heartbeatTimer: ReturnType<typeof setInterval>;
  private readonly removeListeners = new Set<(workerId: string) => void>();

  constructor(
    private readonly events: EventBus,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.heartbeatTimer = setInterval(() => this.flushHeartbeats(), 1000);
    this.heartbeatTimer.unref();
  }

  /** Every worker, in registration order. */
  all(): WorkerRecord[] {
    return [...this.workers.values()];
  }

  /** One worker, or undefined. */
  get(id: string): WorkerRecord | undefined {
    return this.workers.get(id);
  }

  /** Workers of a type (any status). */
  ofType(type: WorkerType): WorkerRecord[] {
    return this.all().filter((w) => w.worker_type === type);
  }

  /** Adds or replaces a worker. */
  upsert(record: WorkerRecord): void {
    this.workers.set(record.worker_id, record);
    this.announce(record);
  }

  /** Removes a worker; returns it if it was there. */
  remove(id: string, reason: string): WorkerRecord | undefined {
    const record = this.workers.get(id);
    if (!record) return undefined;
    this.workers.delete(id);
    this.heardSince.delete(id);
    this.events.publish('worker_removed', { worker_id: id, reason });
    for (const listener of this.removeListeners) listener(id);
    return record;
  }

  /** Calls `listener` with the id of every worker removed from the roster. */
  onRemove(listener: (workerId: string) => void): () => void {
    this.removeListeners.add(listener);
    return () => this.removeListeners.delete(listener);
  }

  /** Publishes the worker's current state. */
  announce(record: WorkerRecord): void {
    this.events.publish('worker', toWireWorker(record));
  }

  /** Changes status (and current operation); announces only real changes. */
  setState(
    record: WorkerRecord,
    status: WorkerStatus,
    operation?: { id: string | null; attempt: number | null },
  ): void {
    const opChanged =
      operation !== undefined &&
      (operation.id !== record.current_operation_id ||
        operation.attempt !== record.current_attempt);
    if (record.status === status && !opChanged) return;
    record.status = status;
    if (operation) {
      record.current_operation_id = operation.id;
      record.current_attempt = operation.attempt;
      // a mismatch seen for the previous job says nothing about this one
      if (opChanged) record.idle_mismatch_since = null;
    }
    if (this.workers.get(record.worker_id) === record) this.announce(record);
  }

  /** Notes that the worker was heard from; `heartbeat` also updates its last heartbeat. */
  touch(record: WorkerRecord, heartbeat: boolean): void {
    const now = this.now();
    record.last_heard_at = now;
    if (heartbeat) {
      record.last_heartbeat_at = now;
      this.heardSince.set(record.worker_id, new Date(now).toISOString());
    }
  }

  /** Counts by type and status, for `/metrics`. */
  counts(): { worker_type: WorkerType; status: WorkerStatus; n: number }[] {
    const map = new Map<string, { worker_type: WorkerType; status: WorkerStatus; n: number }>();
    for (const w of this.workers.values()) {
      const key = `${w.worker_type}/${w.status}`;
      const entry = map.get(key) ?? { worker_type: w.worker_type, status: w.status, n: 0 };
      entry.n++;
      map.set(key, entry);
    }
    return [...map.values()];
  }

  private flushHeartbeats(): void {
    if (this.heardSince.size === 0) return;
    const batch = Object.fromEntries(this.heardSince);
    this.heardSince = new Map();
    this.events.publish('heartbeats', batch);
  }

  /** Stops the batching timer. */
  close(): void {
    clearInterval(this.heartbeatTimer);
  }
}
