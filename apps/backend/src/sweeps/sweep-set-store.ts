import type { LeaderboardRow, SweepSetResults, SweepSetsQuery } from '@ktrdr/shared';
import { SWEEP_SET_METRIC_COLUMNS, type Db } from '../storage/database.js';
import type { RankKey } from './leaderboard-top.js';
import type { ParameterSet } from './parameter-space.js';
import type { HeatPoint } from './sweep-heatmap.js';
import { SweepSetPages, type SetsPage } from './sweep-set-pages.js';
import { RANK_ORDER, toWire, type Ranking, type SetRow, type SetStatus } from './sweep-set-row.js';

export type { Ranking, SetStatus } from './sweep-set-row.js';

/** A set to store: its index in the sweep, its window (walk-forward) and its parameters. */
export interface NewSweepSet {
  set_index: number;
  window?: number | undefined;
  parameters: ParameterSet;
}

/** A set as a shard's job carries it. */
export interface SetToRun {
  set_index: number;
  parameters: ParameterSet;
}

/** What one batch of reported sets changed (duplicates and late reports change nothing). */
export interface Recorded {
  completed: number;
  failed: number;
  /** The sets that completed now, as the leaderboard orders them. */
  ranked: RankKey[];
}

/** Sets stored per statement and transaction. */
export const INSERT_SLICE = 5000;

/**
 * The parameter sets of sweeps, one row each (DESIGN §4 "Sweeps at scale"). A shard's
 * batch of results is one transaction; a set ends once (`status = 'running'` guards every
 * result write, so a duplicate or late report counts nothing). No index on the ranking:
 * it would double the cost of every result's write; a running sweep keeps its best sets
 * in memory instead, and pages rank from an order built when asked ({@link SweepSetPages}).
 */
export class SweepSetStore {
  private readonly insertStmt;
  private readonly completeStmt;
  private readonly failStmt;
  private readonly nextStmt;
  private readonly assignStmt;
  private readonly ofShardStmt;
  private readonly countsStmt;
  private readonly getStmt;
  private readonly pages: SweepSetPages;

  constructor(private readonly db: Db) {
    this.pages = new SweepSetPages(db);
    // a slice of sets in one statement (sweep, status, then [index, window, parameters' JSON
    // as a string] each: a string, so SQLite stores the text as given and never re-renders a number)
    this.insertStmt = db.prepare(
      `INSERT INTO sweep_sets (sweep_id, set_index, window, parameters, status)
       SELECT ?, value->>0, value->>1, value->>2, ? FROM json_each(?)`,
    );
    this.completeStmt = db.prepare(
      `UPDATE sweep_sets SET status = 'completed', worker_id = ?, meets = ?, score = ?,
         ${SWEEP_SET_METRIC_COLUMNS.map((c) => `${c} = ?`).join(', ')}
       WHERE sweep_id = ? AND set_index = ? AND shard_id = ? AND status IN ('running', 'cancelled')`,
    );
    this.failStmt = db.prepare(
      `UPDATE sweep_sets SET status = 'failed', worker_id = ?, error = ?
       WHERE sweep_id = ? AND set_index = ? AND shard_id = ? AND status IN ('running', 'cancelled')`,
    );
    this.nextStmt = db.prepare(
      `SELECT set_index, window, parameters FROM sweep_sets
       WHERE sweep_id = ? AND set_index >= ? AND status = 'pending' ORDER BY set_index LIMIT ?`,
    );
    this.assignStmt = db.prepare(
      `UPDATE sweep_sets SET status = 'running', shard_id = ?
       WHERE sweep_id = ? AND set_index BETWEEN ? AND ? AND status = 'pending'`,
    );
    this.ofShardStmt = db.prepare(
      `SELECT set_index, parameters FROM sweep_sets WHERE shard_id = ? AND status = 'running' ORDER BY set_index`,
    );
    this.countsStmt = db.prepare(
      'SELECT status, COUNT(*) AS n FROM sweep_sets WHERE sweep_id = ? GROUP BY status',
    );
    this.getStmt = db.prepare('SELECT * FROM sweep_sets WHERE sweep_id = ? AND set_index = ?');
  }

