/**
 * Candles for the result page's price chart. A browser draws 10,000 candles smoothly; a
 * longer range is shown as wider candles, each aggregating the same number of
 * neighbouring bars. The worker samples the strategy's indicator series with the same
 * buckets ({@link sampleAtCandles}), so both line up candle for candle.
 */

/** The most candles the result page draws; above it, neighbouring bars are aggregated. */
export const MAX_CANDLES = 10_000;

/** Columnar bars as the data API serves them (times in epoch ms). */
export interface CandleColumns {
  time: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
}

/** One candle; `time` is its first bar's (epoch ms). */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** How many bars each candle holds for `bars` bars: 1 up to `max`, else ⌈bars / max⌉. */
export function barsPerCandle(bars: number, max: number = MAX_CANDLES): number {
  if (!Number.isInteger(max) || max < 1)
    throw new Error(`max must be a positive integer, not ${max}`);
  return bars <= max ? 1 : Math.ceil(bars / max);
}

/**
 * The bars as candles of `perCandle` bars each (the last one may hold fewer): the first
 * bar's time and open, the highest high, the lowest low and the last bar's close.
 */
export function aggregateCandles(bars: CandleColumns, perCandle: number): Candle[] {
  if (!Number.isInteger(perCandle) || perCandle < 1)
    throw new Error(`perCandle must be a positive integer, not ${perCandle}`);
  const n = bars.time.length;
  const candles: Candle[] = [];
  for (let from = 0; from < n; from += perCandle) {
    const to = Math.min(n, from + perCandle);
    let high = -Infinity;
    let low = Infinity;
    for (let i = from; i < to; i++) {
      high = Math.max(high, bars.high[i] as number);
      low = Math.min(low, bars.low[i] as number);
    }
    candles.push({
      time: bars.time[from] as number,
      open: bars.open[from] as number,
      high,
      low,
      close: bars.close[to - 1] as number,
    });
  }
  return candles;
}

/**
 * A per-bar series sampled at the candles of {@link aggregateCandles}: each candle's time
 * and the value at its last bar (what the series read when the candle closed); `NaN`
 * (an indicator's warm-up) becomes `null`, which JSON can carry.
 */
export function sampleAtCandles(
  time: ArrayLike<number>,
  values: ArrayLike<number>,
  perCandle: number,
): { time: number[]; value: (number | null)[] } {
  const out: { time: number[]; value: (number | null)[] } = { time: [], value: [] };
  const n = time.length;
  for (let from = 0; from < n; from += perCandle) {
    const v = values[Math.min(n, from + perCandle) - 1] as number;
    out.time.push(time[from] as number);
    out.value.push(Number.isFinite(v) ? v : null);
  }
  return out;
}

/**
 * The candle a time falls in: the latest candle time at or before `t` (the first candle
 * for a time before them all), found by bisection in the ascending `times`.
 */
export function candleTimeOf(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  if (hi < 0) return t;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((times[mid] as number) <= t) lo = mid;
    else hi = mid - 1;
  }
  return times[lo] as number;
}
