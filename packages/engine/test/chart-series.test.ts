import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buyAndHoldLine, rollingSharpe, sampleAtCandles } from '@ktrdr/shared';
import {
  chartReadsSeries,
  IndicatorCache,
  indicatorSeries,
  parseRulesStrategy,
  randomWalkBars,
  runBacktest,
} from '../src/index.js';
import { bundledSp500, bundledStrategy } from './bundled.js';

const sp500 = bundledSp500();
const noCosts = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };

describe('indicator series for the price chart', () => {
  it("carries the strategy's own values: moving averages on the price, warm-up as null", () => {
    const strategy = bundledStrategy('sma_crossover');
    const series = indicatorSeries(strategy, sp500);
    assert.deepEqual(
      series.map((s) => [s.id, s.type, s.pane, s.lines.map((l) => l.name)]),
      [
        ['fast', 'sma', 'price', ['value']],
        ['slow', 'sma', 'price', ['value']],
      ],
    );
    const slow = series[1]!.lines[0]!;
    // 5,105 bars fit the chart: one value per bar, the engine's own
    assert.equal(slow.time.length, 5105);
    const engine = new IndicatorCache(sp500).outputs({ type: 'sma', period: 50 }).value!;
    assert.equal(slow.value[48], null);
    assert.equal(slow.value[49], engine[49]);
    assert.equal(slow.value.at(-1), engine[5104]);
  });

  it('puts oscillators in their own pane and leaves out a band’s width', () => {
    const macd = indicatorSeries(bundledStrategy('macd_trend'), sp500);
    assert.deepEqual(
      macd.map((s) => [s.id, s.pane, s.lines.map((l) => l.name)]),
      [
        ['macd', 'separate', ['line', 'signal', 'histogram']],
        ['adx', 'separate', ['value', 'plus_di', 'minus_di']],
      ],
    );
    const bands = parseRulesStrategy({
      ...bundledStrategy('sma_crossover'),
      indicators: {
        fast: { type: 'sma', period: 20 },
        slow: { type: 'sma', period: 50 },
        bb: { type: 'bollinger', period: 20, stddev: 2 },
      },
    });
    const bb = indicatorSeries(bands, sp500).find((s) => s.id === 'bb')!;
    assert.equal(bb.pane, 'price');
    assert.deepEqual(
      bb.lines.map((l) => l.name),
      ['middle', 'upper', 'lower'],
    );
  });

  it('samples at the aggregated candles when the range holds more bars than the chart draws', () => {
    const series = indicatorSeries(bundledStrategy('sma_crossover'), sp500, 1000);
    const fast = series[0]!.lines[0]!;
    // ⌈5,105 / 1,000⌉ = 6 bars a candle: 851 candles, each the value at its last bar
    assert.equal(fast.time.length, 851);
    const values = new IndicatorCache(sp500).outputs({ type: 'sma', period: 20 }).value!;
    assert.deepEqual(fast, { name: 'value', ...sampleAtCandles(sp500.time, values, 6) });
    assert.equal(fast.value[10], values[65]);
    assert.equal(fast.value.at(-1), values[5104]);
  });
});

describe('moving averages read at the candles alone', () => {
  const withSeries = (
    strategy: Parameters<typeof indicatorSeries>[0],
    bars: typeof sp500,
    max?: number,
  ) => {
    // a cache that holds every series already: the chart samples them
    const cache = new IndicatorCache(bars);
    for (const spec of Object.values(strategy.indicators)) cache.outputs(spec);
    return indicatorSeries(strategy, bars, max, cache);
  };
  const smas = (periods: number[], source?: 'close' | 'high' | 'low' | 'open') =>
    parseRulesStrategy({
      name: 'smas',
      type: 'rules',
      indicators: Object.fromEntries(
        periods.map((period, k) => [
          `m${k}`,
          { type: 'sma', period, ...(source ? { source } : {}) },
        ]),
      ),
      entry: { long: { greater_than: ['m0', 0] } },
    });

  it('equal the series sampled, value for value, over random walks, the bundled data, long and short runs', () => {
    const cases: [typeof sp500, number | undefined][] = [
      [sp500, undefined],
      [sp500, 1000],
      [sp500, 7],
      [randomWalkBars({ seed: 3, count: 25_001, timeframe: '1m' }), undefined],
      [randomWalkBars({ seed: 4, count: 37, timeframe: '1h' }), undefined],
      [randomWalkBars({ seed: 5, count: 0, timeframe: '1d' }), undefined],
    ];
    for (const [bars, max] of cases)
      for (const source of [undefined, 'high'] as const) {
        const strategy = smas([1, 2, 9, 20, 50, 200, 5000], source);
        const alone = indicatorSeries(strategy, bars, max);
        assert.deepEqual(
          alone,
          withSeries(strategy, bars, max),
          `${bars.time.length} bars, ${max}`,
        );
        for (const line of alone.flatMap((s) => s.lines))
          for (const v of line.value) assert.ok(v === null || Number.isFinite(v));
      }
  });

  it('is what a chart of moving averages needs; any other indicator reads its series', () => {
    assert.equal(chartReadsSeries(bundledStrategy('sma_crossover')), false);
    assert.equal(chartReadsSeries(bundledStrategy('macd_trend')), true);
  });
});

describe('the charts against the engine’s figures', () => {
  const out = runBacktest(sp500, bundledStrategy('sma_crossover'), noCosts);

  it('buy and hold ends at capital × (1 + benchmark.buy_and_hold_return)', () => {
    const line = buyAndHoldLine(sp500.time, sp500.close, noCosts.initialCapital);
    assert.equal(line.value.length, 5105);
    const held = line.value.at(-1)! / noCosts.initialCapital - 1;
    assert.ok(Math.abs(held - out.benchmark.buy_and_hold_return) < 1e-9);
  });

  it('a rolling Sharpe over the whole run is the engine’s sharpe_ratio', () => {
    const n = out.equity.length;
    const whole = rollingSharpe(out.time, out.equity, n - 1);
    assert.equal(whole.value.length, 1);
    assert.ok(Math.abs(whole.value[0]! - out.metrics.sharpe_ratio) < 1e-9);
    assert.equal(rollingSharpe(out.time, out.equity, 63).value.length, n - 63);
  });
});
