import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRulesStrategy, randomWalkBars, runBacktest, type Bars } from '../src/index.js';
import { equityStats, type EquityStats } from '../src/backtest/equity-stats.js';
import { ReturnSumsFeed } from '../src/backtest/return-sums.js';
import { BUNDLED_RULES, bundledSp500, bundledStrategy } from './bundled.js';

/**
 * The sums as the metrics and the benchmark computed them before they shared two passes:
 * the returns written out first, then each figure's own passes over them. `equityStats`
 * must give every one of these bit for bit (`Object.is`: the same double, sign included).
 */
function separatePasses(
  equity: Float64Array,
  close: Float64Array,
): EquityStats & { meanS: number } {
  const n = equity.length;
  const returns = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const previous = equity[i - 1] as number;
    returns[i] = previous > 0 ? (equity[i] as number) / previous - 1 : 0;
  }
  // the metrics: sums and drawdowns, then the variance
  const first = equity[0] ?? 0;
  let sum = 0;
  let downsideSq = 0;
  let peak = first;
  let maxDrawdown = 0;
  let underwaterSince = -1;
  let maxDuration = 0;
  for (let i = 0; i < n; i++) {
    const e = equity[i] as number;
    if (i > 0) {
      const r = returns[i] as number;
      sum += r;
      const down = (r - Math.abs(r)) * 0.5;
      downsideSq += down * down;
    }
    if (e >= peak) {
      peak = e;
      underwaterSince = -1;
    } else {
      if (underwaterSince < 0) underwaterSince = i;
      maxDuration = Math.max(maxDuration, i - underwaterSince + 1);
      maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
    }
  }
  const count = Math.max(0, n - 1);
  const mean = count > 0 ? sum / count : 0;
  let varianceSum = 0;
  for (let i = 1; i < n; i++) varianceSum += ((returns[i] as number) - mean) ** 2;
  // the benchmark: both means, then the covariance and its variance
  const benchmarkReturn = (i: number) => {
    const previous = close[i - 1] as number;
    return previous > 0 ? (close[i] as number) / previous - 1 : 0;
  };
  let meanS = 0;
  let meanB = 0;
  let steps = 0;
  for (let i = 1; i < n; i++) {
    meanS += returns[i] as number;
    meanB += benchmarkReturn(i);
    steps++;
  }
  if (steps > 0) {
    meanS /= steps;
    meanB /= steps;
  }
  let cov = 0;
  let varB = 0;
  for (let i = 1; i < n; i++) {
    const b = benchmarkReturn(i) - meanB;
    cov += ((returns[i] as number) - meanS) * b;
    varB += b * b;
  }
  return {
    count,
    mean,
    varianceSum,
    downsideSq,
    maxDrawdown,
    maxDrawdownDuration: maxDuration,
    benchmark: { mean: meanB, covariance: cov, varianceSum: varB },
    meanS,
  };
}

/**
 * The first pass as the bar loop takes it: every stretch of equal equity (the cash of a flat
 * position) with `takeFlat`, the bars between by `take` in pieces, the last bar left for
 * `finish` (where a run's end may still change it).
 */
function fedSums(equity: Float64Array, close: Float64Array | undefined) {
  const n = equity.length;
  const feed = new ReturnSumsFeed(equity, close, n - 1);
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && Object.is(equity[j], equity[i])) j++;
    if (j - i > 1) feed.takeFlat(i, j, equity[i] as number);
    else feed.take(i % 3 === 0 ? j : i);
    i = j;
  }
  return feed.finish();
}

/** Every field the same double (`Object.is`), with and without the closes, taken whole or fed. */
function assertSameSums(equity: Float64Array, close: Float64Array, what: string): void {
  assertSameStats(equity, close, what, equityStats(equity, close), equityStats(equity));
  assertSameStats(
    equity,
    close,
    `${what}, fed`,
    equityStats(equity, close, fedSums(equity, close)),
    equityStats(equity, undefined, fedSums(equity, undefined)),
  );
}

