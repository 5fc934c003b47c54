import type { LeaderboardRow, Progress } from '@ktrdr/shared';

/** Sets (and walk-forward out-of-sample runs) per status. */
export interface SetCounts {
  pending: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/**
 * Done of total, saying how they ended: a cancelled sweep's "60 of 60" is 10 completed and
 * 50 cancelled, not 60 sets that ran.
 */
function stepText(counts: SetCounts, done: number, total: number, rate: number | null): string {
  const parts = [`${counts.completed} completed`];
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  parts.push(`${counts.failed} failed`, `${counts.running} running`);
  // not toLocaleString: Intl formatting per progress update shows in the backend's profile
  const speed = rate !== null ? ` · ${Math.round(rate)} sets/s` : '';
  return `${done} of ${total} sets ended (${parts.join(', ')})${speed}`;
}

/** Sets ended per second since `startedAt` (one decimal), or null before there is a rate. */
export function setsPerSecond(ended: number, startedAt: number, now: number): number | null {
  const elapsed = (now - startedAt) / 1000;
  return elapsed > 0.2 && ended > 0 ? Math.round((ended / elapsed) * 10) / 10 : null;
}

/** What a sweep's progress is made of. */
export interface SweepProgressInput {
  counts: SetCounts;
  total: number;
  /** When this run (start or resume) began, and how many sets had ended before it. */
  startedAt: number;
  endedBefore: number;
  objective: string;
  /** The current leaders (rank order). */
  top: readonly LeaderboardRow[];
  now: number;
}

/**
 * A sweep's progress: sets done of total, the speed (sets/s) and the ETA from this run's
 * rate, and the current five leaders (for the live views of the CLI and the UI).
 */
export function sweepProgress({
  counts,
  total,
  startedAt,
  endedBefore,
  objective,
  top,
  now,
}: SweepProgressInput): Progress {
  const done = counts.completed + counts.failed + counts.cancelled;
  // the bar shows the sets that ran: a sweep cancelled after 10 of 60 stands at 16.7 %, not 100 %
  const ran = counts.completed + counts.failed;
  const rate = setsPerSecond(ran - endedBefore, startedAt, now);
  const left = total - done;
  const eta = rate !== null && left > 0 ? Math.round(left / rate) : null;
  return {
    percentage: total === 0 ? 100 : Math.round((ran / total) * 1000) / 10,
    current_step: stepText(counts, done, total, rate),
    steps_completed: ran,
    steps_total: total,
    items_processed: ran,
    items_total: total,
    eta_seconds: eta,
    context: {
      ...counts,
      objective,
      sets_per_second: rate,
      top: top.slice(0, 5).map((row) => ({
        rank: row.rank,
        value: row.metrics?.[objective] ?? null,
        parameters: row.parameters,
        set_index: row.set_index,
      })),
    },
  };
}
