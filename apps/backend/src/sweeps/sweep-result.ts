import {
  SMALLER_IS_BETTER,
  sweepShardKind,
  type LeaderboardRow,
  type SweepResult,
} from '@ktrdr/shared';
import { isOfKind, type OperationRecord } from '../operations/operation-record.js';
import type { SweepMetadata } from './sweep-metadata.js';
import type { SetCounts } from './sweep-progress.js';
import { walkForwardSummary } from './walk-forward-summary.js';

/** What a sweep's result is made of (its top rows already read). */
export interface SweepResultParts {
  meta: SweepMetadata;
  counts: SetCounts;
  leaderboard: LeaderboardRow[];
  best: LeaderboardRow | null;
  setsPerSecond: number | null;
  /** The sweep's child operations: its shards (the timeline) and out-of-sample tests. */
  children: readonly OperationRecord[];
}

/** The sweep result's wire form: counts, top rows, best, speed, the shard timeline, walk-forward. */
export function sweepResultOf(parts: SweepResultParts): SweepResult {
  const { meta, children } = parts;
  return {
    objective: meta.objective,
    direction: SMALLER_IS_BETTER.includes(meta.objective) ? 'min' : 'max',
    total: meta.total,
    counts: { ...parts.counts },
    leaderboard: parts.leaderboard,
    best: parts.best,
    dimensions: meta.dimensions,
    sets_per_second: parts.setsPerSecond,
    shards: children
      .filter((c) => isOfKind(c, sweepShardKind.operationType))
      .map((c) => ({
        operation_id: c.operation_id,
        status: c.status,
        worker_id: c.worker_id,
        sets: Number(c.metadata.sets),
        ...(typeof c.metadata.window === 'number' ? { window: c.metadata.window } : {}),
        started_at: c.started_at,
        completed_at: c.completed_at,
      })),
    ...(meta.walk_forward
      ? { walk_forward: walkForwardSummary(meta.walk_forward, [...children]) }
      : {}),
  };
}
