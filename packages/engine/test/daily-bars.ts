import { allocateBars, type Bars } from '../src/index.js';

/** One day in ms. */
export const DAY = 86_400_000;

/** Daily bars from 2020-01-01, one per `[open, high, low, close]` row (volume 1). */
export function daily(rows: [open: number, high: number, low: number, close: number][]): Bars {
  const bars = allocateBars('TINY', '1d', rows.length);
  rows.forEach(([o, h, l, c], i) => {
    bars.time[i] = Date.UTC(2020, 0, 1) + i * DAY;
    bars.open[i] = o;
    bars.high[i] = h;
    bars.low[i] = l;
    bars.close[i] = c;
    bars.volume[i] = 1;
  });
  return bars;
}
