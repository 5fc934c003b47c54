import type { Static } from 'typebox';
import { StringEnum } from './schema-helpers.js';

/** The kinds of worker that can register with the backend. */
export const WORKER_TYPES = ['backtesting', 'training'] as const;
/** Schema of {@link WorkerType}. */
export const WorkerTypeSchema = StringEnum(WORKER_TYPES, {
  description: 'backtesting or training',
});
/** The kind of worker (`backtesting` or `training`). */
export type WorkerType = Static<typeof WorkerTypeSchema>;

/** The backend's view of a worker. */
export const WORKER_STATUSES = ['available', 'busy', 'temporarily_unavailable'] as const;
/** Schema of {@link WorkerStatus}. */
export const WorkerStatusSchema = StringEnum(WORKER_STATUSES);
/**
 * `available` takes work; `busy` runs one operation; `temporarily_unavailable` missed
 * three heartbeats and gets no new work until it is heard from again.
 */
export type WorkerStatus = Static<typeof WorkerStatusSchema>;

/** A worker's own state, as it reports it on `/health` and in heartbeats. */
export const WORKER_SELF_STATUSES = ['idle', 'busy'] as const;
/** Schema of {@link WorkerSelfStatus}. */
export const WorkerSelfStatusSchema = StringEnum(WORKER_SELF_STATUSES);
/** `idle` or `busy`, from the worker's point of view. */
export type WorkerSelfStatus = Static<typeof WorkerSelfStatusSchema>;

/**
 * Every kind of operation the backend tracks. A `sweep_shard` is a batch of a sweep's
 * parameter sets run on one backtest worker; it is listed under its sweep only.
 */
export const OPERATION_TYPES = [
  'backtesting',
  'training',
  'data_load',
  'sweep',
  'sweep_shard',
] as const;
/** Schema of {@link OperationType}. */
export const OperationTypeSchema = StringEnum(OPERATION_TYPES);
/** The kind of an operation. */
export type OperationType = Static<typeof OperationTypeSchema>;

/** Lifecycle states: `pending → running → completed | failed | cancelled`. */
export const OPERATION_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const;
/** Schema of {@link OperationStatus}. */
export const OperationStatusSchema = StringEnum(OPERATION_STATUSES);
/** Where an operation is in its lifecycle. */
export type OperationStatus = Static<typeof OperationStatusSchema>;

/** The statuses an operation never leaves by itself (resume/retry are explicit). */
export const TERMINAL_STATUSES: ReadonlySet<OperationStatus> = new Set([
  'completed',
  'failed',
  'cancelled',
]);

/** True when `status` is final (`completed`, `failed` or `cancelled`). */
export function isTerminalStatus(status: OperationStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Bar sizes the platform understands, finest first. */
export const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;
/** Schema of {@link Timeframe}. */
export const TimeframeSchema = StringEnum(TIMEFRAMES, {
  description: 'bar size: 1m, 5m, 15m, 30m, 1h, 4h or 1d',
});
/** A bar size. */
export type Timeframe = Static<typeof TimeframeSchema>;

/** Milliseconds per bar of each timeframe. */
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};
