import type { Bars } from '../data/bars.js';

/**
 * The bars a run is flat through with nothing pending: each one's equity is the cash, its
 * drawdown that of the cash against the peak, the same numbers on every bar of the stretch.
 *
 * Their values need no prices, yet the loops read every bar's open, high, low and close:
 * the bar after such a stretch (an entry's fill) reads all four, and a read the loop waits
 * on from memory (about 0.1 µs, twice a trade) is most of a fill's cost. Read in order here,
 * they are in the cache by then (the hardware prefetcher follows the streams); JavaScript
 * has no prefetch instruction, so the reads must be used: a bar with a NaN price (parsing
 * refuses them) ends the stretch there, and the loop's full body takes that bar instead,
 * which gives it the same values. By the profile this is worth ~10 % of a crossover's loop.
 */

/**
 * Writes `value` to `equity` and `down` to `drawdown` over bars `from` up to `to`, up to
 * the first bar with a NaN price; returns where it stopped.
 */
export function markFlatFull(
  bars: Bars,
  from: number,
  to: number,
  value: number,
  down: number,
  equity: Float64Array,
  drawdown: Float64Array,
): number {
  const { open, high, low, close } = bars;
  let j = from;
  for (; j < to; j++) {
    const prices =
      (open[j] as number) + (high[j] as number) + (low[j] as number) + (close[j] as number);
    if (Number.isNaN(prices)) break;
    equity[j] = value;
    drawdown[j] = down;
  }
  return j;
}

/** {@link markFlatFull} for a metrics-only run: the equity alone. */
export function markFlat(
  bars: Bars,
  from: number,
  to: number,
  value: number,
  equity: Float64Array,
): number {
  const { open, high, low, close } = bars;
  let j = from;
  for (; j < to; j++) {
    const prices =
      (open[j] as number) + (high[j] as number) + (low[j] as number) + (close[j] as number);
    if (Number.isNaN(prices)) break;
    equity[j] = value;
  }
  return j;
}
