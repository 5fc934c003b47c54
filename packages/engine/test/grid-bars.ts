import { allocateBars, randomWalkBars, type Bars } from '../src/index.js';

/**
 * A seeded random walk with every price rounded to a grid of `step`: flat windows, equal
 * closes, exact ties between averages and zero losses, where indicators' edge cases live.
 */
export function gridBars(count: number, seed: number, step: number, volatility?: number): Bars {
  const walk = randomWalkBars({
    seed,
    count,
    timeframe: '1h',
    ...(volatility !== undefined ? { volatility } : {}),
  });
  const bars = allocateBars('GRID', '1h', count);
  const grid = (v: number) => Math.round(v / step) * step;
  for (let i = 0; i < count; i++) {
    bars.time[i] = walk.time[i] as number;
    bars.open[i] = grid(walk.open[i] as number);
    bars.close[i] = grid(walk.close[i] as number);
    bars.high[i] = Math.max(grid(walk.high[i] as number), bars.open[i]!, bars.close[i]!);
    bars.low[i] = Math.min(grid(walk.low[i] as number), bars.open[i]!, bars.close[i]!);
    bars.volume[i] = walk.volume[i] as number;
  }
  return bars;
}
