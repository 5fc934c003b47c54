import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aggregateCandles,
  barsPerCandle,
  buyAndHoldLine,
  candleTimeOf,
  rollingSharpe,
  rollingSharpeWindowError,
  sampleAtCandles,
  thinLine,
  tradeMarkers,
  type Trade,
} from '../src/index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);
const days = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * DAY);

describe('candle aggregation', () => {
  it('draws every bar up to 10,000 bars, then ⌈bars / 10,000⌉ bars a candle', () => {
    assert.deepEqual(
      [5105, 10_000, 10_001, 25_000, 1_000_000].map((n) => barsPerCandle(n)),
      [1, 1, 2, 3, 100],
    );
    assert.equal(barsPerCandle(7, 3), 3);
  });

  it('takes the first open, the highest high, the lowest low and the last close', () => {
    const bars = {
      time: days(5),
      open: [10, 11, 12, 13, 14],
      high: [12, 15, 13, 16, 15],
      low: [9, 10, 8, 12, 13],
      close: [11, 12, 13, 14, 15],
    };
    assert.deepEqual(aggregateCandles(bars, 2), [
      { time: T0, open: 10, high: 15, low: 9, close: 12 },
      { time: T0 + 2 * DAY, open: 12, high: 16, low: 8, close: 14 },
      // the last candle holds what is left
      { time: T0 + 4 * DAY, open: 14, high: 15, low: 13, close: 15 },
    ]);
    assert.equal(aggregateCandles(bars, 1).length, 5);
    assert.throws(() => aggregateCandles(bars, 0), /positive integer/);
  });

  it('samples a series at each candle: its time, the value at its last bar, null in warm-up', () => {
    assert.deepEqual(sampleAtCandles(days(5), [NaN, NaN, 3, 4, 5], 2), {
      time: [T0, T0 + 2 * DAY, T0 + 4 * DAY],
      value: [null, 4, 5],
    });
  });

  it('finds the candle a time falls in', () => {
    const times = [100, 200, 300];
    assert.deepEqual(
      [50, 100, 150, 299, 300, 900].map((t) => candleTimeOf(times, t)),
      [100, 100, 100, 200, 300, 300],
    );
  });
});

describe('buy-and-hold line', () => {
  it('is the capital held from the first close: capital × close / first close', () => {
    const line = buyAndHoldLine(days(4), [100, 110, 90, 120], 1000);
    assert.deepEqual(line.value, [1000, 1100, 900, 1200]);
    assert.deepEqual(line.time, days(4));
    // the last value is capital × (1 + buy_and_hold_return): 120 / 100 − 1 = 20 %
    assert.ok(Math.abs(line.value.at(-1)! / 1000 - 1 - 0.2) < 1e-12);
  });
});

