/**
 * Where a sweep stands: its counts (sets plus walk-forward out-of-sample runs), its leaders,
 * its progress event and its result. Reads only; the sweep service decides when to publish.
 * A running sweep is read from its in-memory run (board and counts: no re-rank, no count
 * query per result); a stopped one from the stores.
 */
import {
  backtestingKind,
  isTerminalStatus,
  type LeaderboardRow,
  type Progress,
  type SweepResult,
} from '@ktrdr/shared';
import type { OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';
import { phaseOf, sweepMetadata, windowOf } from './sweep-metadata.js';
import { setsPerSecond, sweepProgress, type SetCounts } from './sweep-progress.js';
import { sweepResultOf } from './sweep-result.js';
import { LEADERBOARD_ROWS, type SweepRun } from './sweep-run.js';
import type { SweepSetStore } from './sweep-set-store.js';

/** What a sweep's standing is read from. */
export interface StandingSources {
  operations: OperationsService;
  sets: SweepSetStore;
}

/** A sweep's out-of-sample backtests (walk-forward). */
export function outOfSampleRuns(operations: OperationsService, sweepId: string): OperationRecord[] {
  // the backtests only, not the shards: read on every progress update of a walk-forward
  return operations
    .children(sweepId, backtestingKind.operationType)
    .filter((c) => phaseOf(c) === 'out_of_sample');
}

/** Counts of the sets (the run's, else the stored ones) plus the out-of-sample runs. */
export function sweepCounts(
  { operations, sets }: StandingSources,
  sweepId: string,
  run?: SweepRun,
): SetCounts {
  const counts: SetCounts = { ...(run?.counts ?? sets.counts(sweepId)) };
  for (const test of outOfSampleRuns(operations, sweepId)) counts[test.status] += 1;
  return counts;
}

/** A running sweep's best `n` sets of a window, as rows (from its in-memory board). */
export function liveTop(
  sets: SweepSetStore,
  run: SweepRun,
  window: number | null,
  n: number,
): LeaderboardRow[] {
  return sets.rowsOf(run.id, run.board.top(window, n));
}

/** Walk-forward: the last window with a completed set (what the live top rows show). */
export function latestWindow(run: SweepRun): number | null {
  const windows = run.meta.walk_forward?.windows.length ?? 0;
  for (let k = windows - 1; k >= 0; k--) if (run.board.top(k, 1).length > 0) return k;
  return 0;
}

/** True when no set waits or runs and every window that has a winner has tested it. */
export function allEnded(operations: OperationsService, run: SweepRun): boolean {
  if (run.counts.pending > 0 || run.counts.running > 0 || run.open.size > 0) return false;
  const windows = run.meta.walk_forward?.windows.length ?? 0;
  if (windows === 0) return true;
  // read only once no set is left: this runs after every end under the sweep
  const tests = outOfSampleRuns(operations, run.id);
  for (let k = 0; k < windows; k++) {
    const test = tests.find((c) => windowOf(c) === k);
    if (test ? !isTerminalStatus(test.status) : run.board.top(k, 1).length > 0) return false;
  }
  return true;
}

/** A running sweep's progress: this run's speed, and the latest window's leaders. */
export function runProgress(sources: StandingSources, run: SweepRun, now: () => number): Progress {
  const walkForward = Boolean(run.meta.walk_forward);
  const counts = walkForward ? sweepCounts(sources, run.id, run) : { ...run.counts };
  return sweepProgress({
    counts,
    total: run.meta.total,
    startedAt: run.startedAt,
    endedBefore: run.endedBefore,
    objective: run.meta.objective,
    top: liveTop(sources.sets, run, walkForward ? latestWindow(run) : null, 5),
    now: now(),
  });
}

/** A sweep not running (cancelled): its progress from the stored counts, with no speed. */
export function storedProgress(
  sources: StandingSources,
  record: OperationRecord,
  now: () => number,
): Progress {
  const meta = sweepMetadata(record);
  const counts = sweepCounts(sources, record.operation_id);
  return sweepProgress({
    counts,
    total: meta.total,
    startedAt: now(),
    endedBefore: counts.completed + counts.failed,
    objective: meta.objective,
    top: sources.sets.top(record.operation_id, null, 5),
    now: now(),
  });
}

/** The sweep now: counts, the top rows, the best set, speed, shards (live while it runs). */
export function currentResult(
  sources: StandingSources,
  sweepId: string,
  run: SweepRun | undefined,
  now: () => number,
): SweepResult {
  const { operations, sets } = sources;
  const record = operations.require(sweepId);
  const meta = sweepMetadata(record);
  const windows = meta.walk_forward?.windows.length ?? 0;
  const topOf = (window: number | null) =>
    run
      ? liveTop(sets, run, window, LEADERBOARD_ROWS)
      : sets.top(sweepId, window, LEADERBOARD_ROWS);
  const leaderboard =
    windows === 0 ? topOf(null) : Array.from({ length: windows }, (_, k) => topOf(k)).flat();
  const best =
    windows === 0 ? (leaderboard[0] ?? null) : (leaderboard.findLast((r) => r.rank === 1) ?? null);
  const counts = sweepCounts(sources, sweepId, run);
  // live: this run's rate; ended: the rate it ended with
  const rate = run
    ? setsPerSecond(counts.completed + counts.failed - run.endedBefore, run.startedAt, now())
    : ((record.result_summary?.sets_per_second as number | null | undefined) ?? null);
  return sweepResultOf({
    meta,
    counts,
    leaderboard,
    best,
    setsPerSecond: rate,
    children: operations.children(sweepId),
  });
}
