import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RulesStrategyConfig } from '@ktrdr/shared';
import {
  computeSignals,
  parseRulesStrategy,
  randomWalkBars,
  runSignals,
  type BacktestOutput,
  type Bars,
} from '../src/index.js';
import { BUNDLED_RULES, bundledSp500, bundledStrategy } from './bundled.js';
import { MORE_RULES } from './golden-cases.js';
import { gridBars } from './grid-bars.js';

/**
 * The bar loop fills flat stretches and marks held ones in loops of their own
 * (src/backtest/flat.ts, held.ts), which also stream the prices and stop at a NaN one.
 * A tick on every bar leaves no stretch to skip: every bar goes through the loop's full
 * body. Both must give the same run, bit for bit.
 */

const STRATEGIES: RulesStrategyConfig[] = [
  ...BUNDLED_RULES.map((name) => bundledStrategy(name)),
  ...MORE_RULES.map((raw) => parseRulesStrategy(raw)),
];

const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };

const bytes = (values: Float64Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength);

/** `bars` with NaN prices at a few bars (one field each), as parsing would refuse them. */
function withNaNPrices(bars: Bars, every: number): Bars {
  const copy = {
    ...bars,
    open: bars.open.slice(),
    high: bars.high.slice(),
    low: bars.low.slice(),
    close: bars.close.slice(),
  };
  const fields = [copy.open, copy.high, copy.low, copy.close];
  for (let i = every, k = 0; i < bars.time.length; i += every, k++)
    (fields[k % fields.length] as Float64Array)[i] = Number.NaN;
  return copy;
}

function assertSameRun(a: BacktestOutput, b: BacktestOutput, label: string): void {
  assert.ok(bytes(a.equity).equals(bytes(b.equity)), `${label}: equity`);
  assert.ok(bytes(a.drawdown).equals(bytes(b.drawdown)), `${label}: drawdown`);
  assert.deepEqual(a.trades, b.trades, `${label}: trades`);
  assert.deepEqual(a.metrics, b.metrics, `${label}: metrics`);
  assert.deepEqual(a.benchmark, b.benchmark, `${label}: benchmark`);
  assert.equal(a.finalEquity, b.finalEquity, `${label}: final equity`);
  assert.equal(a.skippedEntries, b.skippedEntries, `${label}: skipped entries`);
  assert.equal(a.ruinTime, b.ruinTime, `${label}: ruin`);
}

describe('quiet stretches of the bar loop', () => {
  const series: [string, Bars][] = [
    ['random walk, 20,000 bars', randomWalkBars({ seed: 7, count: 20_000, timeframe: '1m' })],
    ['the S&P 500', bundledSp500()],
    ['grid prices', gridBars(3_000, 5, 0.5)],
    [
      'random walk with NaN prices',
      withNaNPrices(randomWalkBars({ seed: 3, count: 20_000, timeframe: '1m' }), 97),
    ],
    ['the S&P 500 with NaN prices', withNaNPrices(bundledSp500(), 41)],
  ];

  it('give the run of the full body on every bar, full and metrics-only', () => {
    for (const [name, bars] of series) {
      for (const strategy of STRATEGIES) {
        const label = `${name}, ${strategy.name}`;
        const signals = computeSignals(strategy, bars);
        const stretched = runSignals(bars, signals, strategy, money);
        const everyBar = runSignals(bars, signals, strategy, money, {
          tickEvery: 1,
          onTick: () => {},
        });
        assertSameRun(stretched, everyBar, label);
        const summary = runSignals(bars, signals, strategy, money, { detail: 'metrics' });
        const summaryEveryBar = runSignals(bars, signals, strategy, money, {
          detail: 'metrics',
          tickEvery: 1,
          onTick: () => {},
        });
        assert.deepEqual(summary.metrics, stretched.metrics, `${label}: metrics-only`);
        assert.deepEqual(summaryEveryBar, summary, `${label}: metrics-only, every bar`);
      }
    }
  });
});
