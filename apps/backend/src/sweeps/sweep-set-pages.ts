import { PARAM_SORT_PREFIX, type LeaderboardRow, type SweepSetsQuery } from '@ktrdr/shared';
import { SWEEP_SET_METRIC_COLUMNS, type Db } from '../storage/database.js';
import {
  MERGE_DATA_SQL,
  RANK_ORDER_SQL,
  RankOrder,
  type MergeDataRow,
  type WindowRow,
} from './rank-order.js';
import type { RankKey } from './leaderboard-top.js';
import type { HeatPoint } from './sweep-heatmap.js';
import type { ParameterValue } from './parameter-space.js';
import { RANK_ORDER, toWire, type Ranking, type SetRow } from './sweep-set-row.js';

type MetricColumn = (typeof SWEEP_SET_METRIC_COLUMNS)[number];
const METRIC_SET = new Set<string>(SWEEP_SET_METRIC_COLUMNS);
/** Sweeps whose order is kept (the ones a trader is looking at). */
const ORDERS_KEPT = 4;

/** A page of sets. */
export interface SetsPage {
  total: number;
  rows: LeaderboardRow[];
}

/**
 * Pages of a sweep's sets in any order, each completed row with its rank. Ranks come from
 * the sweep's {@link RankOrder}, kept and merged with each batch of completed sets; a page in
 * rank order (the default, and the CSV's) is a slice of it, read by primary key, so it
 * costs the same at any offset. Other orders are sorted by SQL.
 */
export class SweepSetPages {
  private generation = 0;
  private readonly orders = new Map<string, { generation: number; order: RankOrder }>();
  private readonly orderStmt;
  private readonly mergeDataStmt;
  private readonly getStmt;

  constructor(private readonly db: Db) {
    this.orderStmt = db.prepare(RANK_ORDER_SQL);
    this.mergeDataStmt = db.prepare(MERGE_DATA_SQL);
    this.getStmt = db.prepare('SELECT * FROM sweep_sets WHERE sweep_id = ? AND set_index = ?');
  }

  /** Sets were stored: every kept order is stale. */
  changed(): void {
    this.generation++;
  }

  /**
   * Sets of a sweep completed (committed): they are merged into its kept order, so the
   * next page need not read the order again (about 140 ms at 100,000 sets). With
   * `committed: false` (inside a transaction that may still roll back) the order is
   * dropped instead and read again when next asked for.
   */
  completed(sweepId: string, keys: readonly RankKey[], committed: boolean): void {
    const kept = this.orders.get(sweepId);
    if (!kept || kept.generation !== this.generation) return;
    const { order } = kept;
    // the first batch of a running sweep reads what merging needs (once per order kept);
    // not inside a transaction that may still roll back: the order is dropped then anyway
    const merged =
      committed &&
      (order.mergeable ||
        order.attachMergeData(this.mergeDataStmt.all(sweepId) as MergeDataRow[])) &&
      order.merge(keys);
    if (!merged) this.orders.delete(sweepId);
  }

  /** The sweep's leaderboard order as stored now. */
  rankOrder(sweepId: string): RankOrder {
    const kept = this.orders.get(sweepId);
    if (kept?.generation === this.generation) return kept.order;
    const order = new RankOrder(this.orderStmt.all(sweepId) as WindowRow[]);
    this.orders.delete(sweepId);
    this.orders.set(sweepId, { generation: this.generation, order });
    if (this.orders.size > ORDERS_KEPT) this.orders.delete(this.orders.keys().next().value!);
    return order;
  }

  /**
   * A page of a sweep's sets: filtered, sorted by any metric (default: rank order) and
   * ranked within its window by the leaderboard's order.
   */
  page(
    sweepId: string,
    query: SweepSetsQuery,
    ranking: Ranking,
    /** The most rows one page may have (the route's own limit is 1,000). */
    maxRows = 1000,
  ): SetsPage {
    const limit = Math.min(query.limit ?? 100, maxRows);
    const offset = query.offset ?? 0;
    const order = this.rankOrder(sweepId);
    if ((query.sort ?? ranking.objective) === ranking.objective && query.order === undefined)
      return this.inRankOrder(sweepId, query, order, limit, offset);
    const { clause, params } = filterOf(sweepId, query);
    const unfiltered =
      query.status === undefined &&
      query.meets_constraints === undefined &&
      query.window === undefined;
    const total = unfiltered
      ? order.total
      : (
          this.db
            .prepare(`SELECT COUNT(*) AS n FROM sweep_sets WHERE ${clause}`)
            .get(...params) as {
            n: number;
          }
        ).n;
    const sort = orderBy(query);
    const rows = this.db
      .prepare(`SELECT * FROM sweep_sets WHERE ${clause} ORDER BY ${sort.sql} LIMIT ? OFFSET ?`)
      .all(...params, ...sort.params, limit, offset) as SetRow[];
    return { total, rows: rows.map((row) => toWire(row, order.rankOf(row.set_index))) };
  }

