/**
 * A sweep's leaderboard order, in memory: its completed sets, window by window, by the
 * leaderboard's order (meeting the constraints first, then by score, larger first, no
 * score last, then by index), and how many sets of each window have not completed.
 *
 * Why: ranking each page in SQL (a window function over every row) cost about 400 ms at
 * 100,000 sets, and a CSV download reads a hundred pages. The order is read with one
 * query (about 130 ms at 100,000 sets) and kept until a set completes; a page in rank
 * order is then a slice of it, and any row's rank a lookup.
 */
import { RANK_ORDER } from './sweep-set-row.js';

/** One window of a sweep as the order's query returns it. */
export interface WindowRow {
  window: number | null;
  /** Its completed sets' indices in the leaderboard's order, as a JSON array. */
  completed: string;
  meeting: number;
  open: number;
}

/**
 * The order's query: SQL sorts (the same `ORDER BY` as every other leaderboard read, so
 * ties, missing scores and windows order alike) and hands each window's indices over as
 * one JSON array (reading 100,000 rows as objects took longer than the sort).
 */
export const RANK_ORDER_SQL = `SELECT window,
    json_group_array(set_index ORDER BY ${RANK_ORDER}) FILTER (WHERE status = 'completed') AS completed,
    COUNT(*) FILTER (WHERE status = 'completed' AND meets = 1) AS meeting,
    COUNT(*) FILTER (WHERE status != 'completed') AS open
  FROM sweep_sets WHERE sweep_id = ? GROUP BY window ORDER BY window`;

/** One window's part of the order. */
export interface WindowOrder {
  window: number | null;
  /** Its completed sets' indices, best first. */
  completed: Int32Array;
  /** How many of them meet the constraints (they come first). */
  meeting: number;
  /** Its sets that have not completed. */
  open: number;
}

export class RankOrder {
  /** Windows in ascending order (no window first), as a page lists them. */
  readonly windows: readonly WindowOrder[];
  /** Every set of the sweep. */
  readonly total: number;
  /** set index → rank within its window (1 = best); 0: not completed. */
  private readonly ranks: Int32Array;

  constructor(rows: readonly WindowRow[]) {
    this.windows = rows.map((row) => ({
      window: row.window,
      completed: Int32Array.from(JSON.parse(row.completed) as number[]),
      meeting: row.meeting,
      open: row.open,
    }));
    this.total = this.windows.reduce((n, w) => n + w.completed.length + w.open, 0);
    let maxIndex = -1;
    for (const { completed } of this.windows)
      for (const setIndex of completed) if (setIndex > maxIndex) maxIndex = setIndex;
    this.ranks = new Int32Array(maxIndex + 1);
    for (const { completed } of this.windows)
      completed.forEach((setIndex, i) => (this.ranks[setIndex] = i + 1));
  }

  /** A completed set's rank within its window (1 = best); null when it has not completed. */
  rankOf(setIndex: number): number | null {
    return this.ranks[setIndex] || null;
  }
}