function assertSameStats(
  equity: Float64Array,
  close: Float64Array,
  what: string,
  withClose: EquityStats,
  alone: EquityStats,
): void {
  const reference = separatePasses(equity, close);
  const fields = [
    'count',
    'mean',
    'varianceSum',
    'downsideSq',
    'maxDrawdown',
    'maxDrawdownDuration',
  ] as const;
  for (const field of fields) {
    assert.ok(Object.is(withClose[field], reference[field]), `${what}: ${field} (with closes)`);
    assert.ok(Object.is(alone[field], reference[field]), `${what}: ${field} (equity alone)`);
  }
  // the benchmark's mean of the strategy's returns was its own sum: the same one
  assert.ok(Object.is(reference.meanS, reference.mean), `${what}: the two means`);
  for (const field of ['mean', 'covariance', 'varianceSum'] as const)
    assert.ok(
      Object.is(withClose.benchmark?.[field], reference.benchmark?.[field]),
      `${what}: benchmark ${field}`,
    );
  assert.equal(alone.benchmark, undefined);
}

/** A seeded equity path: random steps, flat stretches, and with `ruinAt` zeros from there. */
function equityPath(n: number, seed: number, ruinAt = -1): Float64Array {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const equity = new Float64Array(n);
  let value = 100_000;
  for (let i = 0; i < n; i++) {
    // flat about half the time, as a long-only strategy is out of the market
    if (random() < 0.5) value *= 1 + (random() - 0.5) * 0.02;
    equity[i] = ruinAt >= 0 && i >= ruinAt ? 0 : value;
  }
  return equity;
}

describe('equity stats: the metrics’ and benchmark’s sums in two shared passes', () => {
  it('equals the separate passes bit for bit on random equity paths, ruined or not', () => {
    const bars = randomWalkBars({ seed: 7, count: 20_000, timeframe: '1m' });
    for (let seed = 1; seed <= 20; seed++) {
      const n = [0, 1, 2, 3, 100, 20_000][seed % 6] as number;
      const close = bars.close.subarray(0, n);
      assertSameSums(equityPath(n, seed), close, `seed ${seed}, ${n} bars`);
      assertSameSums(equityPath(n, seed, n >> 1), close, `seed ${seed}, ${n} bars, ruined`);
    }
  });

  it('equals them where a stretch’s lowest bar does not decide: negative, zero and NaN equity', () => {
    const close = randomWalkBars({ seed: 8, count: 2_000, timeframe: '1m' }).close;
    for (let seed = 1; seed <= 6; seed++) {
      const path = equityPath(2_000, seed);
      // below zero from the start: 1 − e / peak rises with e there
      assertSameSums(
        path.map((e) => -e),
        close,
        `seed ${seed}, negative`,
      );
      // crossing zero: peaks at and above zero, bars below it
      assertSameSums(
        path.map((e) => e - 100_000),
        close,
        `seed ${seed}, around zero`,
      );
      const zeroFirst = path.slice();
      zeroFirst[0] = 0;
      assertSameSums(zeroFirst, close, `seed ${seed}, from zero`);
      const withNaN = path.slice();
      withNaN[700 + seed] = Number.NaN;
      assertSameSums(withNaN, close, `seed ${seed}, a NaN`);
      // flat stretches of NaN and of ±∞ (whose returns are NaN or 0, not the finite 0)
      for (const odd of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const stretch = path.slice();
        stretch.fill(odd, 900 + seed, 960 + seed);
        assertSameSums(stretch, close, `seed ${seed}, a stretch of ${odd}`);
      }
    }
  });

  it('equals them on the equity of real runs (bundled strategies, S&P 500 and random walks)', () => {
    const series: [string, Bars][] = [
      ['SP500', bundledSp500()],
      ['walk', randomWalkBars({ seed: 3, count: 50_000, timeframe: '5m' })],
    ];
    const money = { initialCapital: 10_000, commission: 0.001, slippage: 0.0005 };
    const leveraged = parseRulesStrategy({
      name: 'leveraged',
      type: 'rules',
      indicators: { fast: { type: 'ema', period: 5 }, slow: { type: 'ema', period: 30 } },
      entry: { long: { crosses_above: ['fast', 'slow'] } },
      exit: { long: { crosses_below: ['fast', 'slow'] } },
      risk: { leverage: 3 },
    });
    for (const [name, bars] of series)
      for (const strategy of [...BUNDLED_RULES.map(bundledStrategy), leveraged]) {
        const { equity } = runBacktest(bars, strategy, money);
        assertSameSums(equity, bars.close, `${strategy.name} on ${name}`);
      }
  });
});
