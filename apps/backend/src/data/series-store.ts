import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allocateBars,
  barsToColumnar,
  lowerBound,
  parseBarsCsv,
  resample,
  resampleSources,
  sliceByIndex,
  sliceByTime,
  type Bars,
} from '@ktrdr/engine/data';
import { TIMEFRAME_MS, TIMEFRAMES, type SeriesSummary, type Timeframe } from '@ktrdr/shared';
import type { Db } from '../storage/database.js';
import { decodeChunk, encodeChunk } from './chunk-codec.js';
import { findGaps } from './gaps.js';

/** A stored series' catalogue row. */
interface SeriesRow {
  symbol: string;
  timeframe: Timeframe;
  first_time: number;
  last_time: number;
  bar_count: number;
  etag: string;
}

/** Where the bars of a (symbol, timeframe) come from. */
export interface ResolvedSeries {
  symbol: string;
  timeframe: Timeframe;
  /** Content identity of what is served: changes whenever the bars do. */
  etag: string;
  /** The stored timeframe the bars come from (resampled when it differs). */
  source: Timeframe;
}

/** How an import combines with what is stored. */
export type ImportMode = 'merge' | 'replace';

function contentEtag(bars: Bars): string {
  const hash = createHash('sha256');
  for (const column of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex').slice(0, 20);
}

/** Bars of `a` and `b` by time; where both have a bar, `b`'s wins. */
function mergeBars(a: Bars, b: Bars): Bars {
  const out = allocateBars(a.symbol, a.timeframe, a.time.length + b.time.length);
  let i = 0;
  let j = 0;
  let k = 0;
  const copy = (from: Bars, at: number) => {
    for (const f of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
      out[f][k] = from[f][at] as number;
    k++;
  };
  while (i < a.time.length || j < b.time.length) {
    const ta = i < a.time.length ? (a.time[i] as number) : Infinity;
    const tb = j < b.time.length ? (b.time[j] as number) : Infinity;
    if (tb <= ta) {
      copy(b, j++);
      if (tb === ta) i++;
    } else {
      copy(a, i++);
    }
  }
  return sliceByIndex(out, 0, k);
}

/**
 * Market data in SQLite: one catalogue row per (symbol, timeframe) and the bars in
 * compressed columnar chunks. A write replaces a series' chunks in one transaction, so a
 * failed import leaves what was stored untouched. Coarser timeframes that are not stored
 * are served by resampling a finer stored one. Decoded chunks are cached in memory.
 */
export class SeriesStore {
  private readonly cache = new Map<string, Bars>();
  /** Gap counts by series ETag: a series' gaps change only when its bars do. */
  private readonly gapCounts = new Map<string, number>();
  /**
   * Catalogue rows (or their absence) by symbol and timeframe: every start request looks
   * its series up, and only {@link put} changes them (it clears this).
   */
  private readonly rows = new Map<string, SeriesRow | null>();
  /** Bar counts of ranges by series ETag and range (an ETag changes with the bars). */
  private readonly rangeCounts = new Map<string, number>();
  private cacheBytes = 0;

  constructor(
    private readonly db: Db,
    private readonly options: { chunkBars?: number; cacheBytes?: number } = {},
  ) {}

  private get chunkBars(): number {
    return this.options.chunkBars ?? 50_000;
  }

  /** Canonical symbol form (symbols are case-insensitive). */
  static normalize(symbol: string): string {
    return symbol.trim().toUpperCase();
  }

  private row(symbol: string, timeframe: string): SeriesRow | undefined {
    const key = `${SeriesStore.normalize(symbol)}\0${timeframe}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row =
        (this.db
          .prepare(
            'SELECT symbol, timeframe, first_time, last_time, bar_count, etag FROM series WHERE symbol = ? AND timeframe = ?',
          )
          .get(SeriesStore.normalize(symbol), timeframe) as SeriesRow | undefined) ?? null;
      this.rows.set(key, row);
    }
    return row ?? undefined;
  }

  /** Every stored series. */
  list(): SeriesSummary[] {
    const rows = this.db
      .prepare(
        'SELECT symbol, timeframe, first_time, last_time, bar_count, etag FROM series ORDER BY symbol, timeframe',
      )
      .all() as SeriesRow[];
    return rows.map((r) => ({
      symbol: r.symbol,
      timeframe: r.timeframe,
      first_bar: new Date(r.first_time).toISOString(),
      last_bar: new Date(r.last_time).toISOString(),
      bar_count: r.bar_count,
      etag: r.etag,
      gaps: this.gapCount(r),
    }));
  }

  private gapCount(row: SeriesRow): number {
    const key = `${row.symbol}/${row.timeframe}/${row.etag}`;
    let count = this.gapCounts.get(key);
    if (count === undefined) {
      count = findGaps(
        this.readStored(row.symbol, row.timeframe, -8.64e15, 8.64e15).time,
        row.timeframe,
      ).length;
      this.gapCounts.set(key, count);
    }
    return count;
  }

  /** First and last stored bar (epoch ms) and the bar count of exactly this timeframe, if stored. */
  bounds(
    symbol: string,
    timeframe: Timeframe,
  ): { first: number; last: number; count: number; etag: string } | undefined {
    const row = this.row(symbol, timeframe);
    return row
      ? { first: row.first_time, last: row.last_time, count: row.bar_count, etag: row.etag }
      : undefined;
  }

  /** The stored series at `timeframe`, or a finer stored one it can be resampled from. */
  resolve(symbol: string, timeframe: Timeframe): ResolvedSeries | undefined {
    const exact = this.row(symbol, timeframe);
    if (exact) return { symbol: exact.symbol, timeframe, etag: exact.etag, source: timeframe };
    for (const source of resampleSources(timeframe)) {
      const row = this.row(symbol, source);
      if (row) {
        const etag = createHash('sha256')
          .update(`${row.etag}:${timeframe}`)
          .digest('hex')
          .slice(0, 20);
        return { symbol: row.symbol, timeframe, etag, source };
      }
    }
    return undefined;
  }

  private readStored(symbol: string, timeframe: Timeframe, start: number, end: number): Bars {
    const row = this.row(symbol, timeframe) as SeriesRow;
    const chunks = this.db
      .prepare(
        'SELECT chunk_start, bar_count FROM series_chunks WHERE symbol = ? AND timeframe = ? AND last_time >= ? AND first_time <= ? ORDER BY chunk_start',
      )
      .all(row.symbol, timeframe, start, end) as { chunk_start: number; bar_count: number }[];
    const parts = chunks.map((c) => this.chunk(row, c.chunk_start));
    const total = parts.reduce((sum, p) => sum + p.time.length, 0);
    const bars = allocateBars(row.symbol, timeframe, total);
    let at = 0;
    for (const part of parts) {
      for (const f of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
        bars[f].set(part[f], at);
      at += part.time.length;
    }
    return sliceByTime(bars, start, end);
  }

  private chunk(row: SeriesRow, chunkStart: number): Bars {
    const key = `${row.symbol}/${row.timeframe}/${chunkStart}/${row.etag}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const { data } = this.db
      .prepare(
        'SELECT data FROM series_chunks WHERE symbol = ? AND timeframe = ? AND chunk_start = ?',
      )
      .get(row.symbol, row.timeframe, chunkStart) as { data: Buffer };
    const bars = decodeChunk(data, row.symbol, row.timeframe);
    this.cache.set(key, bars);
    this.cacheBytes += bars.time.length * 48;
    const limit = this.options.cacheBytes ?? 256 * 1024 ** 2;
    for (const [k, v] of this.cache) {
      if (this.cacheBytes <= limit || k === key) break;
      this.cache.delete(k);
      this.cacheBytes -= v.time.length * 48;
    }
    return bars;
  }

  /** Bars in `[start, end]` (inclusive, epoch ms), resampled when the timeframe is not stored. */
  range(symbol: string, timeframe: Timeframe, start = -8.64e15, end = 8.64e15): Bars | undefined {
    const resolved = this.resolve(symbol, timeframe);
    if (!resolved) return undefined;
    if (resolved.source === timeframe) return this.readStored(symbol, timeframe, start, end);
    // widen to whole buckets so the first and last bucket are complete
    const size = TIMEFRAME_MS[timeframe];
    const from = Math.floor(start / size) * size;
    const finer = this.readStored(
      symbol,
      resolved.source,
      from,
      end === 8.64e15 ? end : Math.floor(end / size) * size + size - 1,
    );
    return sliceByTime(resample(finer, timeframe), start, end);
  }

  /** How many bars `range()` would return. */
  countInRange(symbol: string, timeframe: Timeframe, start: number, end: number): number {
    const resolved = this.resolve(symbol, timeframe);
    if (!resolved) return 0;
    if (resolved.source !== timeframe)
      return this.range(symbol, timeframe, start, end)?.time.length ?? 0;
    const row = this.row(symbol, timeframe) as SeriesRow;
    if (end < row.first_time || start > row.last_time) return 0;
    const key = `${row.etag}\0${timeframe}\0${start}\0${end}`;
    const known = this.rangeCounts.get(key);
    if (known !== undefined) return known;
    // counted chunk by chunk from the decoded-chunk cache: a start request copies no bars
    const chunks = this.db
      .prepare(
        'SELECT chunk_start FROM series_chunks WHERE symbol = ? AND timeframe = ? AND last_time >= ? AND first_time <= ? ORDER BY chunk_start',
      )
      .all(row.symbol, timeframe, start, end) as { chunk_start: number }[];
    let count = 0;
    for (const c of chunks) {
      const time = this.chunk(row, c.chunk_start).time;
      count += lowerBound(time, end + 1) - lowerBound(time, start);
    }
    // a trader's runs reuse a few ranges; a script sweeping start dates must not grow it
    if (this.rangeCounts.size >= 1024) this.rangeCounts.clear();
    this.rangeCounts.set(key, count);
    return count;
  }

  /**
   * Stores bars: `replace` swaps the series, `merge` adds them to what is there (a bar at
   * a time already stored replaces it). One transaction: all or nothing.
   */
  put(input: Bars, mode: ImportMode = 'merge'): SeriesSummary & { bars_written: number } {
    const symbol = SeriesStore.normalize(input.symbol);
    const incoming: Bars = { ...input, symbol };
    const existing =
      mode === 'merge' && this.row(symbol, input.timeframe)
        ? this.readStored(symbol, input.timeframe, -8.64e15, 8.64e15)
        : undefined;
    const bars = existing ? mergeBars(existing, incoming) : incoming;
    const n = bars.time.length;
    const etag = contentEtag(bars);
    const insert = this.db.prepare(
      'INSERT INTO series_chunks (symbol, timeframe, chunk_start, first_time, last_time, bar_count, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      // whatever the outcome, the catalogue rows are read afresh
      this.rows.clear();
      this.db
        .prepare('DELETE FROM series_chunks WHERE symbol = ? AND timeframe = ?')
        .run(symbol, bars.timeframe);
      for (let from = 0; from < n; from += this.chunkBars) {
        const to = Math.min(n, from + this.chunkBars);
        insert.run(
          symbol,
          bars.timeframe,
          from,
          bars.time[from],
          bars.time[to - 1],
          to - from,
          encodeChunk(bars, from, to),
        );
      }
      this.db
        .prepare(
          `INSERT INTO series (symbol, timeframe, first_time, last_time, bar_count, etag, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (symbol, timeframe) DO UPDATE SET first_time = excluded.first_time, last_time = excluded.last_time,
             bar_count = excluded.bar_count, etag = excluded.etag, updated_at = excluded.updated_at`,
        )
        .run(
          symbol,
          bars.timeframe,
          bars.time[0],
          bars.time[n - 1],
          n,
          etag,
          new Date().toISOString(),
        );
    })();
    return {
      symbol,
      timeframe: bars.timeframe,
      first_bar: new Date(bars.time[0] as number).toISOString(),
      last_bar: new Date(bars.time[n - 1] as number).toISOString(),
      bar_count: n,
      etag,
      bars_written: input.time.length,
    };
  }

  /** Imports every bundled `<SYMBOL>-<timeframe>.csv` of a folder that is not stored yet. */
  seed(dir: string): void {
    for (const file of readdirSync(dir)) {
      const match = /^([A-Za-z0-9._^=]+)-(\w+)\.csv$/.exec(file);
      if (!match || !(TIMEFRAMES as readonly string[]).includes(match[2] as string)) continue;
      const timeframe = match[2] as Timeframe;
      if (this.row(match[1] as string, timeframe)) continue;
      this.put(
        parseBarsCsv(
          readFileSync(join(dir, file), 'utf8'),
          SeriesStore.normalize(match[1] as string),
          timeframe,
        ),
        'replace',
      );
    }
  }

  /** The columnar JSON body of bars. */
  columnarJson(bars: Bars): string {
    return JSON.stringify(barsToColumnar(bars));
  }

  /** Human list of stored series for error messages, e.g. `SP500 1d`. */
  describe(): string {
    return (
      this.list()
        .map((s) => `${s.symbol} ${s.timeframe}`)
        .join(', ') || 'none'
    );
  }
}