  /**
   * Stores a sweep's sets, all `pending` (or all `cancelled`: sets stored after their sweep
   * was cancelled): one statement and transaction per slice of {@link INSERT_SLICE} (a
   * statement per set cost 2.7× as much), the event loop answering heartbeats and reports
   * between slices.
   */
  async insert(
    sweepId: string,
    sets: readonly NewSweepSet[],
    between: () => Promise<void>,
    status: 'pending' | 'cancelled' = 'pending',
  ): Promise<void> {
    const slice = this.db.transaction((from: number) => {
      const rows = sets
        .slice(from, from + INSERT_SLICE)
        .map((set) => [set.set_index, set.window ?? null, JSON.stringify(set.parameters)]);
      this.insertStmt.run(sweepId, status, JSON.stringify(rows));
    });
    for (let from = 0; from < sets.length; from += INSERT_SLICE) {
      if (from > 0) await between();
      slice(from);
      this.pages.changed();
    }
  }

  /**
   * The next sets no shard holds, in index order from `from` (no pending set lies below
   * it: the caller's cursor, so each shard reads only its own rows), all of one window (a
   * shard runs one range): at most `limit`. They become `running` under `shardId`.
   */
  assignNext(
    sweepId: string,
    shardId: string,
    limit: number,
    from = 0,
  ): {
    window: number | null;
    sets: SetToRun[];
  } {
    return this.db.transaction(() => {
      const rows = this.nextStmt.all(sweepId, from, limit) as Pick<
        SetRow,
        'set_index' | 'window' | 'parameters'
      >[];
      const window = rows[0]?.window ?? null;
      const sets: SetToRun[] = [];
      for (const row of rows) {
        if (row.window !== window) break;
        sets.push({
          set_index: row.set_index,
          parameters: JSON.parse(row.parameters) as ParameterSet,
        });
      }
      // one statement for the range (a pending set between them is one of these: same order)
      if (sets.length > 0)
        this.assignStmt.run(shardId, sweepId, sets[0]!.set_index, sets.at(-1)!.set_index);
      return { window, sets };
    })();
  }

  /** The sets a shard holds that have not ended (what its next attempt runs). */
  unfinishedOf(shardId: string): SetToRun[] {
    return (this.ofShardStmt.all(shardId) as Pick<SetRow, 'set_index' | 'parameters'>[]).map(
      (row) => ({
        set_index: row.set_index,
        parameters: JSON.parse(row.parameters) as ParameterSet,
      }),
    );
  }

  /**
   * Records a shard's finished sets in one transaction. Only sets the shard still holds
   * count: running, or cancelled while they ran (they finished: a resume need not run them);
   * a set that already ended, or that another shard holds now, is left as it is.
   */
  record(
    sweepId: string,
    shardId: string,
    workerId: string,
    results: SweepSetResults,
    ranking: Ranking,
  ): Recorded {
    const columns = SWEEP_SET_METRIC_COLUMNS.map((c) => results.metrics[c]);
    const objective = results.metrics[ranking.objective];
    const bounds = Object.entries(ranking.constraints).map(
      ([metric, bound]) => [results.metrics[metric], bound] as const,
    );
    const recorded = this.db.transaction((): Recorded => {
      let completed = 0;
      let failed = 0;
      const ranked: RankKey[] = [];
      results.set_index.forEach((setIndex, i) => {
        const value = objective?.[i];
        const score =
          typeof value === 'number' && Number.isFinite(value) ? ranking.sign * value : null;
        const meets = bounds.every(([values, bound]) => {
          const v = values?.[i];
          return (
            typeof v === 'number' &&
            (bound.min === undefined || v >= bound.min) &&
            (bound.max === undefined || v <= bound.max)
          );
        });
        const values = columns.map((column) => column?.[i] ?? null);
        const changed = this.completeStmt.run(
          workerId,
          meets ? 1 : 0,
          score,
          ...values,
          sweepId,
          setIndex,
          shardId,
        ).changes;
        if (changed > 0) {
          completed += changed;
          ranked.push({ set_index: setIndex, meets: meets ? 1 : 0, score });
        }
      });
      for (const { set_index, error } of results.failed ?? [])
        failed += this.failStmt.run(workerId, error, sweepId, set_index, shardId).changes;
      return { completed, failed, ranked };
    })();
    // only a completion moves the rank order (other status changes keep a set unranked)
    if (recorded.ranked.length > 0)
      this.pages.completed(sweepId, recorded.ranked, !this.db.inTransaction);
    return recorded;
  }

  /**
   * Ends or frees the sets a shard still holds: back to `pending` (no shard; the next
   * shard takes them), or `cancelled` / `failed` with a reason. Returns how many.
   */
  release(shardId: string, to: 'pending' | 'cancelled' | 'failed', error?: string): number {
    return this.db
      .prepare(
        `UPDATE sweep_sets SET status = ?, shard_id = CASE WHEN ? = 'pending' THEN NULL ELSE shard_id END, error = ?
         WHERE shard_id = ? AND status = 'running'`,
      )
      .run(to, to, error ?? null, shardId).changes;
  }

