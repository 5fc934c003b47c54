import type { MetricRow, Operation, Progress } from './operations.js';
import type { Worker } from './workers.js';

/** Every event of `GET /api/v1/events`, keyed by its SSE `event:` name. */
export interface BackendEventMap {
  /** A worker's status, capabilities or current operation changed (a heartbeat alone emits nothing). */
  worker: Worker;
  /** At most once a second: `{worker_id: last_heartbeat_at}` for the workers heard from since. */
  heartbeats: Record<string, string>;
  /** A worker left the roster: it said goodbye, died, or stayed silent too long. */
  worker_removed: { worker_id: string; reason: string };
  /** An operation changed status (or attempt, queue position, worker). */
  operation: Operation;
  /** A running operation's progress, at most ~10 per second per operation. */
  progress: { operation_id: string; progress: Progress };
  /** New per-step metrics rows of an operation (training epochs). */
  metrics: { operation_id: string; metrics: MetricRow[] };
}

/** The name of a backend event. */
export type BackendEventName = keyof BackendEventMap;

/** One event as received by a subscriber: its cursor id, name and parsed payload. */
export type BackendEvent = {
  [K in BackendEventName]: { id: number; event: K; data: BackendEventMap[K] };
}[BackendEventName];

/** The names of every backend event, for subscribers that validate what they receive. */
export const BACKEND_EVENT_NAMES: readonly BackendEventName[] = [
  'worker',
  'heartbeats',
  'worker_removed',
  'operation',
  'progress',
  'metrics',
];
