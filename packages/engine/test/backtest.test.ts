import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StrategyConfig } from '@ktrdr/shared';
import {
  allocateBars,
  parseRulesStrategy,
  randomWalkBars,
  runBacktest,
  type Bars,
} from '../src/index.js';

const DAY = 86_400_000;

function daily(rows: [open: number, close: number][]): Bars {
  const bars = allocateBars('TINY', '1d', rows.length);
  rows.forEach(([open, close], i) => {
    bars.time[i] = Date.UTC(2020, 0, 1) + i * DAY;
    bars.open[i] = open;
    bars.close[i] = close;
    bars.high[i] = Math.max(open, close);
    bars.low[i] = Math.min(open, close);
    bars.volume[i] = 1000;
  });
  return bars;
}

const aboveHundred: StrategyConfig = parseRulesStrategy({
  name: 'above_100',
  type: 'rules',
  indicators: {},
  entry: { long: { greater_than: ['close', 100] } },
  exit: { long: { less_than: ['close', 100] } },
});

// bar:    0         1 (signal)  2 (buy @102)  3 (signal)  4 (sell @98)  5
const TINY = daily([
  [100, 100],
  [100, 101],
  [102, 104],
  [103, 99],
  [98, 97],
  [97, 97],
]);

describe('backtest engine on a hand-computed series', () => {
  it('acts on the next open and computes every metric as written in docs/metrics.md', () => {
    const out = runBacktest(TINY, aboveHundred, {
      initialCapital: 1000,
      commission: 0,
      slippage: 0,
    });
    const units = 1000 / 102;
    assert.deepEqual(
      Array.from(out.equity, (e) => Number(e.toFixed(6))),
      [1000, 1000, units * 104, units * 99, units * 98, units * 98].map((e) =>
        Number(e.toFixed(6)),
      ),
    );
    assert.equal(out.trades.length, 1);
    const trade = out.trades[0]!;
    assert.equal(trade.entryTime, TINY.time[2]);
    assert.equal(trade.exitTime, TINY.time[4]);
    assert.equal(trade.entryPrice, 102);
    assert.equal(trade.exitPrice, 98);
    assert.ok(Math.abs(trade.pnl - units * -4) < 1e-9);
    assert.equal(trade.holdingBars, 2);

    const m = out.metrics;
    assert.ok(Math.abs(m.total_return - (98 / 102 - 1)) < 1e-9);
    assert.ok(Math.abs(m.max_drawdown - (1 - 98 / 104)) < 1e-9);
    assert.equal(m.max_drawdown_duration_bars, 3);
    assert.equal(m.total_trades, 1);
    assert.equal(m.win_rate, 0);
    assert.equal(m.profit_factor, 0, 'no winners: gross profit 0 over a gross loss');
    assert.ok(Math.abs(m.avg_loss - units * -4) < 1e-5);
    assert.ok(Math.abs(m.exposure - 2 / 6) < 1e-9);
    assert.equal(m.avg_holding_bars, 2);
    // per-bar returns: 0, 0, 0.04, -0.048077, -0.010101, 0 → mean and sample std by hand
    const r = [0, 104 / 102 - 1, 99 / 104 - 1, 98 / 99 - 1, 0];
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const std = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    const periodsPerYear = 5 / (5 / 365.25);
    assert.ok(Math.abs(m.volatility - std * Math.sqrt(periodsPerYear)) < 1e-6);
    assert.ok(Math.abs(m.sharpe_ratio - (mean / std) * Math.sqrt(periodsPerYear)) < 1e-6);
  });

  it('charges commission on each fill and slippage against the trader', () => {
    const out = runBacktest(TINY, aboveHundred, {
      initialCapital: 1000,
      commission: 0.001,
      slippage: 0.01,
    });
    const buy = 102 * 1.01;
    const units = 1000 / (buy * 1.001);
    const sell = 98 * 0.99;
    const fees = units * buy * 0.001 + units * sell * 0.001;
    const trade = out.trades[0]!;
    assert.ok(Math.abs(trade.entryPrice - buy) < 1e-9);
    assert.ok(Math.abs(trade.exitPrice - sell) < 1e-9);
    assert.ok(Math.abs(trade.fees - fees) < 1e-9);
    assert.ok(Math.abs(trade.pnl - (units * (sell - buy) - fees)) < 1e-9);
    assert.ok(
      Math.abs((out.equity.at(-1) as number) - (1000 + trade.pnl)) < 1e-9,
      'final equity = capital + net P&L',
    );
  });

  it('goes short and closes an open position at the last close', () => {
    const belowHundred = parseRulesStrategy({
      name: 'short',
      type: 'rules',
      indicators: {},
      entry: { short: { less_than: ['close', 100] } },
    });
    const out = runBacktest(TINY, belowHundred, {
      initialCapital: 1000,
      commission: 0,
      slippage: 0,
    });
    assert.equal(out.trades.length, 1);
    const trade = out.trades[0]!;
    assert.equal(trade.side, 'short');
    assert.equal(trade.entryPrice, 98, 'short at the open after the first close below 100');
    assert.equal(trade.exitPrice, 97, 'closed at the last close');
    assert.ok(trade.pnl > 0);
  });

  it('never lets future bars change past decisions (no look-ahead)', () => {
    const sma = parseRulesStrategy({
      name: 'sma',
      type: 'rules',
      indicators: { fast: { type: 'sma', period: 10 }, slow: { type: 'ema', period: 30 } },
      entry: {
        long: { crosses_above: ['fast', 'slow'] },
        short: { crosses_below: ['fast', 'slow'] },
      },
    });
    const original = randomWalkBars({ seed: 7, count: 3000, timeframe: '1h' });
    const cut = 2000;
    const altered = randomWalkBars({ seed: 7, count: 3000, timeframe: '1h' });
    for (let i = cut; i < 3000; i++) {
      for (const f of ['open', 'high', 'low', 'close'] as const)
        altered[f][i] = (altered[f][i] as number) * (i % 2 ? 3 : 0.2);
    }
    const a = runBacktest(original, sma, {
      initialCapital: 1e5,
      commission: 0.001,
      slippage: 0.0005,
    });
    const b = runBacktest(altered, sma, {
      initialCapital: 1e5,
      commission: 0.001,
      slippage: 0.0005,
    });
    assert.deepEqual(Array.from(a.equity.subarray(0, cut)), Array.from(b.equity.subarray(0, cut)));
    const before = (t: { exitTime: number }) => t.exitTime < (original.time[cut] as number);
    assert.deepEqual(a.trades.filter(before), b.trades.filter(before));
    assert.ok(a.trades.filter(before).length > 5);
    assert.notDeepEqual(
      Array.from(a.equity.subarray(cut)),
      Array.from(b.equity.subarray(cut)),
      'the alteration did matter after the cut',
    );
  });

  it('emits no signal while an indicator warms up', () => {
    const strategy = parseRulesStrategy({
      name: 'warm',
      type: 'rules',
      indicators: { slow: { type: 'sma', period: 50 } },
      entry: { long: { greater_than: ['close', 'slow'] } },
    });
    const out = runBacktest(randomWalkBars({ seed: 3, count: 400, drift: 0.01 }), strategy, {
      initialCapital: 1e4,
      commission: 0,
      slippage: 0,
    });
    assert.ok(out.trades.length >= 1);
    // the earliest possible entry is the open after bar 49 (the first SMA-50 value)
    assert.ok(out.trades[0]!.entryTime >= Date.UTC(2020, 0, 1) + 50 * 60_000);
  });

  it('is deterministic and ticks at most every 1,000 bars', () => {
    const bars = randomWalkBars({ seed: 11, count: 5500 });
    const ticks: number[] = [];
    const strategy = parseRulesStrategy({
      name: 'x',
      type: 'rules',
      indicators: { f: { type: 'ema', period: 5 }, s: { type: 'sma', period: 20 } },
      entry: { long: { crosses_above: ['f', 's'] } },
      exit: { long: { crosses_below: ['f', 's'] } },
    });
    const a = runBacktest(
      bars,
      strategy,
      { initialCapital: 1e5, commission: 0.001, slippage: 0 },
      { onTick: (t) => ticks.push(t.barsDone) },
    );
    const b = runBacktest(bars, strategy, { initialCapital: 1e5, commission: 0.001, slippage: 0 });
    assert.deepEqual(a.metrics, b.metrics);
    assert.deepEqual(ticks, [1000, 2000, 3000, 4000, 5000, 5500]);
  });

  it('stops when a tick throws (how cancellation reaches the loop)', () => {
    const bars = randomWalkBars({ seed: 1, count: 10_000 });
    let calls = 0;
    assert.throws(
      () =>
        runBacktest(
          bars,
          aboveHundred,
          { initialCapital: 1e5, commission: 0, slippage: 0 },
          {
            onTick: () => {
              if (++calls === 3) throw new Error('stop');
            },
          },
        ),
      /stop/,
    );
    assert.equal(calls, 3);
  });
});
