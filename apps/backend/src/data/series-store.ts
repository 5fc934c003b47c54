import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  barsToColumnar,
  lowerBound,
  parseBarsCsv,
  sliceByTime,
  type Bars,
} from '@ktrdr/engine/data';
import { TIMEFRAMES, type SeriesSummary, type Timeframe } from '@ktrdr/shared';

interface StoredSeries {
  bars: Bars;
  etag: string;
}

function seriesEtag(bars: Bars): string {
  const hash = createHash('sha256');
  for (const column of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex').slice(0, 20);
}

/**
 * The market data the backend serves to workers. This first cut holds the bundled
 * series in memory (loaded from `assets/data/<SYMBOL>-<timeframe>.csv`); the data issue
 * moves storage into SQLite chunks behind the same methods.
 */
export class SeriesStore {
  private readonly series = new Map<string, StoredSeries>();

  private static key(symbol: string, timeframe: string): string {
    return `${symbol.toUpperCase()}/${timeframe}`;
  }

  /** Loads every `<SYMBOL>-<timeframe>.csv` of a folder. */
  loadFolder(dir: string): void {
    for (const file of readdirSync(dir)) {
      const match = /^([A-Za-z0-9._^=]+)-(\w+)\.csv$/.exec(file);
      if (!match || !(TIMEFRAMES as readonly string[]).includes(match[2] as string)) continue;
      const symbol = (match[1] as string).toUpperCase();
      this.put(parseBarsCsv(readFileSync(join(dir, file), 'utf8'), symbol, match[2] as Timeframe));
    }
  }

  /** Stores (replaces) a series. */
  put(bars: Bars): void {
    this.series.set(SeriesStore.key(bars.symbol, bars.timeframe), { bars, etag: seriesEtag(bars) });
  }

  /** Every stored series. */
  list(): SeriesSummary[] {
    return [...this.series.values()].map(({ bars, etag }) => ({
      symbol: bars.symbol,
      timeframe: bars.timeframe,
      first_bar: new Date(bars.time[0] ?? 0).toISOString(),
      last_bar: new Date(bars.time[bars.time.length - 1] ?? 0).toISOString(),
      bar_count: bars.time.length,
      etag,
    }));
  }

  /** A stored series, or undefined. */
  get(symbol: string, timeframe: string): StoredSeries | undefined {
    return this.series.get(SeriesStore.key(symbol, timeframe));
  }

  /** Bars in `[start, end]` of a stored series. */
  range(symbol: string, timeframe: string, start?: number, end?: number): Bars | undefined {
    const stored = this.get(symbol, timeframe);
    return stored ? sliceByTime(stored.bars, start, end) : undefined;
  }

  /** How many bars fall in `[start, end]`. */
  countInRange(symbol: string, timeframe: string, start: number, end: number): number {
    const stored = this.get(symbol, timeframe);
    if (!stored) return 0;
    return lowerBound(stored.bars.time, end + 1) - lowerBound(stored.bars.time, start);
  }

  /** The columnar JSON body of a range. */
  columnarJson(bars: Bars): string {
    return JSON.stringify(barsToColumnar(bars));
  }

  /** Human list of stored series for error messages, e.g. `SP500 1d`. */
  describe(): string {
    return (
      [...this.series.values()].map(({ bars }) => `${bars.symbol} ${bars.timeframe}`).join(', ') ||
      'none'
    );
  }
}
