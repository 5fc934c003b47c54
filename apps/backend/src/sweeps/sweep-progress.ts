import type { Progress, SweepResult } from '@ktrdr/shared';
import type { OperationRecord } from '../operations/operation-record.js';

/**
 * A sweep's progress from its children: done of total, the ETA from the rate observed since
 * `startedAt`, and the current five leaders (for the live views of the CLI and the UI).
 */
export function sweepProgress(
  children: OperationRecord[],
  total: number,
  startedAt: number,
  board: SweepResult,
  now = Date.now(),
): Progress {
  const counts = { completed: 0, failed: 0, cancelled: 0, running: 0, pending: 0 };
  for (const child of children) counts[child.status] += 1;
  const done = counts.completed + counts.failed + counts.cancelled;
  const elapsed = (now - startedAt) / 1000;
  const eta = done > 0 && done < total ? Math.round((elapsed / done) * (total - done)) : null;
  const top = board.leaderboard
    .filter((row) => row.rank !== null)
    .slice(0, 5)
    .map((row) => ({
      rank: row.rank,
      value: row.metrics?.[board.objective] ?? null,
      parameters: row.parameters,
      operation_id: row.operation_id,
    }));
  return {
    percentage: total === 0 ? 100 : Math.round((done / total) * 1000) / 10,
    current_step: `${done} of ${total} backtests done (${counts.running} running, ${counts.failed} failed)`,
    steps_completed: done,
    steps_total: total,
    items_processed: done,
    items_total: total,
    eta_seconds: eta,
    context: { ...counts, objective: board.objective, top },
  };
}