  /** Cancels every set of a sweep no shard holds. */
  cancelPending(sweepId: string, reason: string): number {
    return this.db
      .prepare(
        `UPDATE sweep_sets SET status = 'cancelled', error = ? WHERE sweep_id = ? AND status = 'pending'`,
      )
      .run(reason, sweepId).changes;
  }

  /** Resume: every failed or cancelled set is pending again (completed ones stay). */
  reopen(sweepId: string): number {
    return this.db
      .prepare(
        `UPDATE sweep_sets SET status = 'pending', shard_id = NULL, worker_id = NULL, error = NULL
         WHERE sweep_id = ? AND status IN ('failed', 'cancelled')`,
      )
      .run(sweepId).changes;
  }

  /** Sets per status. */
  counts(sweepId: string): Record<SetStatus, number> {
    const counts: Record<SetStatus, number> = {
      pending: 0,
      running: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    };
    for (const { status, n } of this.countsStmt.all(sweepId) as { status: SetStatus; n: number }[])
      counts[status] = n;
    return counts;
  }

  /** Sets of one window that have not ended (walk-forward: its out-of-sample run waits for 0). */
  openInWindow(sweepId: string, window: number): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM sweep_sets WHERE sweep_id = ? AND window = ? AND status IN ('pending', 'running')`,
      )
      .get(sweepId, window) as { n: number };
    return row.n;
  }

  /**
   * The best `limit` completed sets of a window (null: the sweep has none), in rank order.
   * A sort of the window's completed sets: for ended sweeps and restarts; a running
   * sweep keeps its top in memory ({@link LeaderboardTop}) and reads them with {@link rowsOf}.
   */
  top(sweepId: string, window: number | null, limit: number): LeaderboardRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM sweep_sets WHERE sweep_id = ? AND window IS ? AND status = 'completed'
         ORDER BY ${RANK_ORDER} LIMIT ?`,
      )
      .all(sweepId, window, limit) as SetRow[];
    return rows.map((row, i) => toWire(row, i + 1));
  }

  /** The same, as rank keys only (to seed a running sweep's {@link LeaderboardTop}). */
  topKeys(sweepId: string, window: number | null, limit: number): RankKey[] {
    return this.db
      .prepare(
        `SELECT set_index, meets, score FROM sweep_sets WHERE sweep_id = ? AND window IS ? AND status = 'completed'
         ORDER BY ${RANK_ORDER} LIMIT ?`,
      )
      .all(sweepId, window, limit) as RankKey[];
  }

  /** Rows by index, in the order given, ranked 1, 2, … (the order of a {@link LeaderboardTop}). */
  rowsOf(sweepId: string, keys: readonly RankKey[]): LeaderboardRow[] {
    const rows = keys.map((key) => this.getStmt.get(sweepId, key.set_index) as SetRow | undefined);
    return rows.flatMap((row, i) => (row ? [toWire(row, i + 1)] : []));
  }

  /** One set, ranked, or undefined. */
  get(sweepId: string, setIndex: number): LeaderboardRow | undefined {
    const row = this.getStmt.get(sweepId, setIndex) as SetRow | undefined;
    if (!row) return undefined;
    // only a completed set has a rank: the others need not (re)build the sweep's order
    const rank = row.status === 'completed' ? this.pages.rankOrder(sweepId).rankOf(setIndex) : null;
    return toWire(row, rank);
  }

  /** Remembers the full backtest made of a set. */
  setOperation(sweepId: string, setIndex: number, operationId: string): void {
    this.db
      .prepare('UPDATE sweep_sets SET operation_id = ? WHERE sweep_id = ? AND set_index = ?')
      .run(operationId, sweepId, setIndex);
  }

  /**
   * A page of a sweep's sets: filtered, sorted by any metric (default: rank order) and
   * ranked (within each window, by the leaderboard's order). See {@link SweepSetPages}.
   */
  page(sweepId: string, query: SweepSetsQuery, ranking: Ranking, maxRows?: number): SetsPage {
    return this.pages.page(sweepId, query, ranking, maxRows);
  }

  /** Every set (of one window) with two swept values and its rank, for the heat map. */
  heatPoints(
    sweepId: string,
    window: number | undefined,
    yPath: string,
    xPath: string,
  ): HeatPoint[] {
    return this.pages.heatPoints(sweepId, window, yPath, xPath);
  }
}
