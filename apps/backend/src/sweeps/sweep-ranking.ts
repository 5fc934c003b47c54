import {
  SMALLER_IS_BETTER,
  type LeaderboardRow,
  type SweepObjective,
  type SweepResult,
} from '@ktrdr/shared';
import type { OperationRecord } from '../operations/operation-record.js';
import type { ParameterSet } from './parameter-space.js';
import { phaseOf, type SweepMetadata, windowOf } from './sweep-metadata.js';
import { walkForwardSummary } from './walk-forward-summary.js';

/** Ranks a metric value: larger is better unless the objective says otherwise; null last. */
function better(objective: SweepObjective) {
  const sign = SMALLER_IS_BETTER.includes(objective) ? 1 : -1;
  return (a: number | null | undefined, b: number | null | undefined): number => {
    const x = typeof a === 'number' && Number.isFinite(a) ? a : null;
    const y = typeof b === 'number' && Number.isFinite(b) ? b : null;
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    return sign * (x - y);
  };
}

/** A child's row: its set, its metrics once completed, whether they meet the constraints. */
function row(child: OperationRecord, meta: SweepMetadata): LeaderboardRow {
  const window = windowOf(child);
  const summary = child.result_summary;
  const metrics =
    child.status === 'completed' && summary
      ? Object.fromEntries(
          Object.entries(summary).filter(
            ([k, v]) => typeof v === 'number' || (v === null && k !== 'model_id'),
          ),
        )
      : null;
  const meets =
    metrics !== null &&
    Object.entries(meta.constraints).every(([metric, bound]) => {
      const value = metrics[metric];
      if (typeof value !== 'number') return false;
      return (
        (bound.min === undefined || value >= bound.min) &&
        (bound.max === undefined || value <= bound.max)
      );
    });
  return {
    rank: null,
    parameters: (child.metadata.parameters ?? {}) as ParameterSet,
    metrics: metrics as LeaderboardRow['metrics'],
    operation_id: child.operation_id,
    status: child.status,
    meets_constraints: meets,
    error: child.status === 'failed' || child.status === 'cancelled' ? child.error_message : null,
    ...(window !== undefined ? { window } : {}),
  };
}

/**
 * The leaderboard of a sweep's children: completed sets ranked by the objective (those
 * meeting the constraints first; per window in a walk-forward), then the rest; with the
 * counts per status and, for a walk-forward, each window's winner out of sample.
 */
export function rankSweep(meta: SweepMetadata, children: OperationRecord[]): SweepResult {
  const compare = better(meta.objective);
  const counts: Record<string, number> = {};
  const rows = children.map((child) => {
    counts[child.status] = (counts[child.status] ?? 0) + 1;
    return row(child, meta);
  });
  // walk-forward: out-of-sample runs are reported per window, not ranked with the search
  const searched = rows.filter((_, i) => phaseOf(children[i]!) !== 'out_of_sample');
  searched.sort((a, b) => {
    if ((a.window ?? 0) !== (b.window ?? 0)) return (a.window ?? 0) - (b.window ?? 0);
    if ((a.metrics === null) !== (b.metrics === null)) return a.metrics === null ? 1 : -1;
    if (a.meets_constraints !== b.meets_constraints) return a.meets_constraints ? -1 : 1;
    return compare(a.metrics?.[meta.objective], b.metrics?.[meta.objective]);
  });
  let rank = 0;
  let window: number | undefined;
  for (const r of searched) {
    if (r.window !== window) {
      window = r.window;
      rank = 0;
    }
    if (r.metrics !== null) r.rank = ++rank;
  }
  const walkForward = meta.walk_forward
    ? walkForwardSummary(meta.walk_forward, children)
    : undefined;
  return {
    objective: meta.objective,
    direction: SMALLER_IS_BETTER.includes(meta.objective) ? 'min' : 'max',
    total: rows.length,
    counts,
    leaderboard: searched,
    dimensions: meta.dimensions,
    ...(walkForward ? { walk_forward: walkForward } : {}),
  };
}
