import { TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '@ktrdr/shared';
import { allocateBars, compactBars, type Bars } from './bars.js';

/** True when bars of `from` can be aggregated into bars of `to` (coarser, a whole multiple). */
export function canResample(from: Timeframe, to: Timeframe): boolean {
  const a = TIMEFRAME_MS[from];
  const b = TIMEFRAME_MS[to];
  return b > a && b % a === 0;
}

/** Finer timeframes that could be resampled to `to`, finest last (coarsest first: fewer bars to aggregate). */
export function resampleSources(to: Timeframe): Timeframe[] {
  return TIMEFRAMES.filter((tf) => canResample(tf, to)).reverse();
}

/**
 * Aggregates bars into a coarser timeframe: buckets aligned to UTC multiples of the
 * target size (daily bars at 00:00 UTC), open of the first bar, high/low over the
 * bucket, close of the last, volumes summed. A bucket is stamped with its start time.
 */
export function resample(bars: Bars, to: Timeframe): Bars {
  if (bars.timeframe === to) return bars;
  if (!canResample(bars.timeframe, to)) {
    throw new Error(
      `cannot resample ${bars.timeframe} bars to ${to}: the target must be coarser and a whole multiple`,
    );
  }
  const size = TIMEFRAME_MS[to];
  const n = bars.time.length;
  const out = allocateBars(bars.symbol, to, n);
  let m = -1;
  let bucket = Number.NaN;
  for (let i = 0; i < n; i++) {
    const t = bars.time[i] as number;
    const start = Math.floor(t / size) * size;
    if (start !== bucket) {
      m++;
      bucket = start;
      out.time[m] = start;
      out.open[m] = bars.open[i] as number;
      out.high[m] = bars.high[i] as number;
      out.low[m] = bars.low[i] as number;
      out.volume[m] = 0;
    } else {
      if ((bars.high[i] as number) > (out.high[m] as number)) out.high[m] = bars.high[i] as number;
      if ((bars.low[i] as number) < (out.low[m] as number)) out.low[m] = bars.low[i] as number;
    }
    out.close[m] = bars.close[i] as number;
    out.volume[m] = (out.volume[m] as number) + (bars.volume[i] as number);
  }
  return compactBars(out, m + 1);
}
