import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allocateBars,
  buyAndHold,
  parseRulesStrategy,
  periodReturns,
  runBacktest,
  toBacktestResult,
  tradeExcursions,
  type Bars,
} from '../src/index.js';

const DAY = 86_400_000;

function bars(rows: [time: number, o: number, h: number, l: number, c: number][]): Bars {
  const b = allocateBars('T', '1d', rows.length);
  rows.forEach(([t, o, h, l, c], i) => {
    b.time[i] = t;
    b.open[i] = o;
    b.high[i] = h;
    b.low[i] = l;
    b.close[i] = c;
    b.volume[i] = 1;
  });
  return b;
}

const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

// every figure below is worked out by hand from the numbers in the test (docs/metrics.md)
describe('result analysis: trade excursions, buy-and-hold benchmark, period returns', () => {
  it('MAE and MFE: the worst and best prices lived through, the exit bar only up to its exit', () => {
    const b = bars([
      [0, 100, 101, 99, 100],
      [DAY, 100, 110, 95, 105], // entry bar (filled at the open, 100): its whole range counts
      [2 * DAY, 105, 120, 90, 100], // exit at the open, 105: this bar's 120 and 90 do not count
    ]);
    const long = tradeExcursions(
      {
        entryTime: DAY,
        exitTime: 2 * DAY,
        side: 'long',
        entryPrice: 100,
        exitPrice: 105,
        size: 1,
        pnl: 5,
        fees: 0,
        holdingBars: 1,
        exitReason: 'signal',
      },
      b,
    );
    assert.deepEqual(long, { mae: 0.05, mfe: 0.1 });
    const short = tradeExcursions(
      {
        entryTime: DAY,
        exitTime: 2 * DAY,
        side: 'short',
        entryPrice: 100,
        exitPrice: 105,
        size: 1,
        pnl: -5,
        fees: 0,
        holdingBars: 1,
        exitReason: 'signal',
      },
      b,
    );
    assert.deepEqual(short, { mae: 0.1, mfe: 0.05 });
  });

  it('buy and hold: its return, the excess, beta 1 and alpha 0 for a strategy that is the series', () => {
    const time = Float64Array.from([0, DAY, 2 * DAY, 3 * DAY]);
    const close = Float64Array.from([100, 110, 99, 121]);
    // a fully invested account: equity moves with the close
    const same = buyAndHold(time, close, Float64Array.from([1000, 1100, 990, 1210]));
    assert.deepEqual(same, { buy_and_hold_return: 0.21, excess_return: 0, alpha: 0, beta: 1 });
    // about half invested: excess = total (+10.5 %) − 21 %
    const half = buyAndHold(time, close, Float64Array.from([1000, 1050, 995, 1105]));
    near(half.excess_return, 0.105 - 0.21, 'excess');
    // returns 5 %, −5.238… %, 11.055… % against 10 %, −10 %, 22.2… %: alpha = (mean_s − 0.5 mean_b) × bars per year
    const rs = [1050 / 1000 - 1, 995 / 1050 - 1, 1105 / 995 - 1];
    const rb = [0.1, 99 / 110 - 1, 121 / 99 - 1];
    const mean = (x: number[]) => x.reduce((a, v) => a + v, 0) / x.length;
    const cov = rs.reduce((a, r, i) => a + (r - mean(rs)) * (rb[i]! - mean(rb)), 0);
    const varB = rb.reduce((a, r) => a + (r - mean(rb)) ** 2, 0);
    near(half.beta, Math.round((cov / varB) * 1e10) / 1e10, 'beta by hand');
    const perYear = 3 / ((3 * DAY) / (365.25 * DAY));
    near(
      half.alpha,
      Math.round((mean(rs) - (cov / varB) * mean(rb)) * perYear * 1e10) / 1e10,
      'alpha',
    );
  });

  it('monthly and yearly returns chain from the initial capital, one row per calendar period', () => {
    const t = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
    const time = Float64Array.from([
      t(2020, 12, 30),
      t(2020, 12, 31),
      t(2021, 1, 4),
      t(2021, 1, 29),
      t(2021, 2, 1),
    ]);
    const equity = Float64Array.from([1000, 1100, 1050, 1210, 1089]);
    assert.deepEqual(periodReturns(time, equity, 1000), {
      monthly: [
        { year: 2020, month: 12, return: 0.1 },
        { year: 2021, month: 1, return: 0.1 },
        { year: 2021, month: 2, return: -0.1 },
      ],
      yearly: [
        { year: 2020, return: 0.1 },
        { year: 2021, return: -0.01 },
      ],
    });
  });

  it('a backtest result carries them: per-trade return_pct, bars_held, mae, mfe, the benchmark and the periods', () => {
    const b = bars([
      [Date.UTC(2021, 0, 4), 99, 101, 98, 101],
      [Date.UTC(2021, 0, 5), 100, 104, 97, 103],
      [Date.UTC(2021, 0, 6), 103, 106, 102, 99],
      [Date.UTC(2021, 1, 1), 99, 100, 95, 96],
    ]);
    const rules = parseRulesStrategy({
      name: 'x',
      type: 'rules',
      indicators: {},
      entry: { long: { greater_than: ['close', 100] } },
      exit: { long: { less_than: ['close', 100] } },
    });
    const result = toBacktestResult(
      runBacktest(b, rules, { initialCapital: 1000, commission: 0, slippage: 0 }),
    );
    // bought 10 at 100 (bar 2's open), sold at 99 (bar 4's open): −1 %, held 2 bars, worst 97, best 106
    assert.deepEqual(
      result.trades.map((tr) => [tr.return_pct, tr.bars_held, tr.mae, tr.mfe]),
      [[-0.01, 2, 0.03, 0.06]],
    );
    assert.deepEqual(result.benchmark, {
      buy_and_hold_return: Math.round((96 / 101 - 1) * 1e10) / 1e10,
      excess_return: Math.round((990 / 1000 - 1 - (96 / 101 - 1)) * 1e10) / 1e10,
      alpha: result.benchmark!.alpha,
      beta: result.benchmark!.beta,
    });
    assert.deepEqual(result.periods, {
      monthly: [
        { year: 2021, month: 1, return: Math.round((990 / 1000 - 1) * 1e10) / 1e10 },
        { year: 2021, month: 2, return: 0 },
      ],
      yearly: [{ year: 2021, return: -0.01 }],
    });
  });
});