describe('rolling Sharpe', () => {
  // returns 0.1, −0.1, 0.1, 0 over four days: 365.25 bars a year, scale √365.25
  const equity = [100, 110, 99, 108.9, 108.9];
  const scale = Math.sqrt(365.25);

  it('is the mean over the sample deviation of the window, annualized (hand-computed)', () => {
    const rs = rollingSharpe(days(5), equity, 3);
    assert.deepEqual(rs.time, [T0 + 3 * DAY, T0 + 4 * DAY]);
    // [0.1, −0.1, 0.1]: mean 1/30, sample variance ((1/15)² + (2/15)² + (1/15)²) / 2 = 1/75
    assert.ok(Math.abs(rs.value[0]! - (1 / 30 / Math.sqrt(1 / 75)) * scale) < 1e-9);
    assert.ok(Math.abs(rs.value[0]! - 5.517) < 1e-3);
    // [−0.1, 0.1, 0]: mean 0
    assert.ok(Math.abs(rs.value[1]!) < 1e-12);
    // window 2 at the last bar: [0.1, 0], mean 0.05, deviation √0.005
    const two = rollingSharpe(days(5), equity, 2);
    assert.ok(Math.abs(two.value.at(-1)! - (0.05 / Math.sqrt(0.005)) * scale) < 1e-9);
  });

  it('reads 0 over a flat window, as the engine’s Sharpe does', () => {
    const rs = rollingSharpe(days(6), [100, 101, 101, 101, 101, 101], 3);
    assert.deepEqual(rs.value.slice(-2), [0, 0]);
  });

  it('equals the window computed afresh at every bar over a long run', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const n = 3000;
    const e = [100];
    for (let i = 1; i < n; i++) e.push(e[i - 1]! * (1 + random() * 0.04));
    const w = 17;
    const rs = rollingSharpe(days(n), e, w);
    const years = ((n - 1) * DAY) / (365.25 * DAY);
    for (const i of [w, 500, 1234, n - 1]) {
      const r = Array.from({ length: w }, (_, k) => e[i - w + 1 + k]! / e[i - w + k]! - 1);
      const mean = r.reduce((a, b) => a + b, 0) / w;
      const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (w - 1));
      const expected = (mean / sd) * Math.sqrt((n - 1) / years);
      assert.ok(Math.abs(rs.value[i - w]! - expected) < 1e-9, `bar ${i}`);
    }
  });

  it('refuses a window it cannot use, saying why, and never clamps it', () => {
    assert.match(rollingSharpeWindowError(0, 100)!, /at least 2 bars.*not 0/);
    assert.match(rollingSharpeWindowError(-5, 100)!, /at least 2 bars.*not -5/);
    assert.match(rollingSharpeWindowError(2.5, 100)!, /whole number of bars, not 2.5/);
    assert.match(
      rollingSharpeWindowError(100, 100)!,
      /100 bars is longer than the run \(99 bar returns\)/,
    );
    assert.equal(rollingSharpeWindowError(99, 100), null);
    assert.throws(() => rollingSharpe(days(5), equity, 5), RangeError);
  });
});

describe('trade markers', () => {
  const trade = (over: Partial<Trade>): Trade => ({
    entry_time: '2020-01-02T00:00:00.000Z',
    exit_time: '2020-01-04T00:00:00.000Z',
    side: 'long',
    entry_price: 100,
    exit_price: 110,
    size: 1,
    pnl: 10,
    fees: 0,
    return_pct: 0.1,
    exit_reason: 'take_profit',
    ...over,
  });

  it('marks each entry by side and each exit with its reason and return, in time order', () => {
    const markers = tradeMarkers([
      trade({
        entry_time: '2020-01-06T00:00:00.000Z',
        exit_time: '2020-01-08T00:00:00.000Z',
        side: 'short',
        pnl: -5,
        return_pct: -0.05,
        exit_reason: 'stop_loss',
      }),
      trade({}),
    ]);
    assert.deepEqual(
      markers.map((m) => [
        new Date(m.time * 1000).toISOString().slice(0, 10),
        m.shape,
        m.position,
        m.text,
        m.trade,
      ]),
      [
        ['2020-01-02', 'arrowUp', 'belowBar', 'Long', 1],
        ['2020-01-04', 'circle', 'aboveBar', 'take profit +10.0 %', 1],
        ['2020-01-06', 'arrowDown', 'aboveBar', 'Short', 0],
        ['2020-01-08', 'circle', 'belowBar', 'stop loss -5.0 %', 0],
      ],
    );
  });

  it('puts markers on the aggregated candle that holds them', () => {
    const candles = [T0, T0 + 3 * DAY];
    const [entry, exit] = tradeMarkers([trade({})], candles, false);
    assert.equal(entry!.time, T0 / 1000);
    assert.equal(exit!.time, (T0 + 3 * DAY) / 1000);
    assert.deepEqual([entry!.text, exit!.text], ['', '']);
  });
});

describe('thinLine', () => {
  it('keeps at most max points, the first and the last among them', () => {
    const line = { time: days(10), value: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
    const thin = thinLine(line, 4);
    assert.deepEqual(thin.value, [0, 3, 6, 9]);
    assert.equal(thinLine(line, 20), line);
  });
});