  /**
   * Every set of a sweep (of one window, when given) as the heat map reads it, in index
   * order: two swept values and the rank. One JSON array from SQLite (reading 100,000 full
   * rows as objects took about 3 s).
   */
  heatPoints(
    sweepId: string,
    window: number | undefined,
    yPath: string,
    xPath: string,
  ): HeatPoint[] {
    const order = this.rankOrder(sweepId);
    const inWindow = window === undefined ? '' : 'AND window = ?';
    const json = this.db
      .prepare(
        `SELECT json_group_array(json_array(set_index, parameters -> ?, parameters -> ?) ORDER BY set_index) AS points
         FROM sweep_sets WHERE sweep_id = ? ${inWindow}`,
      )
      .get(
        jsonPath(yPath),
        jsonPath(xPath),
        sweepId,
        ...(window === undefined ? [] : [window]),
      ) as {
      points: string;
    };
    const points = JSON.parse(json.points) as [
      number,
      ParameterValue | null,
      ParameterValue | null,
    ][];
    return points.map(([setIndex, y, x]) => ({
      set_index: setIndex,
      y: y ?? undefined,
      x: x ?? undefined,
      rank: order.rankOf(setIndex),
    }));
  }

  /**
   * Rank order: the completed sets, window by window, best first (a slice of the order),
   * then the others by window and index (SQL; they have no rank).
   */
  private inRankOrder(
    sweepId: string,
    query: SweepSetsQuery,
    order: RankOrder,
    limit: number,
    offset: number,
  ): SetsPage {
    const windows = order.windows.filter(
      (w) => query.window === undefined || w.window === query.window,
    );
    const meets = query.meets_constraints;
    const ranked =
      query.status === undefined || query.status === 'completed'
        ? windows.map((w) =>
            meets === undefined
              ? w.completed
              : meets
                ? w.completed.subarray(0, w.meeting)
                : w.completed.subarray(w.meeting),
          )
        : [];
    const rankedCount = ranked.reduce((n, part) => n + part.length, 0);
    const rows: LeaderboardRow[] = [];
    let skip = offset;
    for (const part of ranked) {
      if (skip >= part.length) {
        skip -= part.length;
        continue;
      }
      for (let i = skip; i < part.length && rows.length < limit; i++) {
        const row = this.getStmt.get(sweepId, part[i]!) as SetRow;
        rows.push(toWire(row, order.rankOf(row.set_index)));
      }
      skip = 0;
      if (rows.length === limit) break;
    }
    // sets that have not completed follow (a filter on the constraints keeps only completed ones)
    if (meets !== undefined || query.status === 'completed') return { total: rankedCount, rows };
    const where = [`sweep_id = ?`, `status != 'completed'`];
    const params: unknown[] = [sweepId];
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.window !== undefined) {
      where.push('window = ?');
      params.push(query.window);
    }
    const open =
      query.status === undefined
        ? windows.reduce((n, w) => n + w.open, 0)
        : (
            this.db
              .prepare(`SELECT COUNT(*) AS n FROM sweep_sets WHERE ${where.join(' AND ')}`)
              .get(...params) as { n: number }
          ).n;
    if (rows.length < limit && offset + rows.length < rankedCount + open) {
      const others = this.db
        .prepare(
          `SELECT * FROM sweep_sets WHERE ${where.join(' AND ')}
           ORDER BY window, ${RANK_ORDER} LIMIT ? OFFSET ?`,
        )
        .all(...params, limit - rows.length, Math.max(0, offset - rankedCount)) as SetRow[];
      for (const row of others) rows.push(toWire(row, null));
    }
    return { total: rankedCount + open, rows };
  }
}

/** WHERE for a page's filters. */
function filterOf(sweepId: string, query: SweepSetsQuery): { clause: string; params: unknown[] } {
  const where = ['sweep_id = ?'];
  const params: unknown[] = [sweepId];
  if (query.status) {
    where.push('status = ?');
    params.push(query.status);
  }
  if (query.meets_constraints !== undefined) {
    where.push(`status = 'completed' AND meets = ?`);
    params.push(query.meets_constraints ? 1 : 0);
  }
  if (query.window !== undefined) {
    where.push('window = ?');
    params.push(query.window);
  }
  return { clause: where.join(' AND '), params };
}

/**
 * ORDER BY for a page not in rank order: a metric column (nulls last), the set index, or a
 * swept parameter's value (`param:<path>`, read from the set's JSON: numbers compare as
 * numbers, and sort before text). The caller checks that a parameter path is one the
 * sweep swept.
 */
function orderBy(query: SweepSetsQuery & { sort?: string }): { sql: string; params: string[] } {
  const sort = query.sort!;
  if (sort === 'set_index')
    return { sql: `set_index ${query.order === 'desc' ? 'DESC' : 'ASC'}`, params: [] };
  if (sort.startsWith(PARAM_SORT_PREFIX)) {
    // every set has its parameters, finished or not: in window order, then by the value
    const value = 'json_extract(parameters, ?)';
    const path = jsonPath(sort.slice(PARAM_SORT_PREFIX.length));
    return {
      sql: `window, ${value} IS NULL, ${value} ${query.order === 'desc' ? 'DESC' : 'ASC'}, set_index`,
      params: [path, path],
    };
  }
  if (!METRIC_SET.has(sort)) throw new Error(`not a metric column: ${sort}`);
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  // completed sets first, in window order, whatever the metric
  return {
    sql: `status != 'completed', window, ${sort as MetricColumn} IS NULL, ${sort} ${direction}, set_index`,
    params: [],
  };
}

/** SQLite's JSON path to one key of a set's parameters (a strategy path, dots and all). */
function jsonPath(key: string): string {
  return `$.${JSON.stringify(key)}`;
}
