import type { Progress, SweepResult } from '@ktrdr/shared';
import type { OperationRecord } from '../operations/operation-record.js';

/**
 * Done of total, saying how they ended: a cancelled sweep's "60 of 60" is 10 completed and
 * 50 cancelled, not 60 backtests that ran.
 */
function stepText(
  counts: {
    completed: number;
    failed: number;
    cancelled: number;
    running: number;
    pending: number;
  },
  done: number,
  total: number,
): string {
  const parts = [`${counts.completed} completed`];
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  parts.push(`${counts.failed} failed`, `${counts.running} running`);
  return `${done} of ${total} backtests ended (${parts.join(', ')})`;
}

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
  // the bar shows the sets that ran: a sweep cancelled after 10 of 60 stands at 16.7 %, not 100 %
  const ran = counts.completed + counts.failed;
  return {
    percentage: total === 0 ? 100 : Math.round((ran / total) * 1000) / 10,
    current_step: stepText(counts, done, total),
    steps_completed: ran,
    steps_total: total,
    items_processed: ran,
    items_total: total,
    eta_seconds: eta,
    context: { ...counts, objective: board.objective, top },
  };
}
