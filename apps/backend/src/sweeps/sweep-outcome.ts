import type { SweepResult } from '@ktrdr/shared';
import type { SetCounts } from './sweep-progress.js';

/** How a sweep whose sets have all ended is finished. */
export interface SweepOutcome {
  status: 'completed' | 'failed';
  error: string | null;
  resultSummary: Record<string, unknown>;
}

/**
 * A finished sweep's outcome: failed only when sets failed and none completed (one
 * completed set is a winner worth keeping), and the summary the operation lists show
 * without reading the result artifact.
 */
export function sweepOutcome(result: SweepResult, counts: SetCounts): SweepOutcome {
  const best = result.best;
  const allFailed = counts.completed === 0 && counts.failed > 0;
  return {
    status: allFailed ? 'failed' : 'completed',
    error: allFailed ? noneCompleted(counts) : null,
    resultSummary: {
      total: result.total,
      ...result.counts,
      objective: result.objective,
      best_value: best?.metrics?.[result.objective] ?? null,
      best_parameters: best?.parameters ?? null,
      best_set_index: best?.set_index ?? null,
      best_operation_id: best?.operation_id ?? null,
      sets_per_second: result.sets_per_second,
      ...(result.walk_forward
        ? {
            // what to trade next: the latest window's winner, and how the method did out of sample
            best_parameters:
              result.walk_forward.windows.findLast((w) => w.best_parameters)?.best_parameters ??
              null,
            out_of_sample_total_return: result.walk_forward.metrics?.total_return ?? null,
            out_of_sample_max_drawdown: result.walk_forward.metrics?.max_drawdown ?? null,
            windows: result.walk_forward.windows.length,
          }
        : {}),
    },
  };
}

/** Why a sweep failed, counting only the sets that did fail (cancelled ones are named apart). */
function noneCompleted({ failed, cancelled }: SetCounts): string {
  return cancelled > 0
    ? `no parameter set completed: ${failed} failed and ${cancelled} were cancelled`
    : `every one of the ${failed} parameter sets failed`;
}
