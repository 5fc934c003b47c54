/**
 * A sweep's leaderboard order, in memory: its completed sets, window by window, by the
 * leaderboard's order (meeting the constraints first, then by score, larger first, no
 * score last, then by index), and how many sets of each window have not completed.
 *
 * Why: ranking each page in SQL (a window function over every row) cost about 400 ms at
 * 100,000 sets, and a CSV download reads a hundred pages. The order is read with one
 * query and then kept: each batch of sets that completes is merged into it
 * ({@link RankOrder.merge}) instead of reading it again, so a page in rank order is a
 * slice of it, and any row's rank a lookup, while the sweep runs too.
 */
import { ranksAhead, type RankKey } from './leaderboard-top.js';
import { RANK_ORDER } from './sweep-set-row.js';

/** One window of a sweep as the order's query returns it. */
export interface WindowRow {
  window: number | null;
  /** Its completed sets' indices in the leaderboard's order, as a JSON array. */
  completed: string;
  meeting: number;
  open: number;
  /** Its largest set index. */
  last: number;
}

/**
 * The order's query: SQL sorts (the same `ORDER BY` as every other leaderboard read, so
 * ties, missing scores and windows order alike) and hands each window's indices over as
 * one JSON array (reading 100,000 rows as objects took longer than the sort).
 */
export const RANK_ORDER_SQL = `SELECT window,
    json_group_array(set_index ORDER BY ${RANK_ORDER}) FILTER (WHERE status = 'completed') AS completed,
    COUNT(*) FILTER (WHERE status = 'completed' AND meets = 1) AS meeting,
    COUNT(*) FILTER (WHERE status != 'completed') AS open,
    MAX(set_index) AS last
  FROM sweep_sets WHERE sweep_id = ? GROUP BY window ORDER BY window`;

/** One window of a sweep as {@link MERGE_DATA_SQL} returns it. */
export interface MergeDataRow {
  window: number | null;
  /** Every set of it, as a JSON array of indices in no particular order… */
  sets: string;
  /** …and their scores in that same order: 17-digit decimal strings, null where none. */
  scores: string;
}

/**
 * What merging results needs beside the order: each set's window and each completed
 * set's score. Read only when a first batch is merged (a sweep that is not running never
 * needs it: at 100,000 sets it would add about a third to the order's read). Unsorted,
 * one pass feeding both arrays, so they line up. A score is `printf('%!.17g')` text,
 * which reads back as the same double (SQLite 3.51's JSON writes a REAL with 15 digits,
 * too few to order new results exactly against).
 */
export const MERGE_DATA_SQL = `SELECT window,
    json_group_array(set_index) AS sets,
    json_group_array(CASE WHEN status = 'completed' AND score IS NOT NULL THEN printf('%!.17g', score) END) AS scores
  FROM sweep_sets WHERE sweep_id = ? GROUP BY window ORDER BY window`;

/** One window's part of the order. */
export interface WindowOrder {
  readonly window: number | null;
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
  /** set index → its window's place in {@link windows} (-1: no such set). */
  private readonly windowOf: Int32Array;
  /** set index → its score once completed (NaN: no score). */
  private readonly scores: Float64Array;
  /** set index → 1 when it completed meeting the constraints. */
  private readonly meets: Uint8Array;

  private mergeData = false;

  constructor(rows: readonly WindowRow[]) {
    this.windows = rows.map((row) => ({
      window: row.window,
      completed: Int32Array.from(JSON.parse(row.completed) as number[]),
      meeting: row.meeting,
      open: row.open,
    }));
    this.total = this.windows.reduce((n, w) => n + w.completed.length + w.open, 0);
    const size = rows.reduce((max, row) => Math.max(max, row.last + 1), 0);
    this.ranks = new Int32Array(size);
    this.windowOf = new Int32Array(size).fill(-1);
    this.scores = new Float64Array(size);
    this.meets = new Uint8Array(size);
    this.windows.forEach(({ completed, meeting }) =>
      // the meeting sets come first
      completed.forEach((setIndex, i) => {
        this.ranks[setIndex] = i + 1;
        this.meets[setIndex] = i < meeting ? 1 : 0;
      }),
    );
  }

  /** Whether it holds what {@link merge} needs ({@link attachMergeData}). */
  get mergeable(): boolean {
    return this.mergeData;
  }

  /**
   * Adds each set's window and score ({@link MERGE_DATA_SQL}, read after the order). False
   * when the rows are not of this order's windows or sets: the caller reads it again.
   */
  attachMergeData(rows: readonly MergeDataRow[]): boolean {
    if (
      rows.length !== this.windows.length ||
      rows.some((row, w) => row.window !== this.windows[w]!.window)
    )
      return false;
    for (const [w, row] of rows.entries()) {
      const sets = JSON.parse(row.sets) as number[];
      const scores = JSON.parse(row.scores) as (string | null)[];
      for (const [i, setIndex] of sets.entries()) {
        if (setIndex >= this.windowOf.length) return false;
        this.windowOf[setIndex] = w;
        const score = scores[i];
        this.scores[setIndex] = score === null || score === undefined ? NaN : Number(score);
      }
    }
    this.mergeData = true;
    return true;
  }

  /** A completed set's rank within its window (1 = best); null when it has not completed. */
  rankOf(setIndex: number): number | null {
    return this.ranks[setIndex] || null;
  }

  /**
   * Merges sets that have just completed (each once: the store reports only the sets a
   * batch moved to `completed`) into the order, as the order's query would place them.
   * False when one is not a set this order knows as open: the caller reads the order
   * again instead.
   */
  merge(completed: readonly RankKey[]): boolean {
    if (!this.mergeData) return false;
    const byWindow = new Map<number, RankKey[]>();
    for (const key of completed) {
      const w = this.windowOf[key.set_index];
      if (w === undefined || w < 0 || this.ranks[key.set_index] !== 0) return false;
      let list = byWindow.get(w);
      if (!list) byWindow.set(w, (list = []));
      list.push(key);
    }
    for (const [w, added] of byWindow) this.mergeWindow(this.windows[w]!, added);
    return true;
  }

  private mergeWindow(order: WindowOrder, added: RankKey[]): void {
    added.sort((a, b) => (ranksAhead(a, b) ? -1 : 1));
    const old = order.completed;
    const merged = new Int32Array(old.length + added.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < merged.length; k++) {
      const take =
        j < added.length && (i >= old.length || ranksAhead(added[j]!, this.keyOf(old[i]!)));
      const setIndex = take ? added[j++]!.set_index : old[i++]!;
      merged[k] = setIndex;
      this.ranks[setIndex] = k + 1;
    }
    for (const key of added) {
      this.scores[key.set_index] = key.score ?? NaN;
      this.meets[key.set_index] = key.meets;
      if (key.meets === 1) order.meeting++;
    }
    order.completed = merged;
    order.open -= added.length;
  }

  private keyOf(setIndex: number): RankKey {
    const score = this.scores[setIndex]!;
    return {
      set_index: setIndex,
      meets: this.meets[setIndex]!,
      score: Number.isNaN(score) ? null : score,
    };
  }
}
