import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndicatorSpec, RulesStrategyConfig } from '@ktrdr/shared';
import {
  computeSignals,
  fullResultChunks,
  IndicatorCache,
  INDICATORS,
  parseRulesStrategy,
  randomWalkBars,
  runBacktest,
  runSignals,
  toBacktestResult,
  type Bars,
} from '../src/index.js';
import { BUNDLED_RULES, bundledSp500, bundledStrategy } from './bundled.js';
import { MORE_RULES as GOLDEN_MORE_RULES } from './golden-cases.js';
import { gridBars } from './grid-bars.js';

/** The index and both values of the first element that differs bit for bit, or null. */
function firstDifference(a: Float64Array, b: Float64Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) return `at ${i}: kernel ${a[i]}, trading-signals ${b[i]}`;
  return null;
}

/** Parameters to try per type, `long` standing for one more bar than the series has. */
function specsFor(length: number): IndicatorSpec[] {
  const long = length + 1;
  const periods = [1, 2, 3, 7, 14, 20, 50, 200, long];
  const specs: IndicatorSpec[] = [];
  for (const type of ['sma', 'ema', 'rsi', 'roc', 'atr', 'williams_r'] as const)
    for (const period of periods) specs.push({ type, period });
  specs.push(
    { type: 'sma', period: 10, source: 'open' },
    { type: 'ema', period: 9, source: 'volume' },
  );
  for (const [fast, slow, signal] of [
    [1, 2, 1],
    [12, 26, 9],
    [3, 10, 5],
    [5, long, 3],
    [2, 5, long],
  ] as const)
    specs.push({ type: 'macd', fast, slow, signal });
  for (const period of [2, 3, 20, 50, long])
    for (const stddev of [0.5, 2, 2.5]) specs.push({ type: 'bollinger', period, stddev });
  for (const [k_period, d_period, smoothing] of [
    [1, 1, 1],
    [14, 3, 1],
    [5, 3, 3],
    [3, long, 2],
    [long, 3, 1],
  ] as const)
    specs.push({ type: 'stochastic', k_period, d_period, smoothing });
  specs.push({ type: 'adx', period: 14 });
  return specs;
}

function assertKernelsEqualLibrary(bars: Bars, label: string): void {
  for (const spec of specsFor(bars.time.length)) {
    const definition = INDICATORS[spec.type];
    const kernel = definition.compute(spec, bars);
    const reference = definition.reference(spec, bars);
    assert.deepEqual(Object.keys(kernel), Object.keys(reference));
    // outputs in lent arrays (left over from other use, here garbage) are the same values
    const lent = definition.compute(spec, bars, (n) => new Float64Array(n).fill(-1234.5));
    for (const output of definition.outputs) {
      const difference = firstDifference(kernel[output]!, reference[output]!);
      assert.equal(difference, null, `${label}, ${JSON.stringify(spec)} .${output} ${difference}`);
      const fromLent = firstDifference(lent[output]!, kernel[output]!);
      assert.equal(fromLent, null, `${label}, ${JSON.stringify(spec)} .${output} lent ${fromLent}`);
    }
  }
}

describe('batch indicator kernels equal trading-signals bit for bit', () => {
  it('over random walks of several lengths, every parameter edge included', () => {
    for (const count of [0, 1, 2, 5, 30, 257, 3000])
      for (const seed of [1, 2])
        assertKernelsEqualLibrary(
          randomWalkBars({ seed, count, timeframe: '5m' }),
          `${count} bars, seed ${seed}`,
        );
  });

  it('over prices on a coarse grid (flat windows, unchanged closes)', () => {
    for (const count of [40, 2000])
      assertKernelsEqualLibrary(gridBars(count, 3, 2), `grid ${count}`);
  });

  it('over the bundled S&P 500 series', () => {
    assertKernelsEqualLibrary(bundledSp500(), 'S&P 500');
  });
});

/** The benchmark's three-indicator strategy and the others of the golden cases. */
const MORE_RULES: RulesStrategyConfig[] = GOLDEN_MORE_RULES.map((raw) => parseRulesStrategy(raw));

describe('results with the kernels are those of trading-signals, byte for byte', () => {
  const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };
  const fullJson = (bars: Bars, strategy: RulesStrategyConfig, cache?: IndicatorCache) =>
    [
      ...fullResultChunks(runSignals(bars, computeSignals(strategy, bars, cache), strategy, money)),
    ].join('');

  it('the bundled strategies on the bundled S&P 500: full and display results', () => {
    const bars = bundledSp500();
    const strategies = [...BUNDLED_RULES.map(bundledStrategy), ...MORE_RULES];
    for (const strategy of strategies) {
      const reference = new IndicatorCache(bars, { reference: true });
      const kernels = fullJson(bars, strategy);
      assert.equal(kernels, fullJson(bars, strategy, reference), strategy.name);
      assert.ok(JSON.parse(kernels).trades.length > 0, `${strategy.name} trades`);
      const viaLibrary = runSignals(
        bars,
        computeSignals(strategy, bars, reference),
        strategy,
        money,
      );
      assert.equal(
        JSON.stringify(toBacktestResult(runBacktest(bars, strategy, money))),
        JSON.stringify(toBacktestResult(viaLibrary)),
        strategy.name,
      );
    }
  });

  it('the same strategies on a random walk', () => {
    const bars = randomWalkBars({ seed: 9, count: 20_000, timeframe: '15m' });
    for (const strategy of [...BUNDLED_RULES.map(bundledStrategy), ...MORE_RULES])
      assert.equal(
        fullJson(bars, strategy),
        fullJson(bars, strategy, new IndicatorCache(bars, { reference: true })),
        strategy.name,
      );
  });
});
