import { MAX_SHARD_SETS } from '@ktrdr/shared';

/** How long one shard should run: long enough that dispatch is noise, short enough to balance. */
export const SHARD_TARGET_MS = 500;

/**
 * A first guess of one set's cost before any shard has reported: the engine runs a simple
 * strategy at roughly ten million bars a second, plus a fixed cost per set (overrides,
 * signals, metrics). Only the first shards use it; then the observed speed takes over.
 */
export function guessMsPerSet(bars: number): number {
  return 0.02 + bars / 10_000;
}

/** What sizing the next shard looks at. */
export interface ShardSizing {
  /** Sets no shard holds yet. */
  remaining: number;
  /** Backtest workers registered now (at least one shard each stays queued). */
  workers: number;
  /** One set's cost, observed (or guessed). */
  msPerSet: number;
  /** A fixed size (`KTRDR_SWEEP_SHARD_SETS`), when set. */
  fixed?: number | undefined;
}

/**
 * Sets for the next shard: about {@link SHARD_TARGET_MS} of work, but never more than an
 * even split of what is left into two shards per worker, so every worker has work and the
 * last shards are small (the tail ends together). At least one set; at most
 * {@link MAX_SHARD_SETS}.
 */
export function nextShardSize({ remaining, workers, msPerSet, fixed }: ShardSizing): number {
  if (remaining <= 0) return 0;
  if (fixed !== undefined) return Math.min(fixed, remaining);
  const byTime = Math.floor(SHARD_TARGET_MS / Math.max(msPerSet, 1e-6));
  const fair = Math.ceil(remaining / (2 * Math.max(1, workers)));
  return Math.max(1, Math.min(byTime, fair, MAX_SHARD_SETS, remaining));
}

/** The shards a sweep keeps queued or running at once: two per worker. */
export function shardsInFlight(workers: number): number {
  return 2 * Math.max(1, workers);
}

/**
 * Folds a finished shard's speed into the estimate (weighted by its sets, recent shards
 * counting more), so sizing follows the real speed of these workers on this data.
 */
export function observeSpeed(previous: number | undefined, sets: number, ms: number): number {
  if (sets <= 0 || !(ms > 0)) return previous ?? 0;
  const observed = ms / sets;
  return previous === undefined ? observed : 0.5 * previous + 0.5 * observed;
}
