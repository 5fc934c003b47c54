/**
 * A sweep the backend is following now: its counts, open shards, speed and leaderboard,
 * kept in memory while it runs (the sets themselves are rows of the set store).
 */
import { isTerminalStatus, sweepShardKind, type SweepShardJob } from '@ktrdr/shared';
import type { SeriesStore } from '../data/series-store.js';
import { isOfKind, type OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';
import { LeaderboardTop } from './leaderboard-top.js';
import { guessMsPerSet } from './shard-sizing.js';
import { rankingOf, sweepMetadata, sweepRequest, type SweepMetadata } from './sweep-metadata.js';
import type { SetCounts } from './sweep-progress.js';
import type { Ranking, SetToRun, SweepSetStore } from './sweep-set-store.js';

/** What the shards of a sweep share: everything of a backtest job but the sets. */
export type ShardBase = Omit<SweepShardJob, 'task_id' | 'attempt' | 'sets' | 'window'>;

/**
 * What every shard of sweep `sweepId` shares, from its first set's backtest job: stored
 * once with the sweep, so a shard's job carries only its sets.
 */
export function shardBaseOf(
  job: NonNullable<OperationRecord<'backtesting'>['job']>,
  sweepId: string,
): ShardBase {
  return {
    sweep_id: sweepId,
    strategy: { name: job.strategy.name, base_hash: job.strategy.base_hash! },
    data: job.data,
    initial_capital: job.initial_capital,
    commission: job.commission,
    slippage: job.slippage,
    ...(job.model_id ? { model_id: job.model_id } : {}),
  };
}

/** A sweep the backend is running now. */
export interface SweepRun {
  id: string;
  meta: SweepMetadata;
  ranking: Ranking;
  base: ShardBase;
  counts: SetCounts;
  /** Its shards not yet ended. */
  open: Set<string>;
  /** When this run (start or resume) began, and how many sets had ended by then. */
  startedAt: number;
  endedBefore: number;
  /** One set's cost on these workers (observed; guessed until a shard ends). */
  msPerSet: number;
  /** No pending set has a lower index (back to 0 when sets go back in line). */
  cursor: number;
  /** The best sets per window so far (kept as results arrive; no re-rank). */
  board: LeaderboardTop;
  cancelling: boolean;
  finishing: boolean;
}

/** Sets of the leaderboard kept in a sweep's result (every set: `GET …/sets`). */
export const LEADERBOARD_ROWS = 50;

/** What following a sweep reads. */
export interface SweepRunSources {
  operations: OperationsService;
  sets: SweepSetStore;
  series: SeriesStore;
}

/**
 * Follows a stored sweep: its counts from the store, its ranking from its metadata, its
 * open shards from its children, and its best sets so far (sorted once, after a restart
 * or a resume).
 */
export function followSweep(
  record: OperationRecord,
  { operations, sets, series }: SweepRunSources,
  now: number,
): SweepRun {
  const meta = sweepMetadata(record);
  const job = record.job as { shard?: ShardBase } | null;
  const request = sweepRequest(record);
  if (!job?.shard || !request)
    throw new Error(`sweep ${record.operation_id} kept no shard job (made by an older version)`);
  const counts = sets.counts(record.operation_id);
  const open = new Set(
    operations
      .children(record.operation_id)
      .filter((c) => isOfKind(c, sweepShardKind.operationType) && !isTerminalStatus(c.status))
      .map((c) => c.operation_id),
  );
  const { data } = job.shard;
  const bars =
    meta.walk_forward?.in_sample_bars ??
    series.countInRange(data.symbol, data.timeframe, Date.parse(data.start), Date.parse(data.end));
  const run: SweepRun = {
    id: record.operation_id,
    meta,
    ranking: rankingOf(meta),
    base: job.shard,
    counts,
    open,
    startedAt: now,
    endedBefore: counts.completed + counts.failed,
    msPerSet: guessMsPerSet(bars),
    cursor: 0,
    board: new LeaderboardTop(LEADERBOARD_ROWS),
    cancelling: false,
    finishing: false,
  };
  const windows = meta.walk_forward?.windows.length ?? 0;
  if (windows === 0) run.board.seed(null, sets.topKeys(run.id, null, LEADERBOARD_ROWS));
  for (let k = 0; k < windows; k++) run.board.seed(k, sets.topKeys(run.id, k, LEADERBOARD_ROWS));
  return run;
}

/** Sets as a shard's job carries them: indices and one column per swept path. */
export function setColumns(sets: readonly SetToRun[]): SweepShardJob['sets'] {
  const parameters: Record<string, (number | string | boolean)[]> = {};
  sets.forEach((set, i) => {
    for (const [path, value] of Object.entries(set.parameters))
      (parameters[path] ??= [])[i] = value;
  });
  return { set_index: sets.map((s) => s.set_index), parameters };
}
