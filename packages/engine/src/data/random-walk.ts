import { TIMEFRAME_MS, type Timeframe } from '@ktrdr/shared';
import { allocateBars, type Bars } from './bars.js';

/** A small, fast, seedable PRNG (mulberry32): the same seed always gives the same stream. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link randomWalkBars}. */
export interface RandomWalkOptions {
  seed: number;
  count: number;
  symbol?: string;
  timeframe?: Timeframe;
  /** First bar's open time, epoch ms (default 2020-01-01). */
  startTime?: number;
  startPrice?: number;
  /** Per-bar volatility of log returns (default 0.01). */
  volatility?: number;
  /** Per-bar drift of log returns (default 0.0002). */
  drift?: number;
}

/**
 * Seeded geometric random-walk OHLCV bars for tests and benchmarks: deterministic,
 * positive prices, high ≥ max(open, close), low ≤ min(open, close).
 */
export function randomWalkBars(options: RandomWalkOptions): Bars {
  const timeframe = options.timeframe ?? '1m';
  const step = TIMEFRAME_MS[timeframe];
  const bars = allocateBars(options.symbol ?? 'RANDOM', timeframe, options.count);
  const random = seededRandom(options.seed);
  const vol = options.volatility ?? 0.01;
  const drift = options.drift ?? 0.0002;
  let t = options.startTime ?? Date.UTC(2020, 0, 1);
  let price = options.startPrice ?? 100;
  for (let i = 0; i < options.count; i++) {
    // Box–Muller from two uniforms
    const u1 = Math.max(random(), 1e-12);
    const u2 = random();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const open = price;
    const close = open * Math.exp(drift + vol * z);
    const wiggle = open * vol * 0.5;
    bars.time[i] = t;
    bars.open[i] = open;
    bars.close[i] = close;
    bars.high[i] = Math.max(open, close) + wiggle * random();
    bars.low[i] = Math.max(1e-9, Math.min(open, close) - wiggle * random());
    bars.volume[i] = Math.floor(1e6 + random() * 9e6);
    price = close;
    t += step;
  }
  return bars;
}
