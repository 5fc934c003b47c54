import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RulesStrategyConfig } from '@ktrdr/shared';
import {
  computeSignals,
  IndicatorCache,
  parseRulesStrategy,
  randomWalkBars,
  runSignals,
  type Bars,
} from '../src/index.js';
import { smaKernel } from '../src/indicators/kernels.js';
import { ABOVE, BELOW, EQUAL, smaRelation } from '../src/indicators/sma-relation.js';
import { bundledSp500 } from './bundled.js';
import { gridBars as grid } from './grid-bars.js';

/** Prices on a grid of `step`: flat stretches where two SMAs are exactly equal, or nearly. */
const gridBars = (count: number, seed: number, step: number) => grid(count, seed, step, 0.002);

/** The relation of the exact series, bar by bar, as {@link smaRelation} encodes it. */
function exactRelation(x: Float64Array, p: number, y: Float64Array, q: number): number[] {
  const a = smaKernel(x, p);
  const b = smaKernel(y, q);
  return Array.from(a, (v, i) => {
    const w = b[i] as number;
    return v > w ? ABOVE : v < w ? BELOW : v === w ? EQUAL : 0;
  });
}

/** {@link smaRelation}'s runs, spelled out bar by bar. */
function perBar(x: Float64Array, p: number, y: Float64Array, q: number): number[] {
  const runs = smaRelation(x, p, y, q);
  assert.ok(runs);
  const out = new Array<number>(x.length);
  runs.starts.forEach((from, r) =>
    out.fill(runs.codes[r] as number, from, runs.starts[r + 1] ?? x.length),
  );
  return out;
}

const SERIES: [string, Bars][] = [
  ['random walk', randomWalkBars({ seed: 3, count: 20_000, timeframe: '1m' })],
  ['a random walk that drifts far', randomWalkBars({ seed: 8, count: 30_000, drift: 0.003 })],
  ['grid prices (ties)', gridBars(20_000, 5, 0.5)],
  ['a coarse grid (long flat stretches)', gridBars(20_000, 6, 4)],
  ['the S&P 500', bundledSp500()],
];

const PAIRS: [number, number][] = [
  [1, 2],
  [2, 2],
  [3, 7],
  [5, 10],
  [20, 50],
  [50, 20],
  [10, 200],
];

describe('SMA relation from running sums', () => {
  it('compares two SMAs on every bar exactly as their exact series do', () => {
    let ties = 0;
    for (const [label, bars] of SERIES)
      for (const [p, q] of PAIRS) {
        const expected = exactRelation(bars.close, p, bars.close, q);
        ties += expected.filter((code) => code === EQUAL).length;
        assert.deepEqual(perBar(bars.close, p, bars.close, q), expected, `${label} ${p}/${q}`);
        const other = exactRelation(bars.close, p, bars.open, q);
        assert.deepEqual(perBar(bars.close, p, bars.open, q), other, `${label} ${p}/${q} open`);
      }
    // equal means are decided only by re-summing: the exact fallback ran
    assert.ok(ties > 1000, `${ties} ties`);
  });

  it('is exact where the running sums cannot decide (equal and nearly equal windows)', () => {
    // a pattern of period 10 repeats: SMA(10), SMA(20) and SMA(50) of it are equal in exact
    // arithmetic, and their floating-point values differ only by roundings
    const x = Float64Array.from(
      { length: 5_000 },
      (_, i) => [0.1, 0.7, 3.3, 1e-3, 9.9][i % 5]! + (i % 10 === 3 ? 0.2 : 0),
    );
    for (const [p, q] of [
      [10, 20],
      [20, 50],
      [10, 50],
    ] as const) {
      const expected = exactRelation(x, p, x, q);
      assert.deepEqual(perBar(x, p, x, q), expected, `${p}/${q}`);
    }
  });

  it('declines series it has no bounds for (negative, NaN, infinite values)', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const x = Float64Array.from({ length: 100 }, (_, i) => (i === 60 ? bad : 100 + i));
      assert.equal(smaRelation(x, 3, x, 7), undefined, String(bad));
    }
  });
});

const strategies: RulesStrategyConfig[] = [
  [20, 50],
  [5, 30],
  [2, 3],
].flatMap(([fast, slow]) => [
  parseRulesStrategy({
    name: `sma_${fast}_${slow}`,
    type: 'rules',
    indicators: { fast: { type: 'sma', period: fast }, slow: { type: 'sma', period: slow } },
    entry: { long: { crosses_above: ['fast', 'slow'] } },
    exit: { long: { crosses_below: ['fast', 'slow'] } },
  }),
  parseRulesStrategy({
    name: `sma_both_ways_${fast}_${slow}`,
    type: 'rules',
    indicators: {
      fast: { type: 'sma', period: fast, source: 'open' },
      slow: { type: 'sma', period: slow },
      rsi: { type: 'rsi', period: 14 },
    },
    entry: {
      long: { all: [{ greater_than: ['fast.value', 'slow'] }, { less_than: ['rsi', 60] }] },
      short: { crosses_above: ['slow', 'fast'] },
    },
    exit: {
      long: { less_than: ['fast', 'slow'] },
      short: { any: [{ crosses_below: ['slow', 'fast'] }, { greater_than: ['rsi', 70] }] },
    },
    risk: { stop_loss: 0.03 },
  }),
]);

describe('signals without computing the SMAs', () => {
  it('give the trades and metrics of the library-driven run (trading-signals), bit for bit', () => {
    const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };
    for (const [label, bars] of SERIES)
      for (const strategy of strategies) {
        const fast = computeSignals(strategy, bars);
        const library = computeSignals(
          strategy,
          bars,
          new IndicatorCache(bars, { reference: true }),
        );
        assert.deepEqual(fast, library, `${label} ${strategy.name} signals`);
        const a = runSignals(bars, fast, strategy, money);
        const b = runSignals(bars, library, strategy, money);
        assert.deepEqual(
          { trades: a.trades, metrics: a.metrics, benchmark: a.benchmark },
          { trades: b.trades, metrics: b.metrics, benchmark: b.benchmark },
          `${label} ${strategy.name}`,
        );
        assert.ok(
          a.trades.length > 0 || bars.time.length < 100,
          `${label} ${strategy.name} trades`,
        );
      }
  });
});
