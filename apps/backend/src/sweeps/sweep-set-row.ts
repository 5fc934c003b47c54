import type { LeaderboardRow, SWEEP_SET_STATUSES } from '@ktrdr/shared';
import { SWEEP_SET_METRIC_COLUMNS } from '../storage/database.js';
import type { ParameterSet } from './parameter-space.js';

/** A set's status (see {@link SWEEP_SET_STATUSES}). */
export type SetStatus = (typeof SWEEP_SET_STATUSES)[number];

/** A row of `sweep_sets` as SQLite returns it. */
export interface SetRow {
  set_index: number;
  window: number | null;
  parameters: string;
  status: SetStatus;
  worker_id: string | null;
  operation_id: string | null;
  error: string | null;
  meets: number;
  score: number | null;
  [metric: string]: unknown;
}

/** How a sweep ranks: its objective's column, its direction, and its constraints. */
export interface Ranking {
  objective: string;
  /** 1 when larger is better, −1 when smaller is. */
  sign: 1 | -1;
  constraints: Record<string, { min?: number | undefined; max?: number | undefined }>;
}

/** The leaderboard's order within a window, in SQL (see `RankOrder` for the same in memory). */
export const RANK_ORDER = 'meets DESC, score DESC, set_index';

/** A row as the API serves it, with its rank (null unless completed). */
export function toWire(row: SetRow, rank: number | null): LeaderboardRow {
  const completed = row.status === 'completed';
  const metrics: Record<string, number | null> = {};
  if (completed)
    for (const column of SWEEP_SET_METRIC_COLUMNS) metrics[column] = row[column] as number | null;
  return {
    set_index: row.set_index,
    rank: completed ? rank : null,
    parameters: JSON.parse(row.parameters) as ParameterSet,
    metrics: completed ? metrics : null,
    status: row.status,
    meets_constraints: completed && row.meets === 1,
    error: row.error,
    worker_id: row.worker_id,
    operation_id: row.operation_id,
    ...(row.window !== null ? { window: row.window } : {}),
  };
}
