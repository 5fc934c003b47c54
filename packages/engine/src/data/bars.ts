import type { ColumnarBars, Timeframe } from '@ktrdr/shared';

/**
 * OHLCV bars in columnar typed arrays: one `Float64Array` per field, index `i` is bar `i`.
 * Times are epoch ms UTC (bar open time; daily bars at 00:00 UTC). Float64 everywhere
 * because volumes exceed 2³¹ and prices need full precision.
 */
export interface Bars {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** The number of bars. */
export function barCount(bars: Bars): number {
  return bars.time.length;
}

/** Allocates `n` empty bars. */
export function allocateBars(symbol: string, timeframe: Timeframe, n: number): Bars {
  return {
    symbol,
    timeframe,
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** Bars from the columnar JSON of the data API. */
export function barsFromColumnar(json: ColumnarBars): Bars {
  const n = json.time.length;
  for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (json[field].length !== n) {
      throw new Error(
        `columnar bars: "${field}" has ${json[field].length} values but "time" has ${n}`,
      );
    }
  }
  return {
    symbol: json.symbol,
    timeframe: json.timeframe,
    time: Float64Array.from(json.time),
    open: Float64Array.from(json.open),
    high: Float64Array.from(json.high),
    low: Float64Array.from(json.low),
    close: Float64Array.from(json.close),
    volume: Float64Array.from(json.volume),
  };
}

/** Bars → the columnar JSON of the data API. */
export function barsToColumnar(bars: Bars): ColumnarBars {
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: Array.from(bars.time),
    open: Array.from(bars.open),
    high: Array.from(bars.high),
    low: Array.from(bars.low),
    close: Array.from(bars.close),
    volume: Array.from(bars.volume),
  };
}

/** Index of the first bar with `time >= t` (binary search; `n` when there is none). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((time[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The bars with `start <= time <= end` (views, no copy). */
export function sliceByTime(bars: Bars, start = -Infinity, end = Infinity): Bars {
  const from = lowerBound(bars.time, start);
  const to = lowerBound(bars.time, end === Infinity ? Infinity : end + 1);
  return sliceByIndex(bars, from, to);
}

/** Bars `[from, to)` (views, no copy). */
export function sliceByIndex(bars: Bars, from: number, to: number): Bars {
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: bars.time.subarray(from, to),
    open: bars.open.subarray(from, to),
    high: bars.high.subarray(from, to),
    low: bars.low.subarray(from, to),
    close: bars.close.subarray(from, to),
    volume: bars.volume.subarray(from, to),
  };
}

/** The first `n` bars in arrays of exactly that length (a copy out of an over-allocated buffer). */
export function compactBars(bars: Bars, n: number): Bars {
  const head = sliceByIndex(bars, 0, n);
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: head.time.slice(),
    open: head.open.slice(),
    high: head.high.slice(),
    low: head.low.slice(),
    close: head.close.slice(),
    volume: head.volume.slice(),
  };
}
