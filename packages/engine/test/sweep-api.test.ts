import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RulesStrategyConfig } from '@ktrdr/shared';
import {
  computeSignals,
  IndicatorCache,
  indicatorKey,
  parseRulesStrategy,
  randomWalkBars,
  runBacktest,
  runSignals,
  type BacktestSettings,
} from '../src/index.js';
import { IndicatorCache as FromIndicators } from '@ktrdr/engine/indicators';
import { IndicatorCache as FromBacktest } from '@ktrdr/engine/backtest';
import { BUNDLED_RULES, bundledSp500, bundledStrategy } from './bundled.js';
import { daily } from './daily-bars.js';

const money: BacktestSettings = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };

/** A crossover of two SMAs, long and short, as a sweep would vary it. */
const crossover = (fast: number, slow: number, extra: Record<string, unknown> = {}) =>
  parseRulesStrategy({
    name: 'sweep_set',
    type: 'rules',
    indicators: {
      fast: { type: 'sma', period: fast },
      slow: { type: 'sma', period: slow },
      rsi: { type: 'rsi', period: 14 },
    },
    entry: {
      long: { all: [{ crosses_above: ['fast', 'slow'] }, { less_than: ['rsi', 70] }] },
      short: { crosses_below: ['fast', 'slow'] },
    },
    exit: { long: { greater_than: ['rsi', 80] }, short: { less_than: ['rsi', 20] } },
    ...extra,
  });

const SETS: RulesStrategyConfig[] = [
  crossover(5, 20),
  crossover(10, 20),
  crossover(10, 50, { risk: { stop_loss: 0.03 } }),
  crossover(20, 50, { risk: { stop_loss: 0.02, take_profit: 0.05 } }),
  crossover(5, 50, { position: { sizing: 'fixed_units', value: 3 } }),
];

describe('indicator keys', () => {
  it('apply defaults, so specs that compute the same values share a key', () => {
    assert.equal(
      indicatorKey({ type: 'macd' }),
      indicatorKey({ type: 'macd', fast: 12, slow: 26, signal: 9, source: 'close' }),
    );
    assert.equal(indicatorKey({ type: 'macd' }), 'macd(fast=12,slow=26,signal=9)@close');
    assert.equal(
      indicatorKey({ type: 'bollinger', period: 20 }),
      'bollinger(period=20,stddev=2)@close',
    );
  });

  it('differ in any parameter or in the source, and ignore a source a candle indicator never reads', () => {
    const keys = [
      indicatorKey({ type: 'sma', period: 20 }),
      indicatorKey({ type: 'sma', period: 21 }),
      indicatorKey({ type: 'ema', period: 20 }),
      indicatorKey({ type: 'sma', period: 20, source: 'open' }),
      indicatorKey({ type: 'bollinger', period: 20, stddev: 2.5 }),
    ];
    assert.equal(new Set(keys).size, keys.length, keys.join(' '));
    assert.equal(
      indicatorKey({ type: 'atr', period: 14, source: 'open' }),
      indicatorKey({ type: 'atr', period: 14 }),
    );
  });

  it('name the type when it is not an indicator, and the parameter when it is missing', () => {
    assert.throws(() => indicatorKey({ type: 'vwap' as 'sma' }), /unknown indicator type "vwap"/);
    assert.throws(() => indicatorKey({ type: 'sma' }), /indicator sma needs "period"/);
  });
});

describe('IndicatorCache', () => {
  const bars = randomWalkBars({ seed: 11, count: 3000, timeframe: '1h' });

  it('computes each distinct indicator once and hands the same arrays back', () => {
    const cache = new IndicatorCache(bars);
    const first = cache.outputs({ type: 'macd' });
    const again = cache.outputs({ type: 'macd', fast: 12, slow: 26, signal: 9 });
    assert.equal(again, first);
    assert.equal(cache.size, 1);
    cache.outputs({ type: 'macd', fast: 5 });
    assert.equal(cache.size, 2);
    assert.deepEqual(Object.keys(first), ['line', 'signal', 'histogram']);
  });

  it('is exported where the engine and the indicators are', () => {
    assert.equal(FromIndicators, IndicatorCache);
    assert.equal(FromBacktest, IndicatorCache);
  });

  it('over a sweep of parameter sets gives the signals and results of separate runs', () => {
    for (const series of [bars, bundledSp500()]) {
      const cache = new IndicatorCache(series);
      for (const set of SETS) {
        const cached = computeSignals(set, series, cache);
        assert.deepEqual(cached, computeSignals(set, series));
        const output = runSignals(series, cached, set, money);
        assert.deepEqual(output, runBacktest(series, set, money));
      }
      // fast 5, 10, 20; slow 20, 50 (SMA(20) is shared by the two roles); one RSI
      assert.equal(cache.size, 5);
    }
  });

  it('refuses bars other than its own, rather than mixing two series', () => {
    const cache = new IndicatorCache(bars);
    const other = randomWalkBars({ seed: 12, count: 3000, timeframe: '1h' });
    assert.throws(
      () => computeSignals(SETS[0]!, other, cache),
      /the indicator cache was built over other bars/,
    );
  });
});

describe("a metrics-only run (detail: 'metrics')", () => {
  const summaryOf = (
    full: ReturnType<typeof runBacktest>,
  ): [unknown, unknown, unknown, unknown] => [
    full.metrics,
    full.finalEquity,
    full.skippedEntries,
    full.ruinTime,
  ];

  it('has exactly the metrics, final equity, skipped entries and ruin of the full run', () => {
    const cases: [string, Parameters<typeof runBacktest>[0], RulesStrategyConfig][] = [];
    const sp500 = bundledSp500();
    for (const name of BUNDLED_RULES) cases.push([name, sp500, bundledStrategy(name)]);
    for (const seed of [1, 2, 3]) {
      const bars = randomWalkBars({ seed, count: 20_000, timeframe: '5m' });
      SETS.forEach((set, i) => cases.push([`seed ${seed}, set ${i}`, bars, set]));
    }
    for (const [label, bars, strategy] of cases) {
      const full = runBacktest(bars, strategy, money);
      const summary = runBacktest(bars, strategy, money, { detail: 'metrics' });
      assert.deepEqual(Object.keys(summary).sort(), [
        'finalEquity',
        'metrics',
        'ruinTime',
        'skippedEntries',
      ]);
      assert.deepEqual(
        [summary.metrics, summary.finalEquity, summary.skippedEntries, summary.ruinTime],
        summaryOf(full),
        label,
      );
      // byte for byte as the result JSON carries them
      assert.equal(JSON.stringify(summary.metrics), JSON.stringify(full.metrics), label);
      assert.equal(summary.finalEquity, full.equity[full.equity.length - 1], label);
      assert.ok(full.trades.length > 0, `${label} trades`);
    }
  });

  it('agrees on a ruin and on skipped entries too', () => {
    const ruinous = parseRulesStrategy({
      name: 'ruin',
      type: 'rules',
      indicators: {},
      entry: { long: { greater_than: ['close', 100] } },
      position: { sizing: 'fraction_of_equity', value: 3 },
      risk: { leverage: 3 },
    });
    const bars = daily([
      [100, 100, 100, 100],
      [100, 102, 99, 101],
      [101, 102, 60, 70],
      [70, 120, 70, 110],
      [110, 111, 109, 110],
    ]);
    const noCosts = { initialCapital: 1000, commission: 0, slippage: 0 };
    const full = runBacktest(bars, ruinous, noCosts);
    assert.notEqual(full.ruinTime, null);
    const summary = runBacktest(bars, ruinous, noCosts, { detail: 'metrics' });
    assert.deepEqual(
      [summary.metrics, summary.finalEquity, summary.skippedEntries, summary.ruinTime],
      summaryOf(full),
    );

    const tooBig = parseRulesStrategy({
      name: 'skip',
      type: 'rules',
      indicators: {},
      entry: { long: { greater_than: ['close', 100] } },
      position: { sizing: 'fixed_units', value: 50 },
    });
    const skipped = runBacktest(bars, tooBig, noCosts, { detail: 'metrics' });
    assert.ok(skipped.skippedEntries > 0);
    assert.deepEqual(skipped.skippedEntries, runBacktest(bars, tooBig, noCosts).skippedEntries);
  });

  it('runs one after another over series of different lengths, or one inside another, without sharing their work', () => {
    const long = randomWalkBars({ seed: 4, count: 9000, timeframe: '1h' });
    const short = randomWalkBars({ seed: 5, count: 700, timeframe: '1h' });
    const expected = [long, short].map((bars) => runBacktest(bars, SETS[1]!, money).metrics);
    const inner: unknown[] = [];
    const outer = runBacktest(long, SETS[1]!, money, {
      detail: 'metrics',
      tickEvery: 4000,
      // a hook that runs a backtest while this one is still working
      onTick: () => inner.push(runBacktest(short, SETS[1]!, money, { detail: 'metrics' }).metrics),
    });
    assert.deepEqual(outer.metrics, expected[0]);
    for (const metrics of inner) assert.deepEqual(metrics, expected[1]);
    assert.deepEqual(
      runBacktest(short, SETS[1]!, money, { detail: 'metrics' }).metrics,
      expected[1],
    );
    assert.deepEqual(
      runBacktest(long, SETS[1]!, money, { detail: 'metrics' }).metrics,
      expected[0],
    );
  });

  it('on no bars, ends with the capital', () => {
    const empty = randomWalkBars({ seed: 1, count: 0, timeframe: '1d' });
    const summary = runBacktest(empty, SETS[0]!, money, { detail: 'metrics' });
    assert.equal(summary.finalEquity, money.initialCapital);
    assert.equal(summary.metrics.total_trades, 0);
  });
});
