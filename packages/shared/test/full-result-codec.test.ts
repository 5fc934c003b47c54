import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allocateTrades,
  decodeFullResult,
  displayResultOf,
  encodeFullResult,
  encodeFullResultParts,
  FullResultFormatError,
  fullResultFromJson,
  fullResultJsonChunks,
  fullResultToJson,
  tradeAt,
  type FullResult,
} from '../src/index.js';

const metrics = {
  total_return: 0.12,
  annualized_return: 0.05,
  volatility: 0.2,
  sharpe_ratio: 0.7,
  sortino_ratio: 0.9,
  calmar_ratio: null,
  max_drawdown: 0.1,
  max_drawdown_duration_bars: 40,
  win_rate: 0.5,
  profit_factor: 1.4,
  expectancy: 12,
  exposure: 0.6,
  total_trades: 2,
  avg_win: 30,
  avg_loss: -10,
  avg_holding_bars: 5,
};

function sample(bars: number, tradeCount: number): FullResult {
  const t0 = Date.UTC(2020, 0, 1);
  const trades = allocateTrades(tradeCount);
  for (let i = 0; i < tradeCount; i++) {
    trades.entry_time[i] = t0 + i * 86_400_000;
    trades.exit_time[i] = t0 + (i + 1) * 86_400_000;
    trades.entry_price[i] = 100 + i / 3;
    trades.exit_price[i] = 101 + i / 7;
    trades.size[i] = 10.5;
    trades.pnl[i] = i % 2 ? -3.25 : 7.125;
    trades.fees[i] = 0.1;
    trades.return_pct[i] = 0.0123456789012345;
    trades.bars_held[i] = i + 1;
    trades.mae[i] = 0.01;
    trades.mfe[i] = 0.02;
    trades.side[i] = i % 2;
    trades.exit_reason[i] = i % 3;
  }
  return {
    summary: {
      metrics,
      skipped_entries: 1,
      ruin: null,
      benchmark: { buy_and_hold_return: 0.1, excess_return: 0.02, alpha: 0.01, beta: 0.9 },
      periods: { monthly: [{ year: 2020, month: 1, return: 0.01 }], yearly: [] },
    },
    time: Float64Array.from({ length: bars }, (_, i) => t0 + i * 60_000),
    equity: Float64Array.from({ length: bars }, (_, i) => 100_000 + Math.sin(i) * 1e3 + 1 / 3),
    drawdown: Float64Array.from({ length: bars }, (_, i) => (i % 7) / 97),
    trades,
  };
}

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    assert.ok(
      error instanceof FullResultFormatError,
      `a FullResultFormatError, not ${String(error)}`,
    );
    return error.message;
  }
  assert.fail('did not throw');
};

describe('binary full result', () => {
  it('round-trips every float exactly, 8-byte aligned, with the columns as views on the bytes', () => {
    const result = sample(1001, 17);
    const bytes = encodeFullResult(result);
    assert.equal(bytes.length % 8, 0);
    assert.deepEqual([...bytes.subarray(0, 4)].map((b) => String.fromCharCode(b)).join(''), 'KTFR');
    const back = decodeFullResult(bytes);
    assert.deepEqual(back, result);
    // no copy: the columns are windows onto the buffer
    assert.equal(back.equity.buffer, bytes.buffer);
    assert.equal(back.trades.pnl.buffer, bytes.buffer);
    assert.deepEqual(tradeAt(back.trades, 1), {
      entry_time: '2020-01-02T00:00:00.000Z',
      exit_time: '2020-01-03T00:00:00.000Z',
      side: 'short',
      entry_price: 100 + 1 / 3,
      exit_price: 101 + 1 / 7,
      size: 10.5,
      pnl: -3.25,
      fees: 0.1,
      return_pct: 0.0123456789012345,
      bars_held: 2,
      mae: 0.01,
      mfe: 0.02,
      exit_reason: 'reverse',
    });
  });

  it('the parts written one after another are the same bytes, the columns not copied', () => {
    const result = sample(33, 3);
    const parts = encodeFullResultParts(result);
    assert.ok(parts.some((p) => p.buffer === result.equity.buffer));
    assert.deepEqual(Buffer.concat(parts), Buffer.from(encodeFullResult(result)));
  });

  it('keeps NaN and infinities; the JSON form writes them as null', () => {
    const result = sample(4, 1);
    result.equity[1] = Number.NaN;
    result.drawdown[2] = Number.POSITIVE_INFINITY;
    result.trades.mae[0] = Number.NaN;
    const back = decodeFullResult(encodeFullResult(result));
    assert.ok(Number.isNaN(back.equity[1]));
    assert.equal(back.drawdown[2], Number.POSITIVE_INFINITY);
    const json = fullResultToJson(back);
    assert.equal(json.equity_curve[1]!.equity, null);
    assert.equal(json.equity_curve[2]!.drawdown, null);
    assert.equal(json.trades[0]!.mae, null);
  });

  it('holds zero bars and no trades', () => {
    const result = sample(0, 0);
    const back = decodeFullResult(encodeFullResult(result));
    assert.equal(back.time.length, 0);
    assert.equal(back.trades.count, 0);
    assert.deepEqual(back.summary, result.summary);
    assert.deepEqual(fullResultToJson(back).equity_curve, []);
  });

  it('decodes from an unaligned view (a slice of a larger buffer) by copying', () => {
    const bytes = encodeFullResult(sample(50, 5));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const back = decodeFullResult(shifted.subarray(3));
    assert.deepEqual(back, decodeFullResult(bytes));
  });

  it('refuses a cut-short buffer at every length with an error saying so', () => {
    const bytes = encodeFullResult(sample(20, 4));
    for (const length of [0, 5, 15, 16, 40, bytes.length - 8, bytes.length - 1]) {
      assert.match(
        message(() => decodeFullResult(bytes.subarray(0, length))),
        /cut short|not JSON/,
        `${length} bytes`,
      );
    }
    assert.match(
      message(() => decodeFullResult(Buffer.concat([bytes, new Uint8Array(8)]))),
      /8 bytes after its last column/,
    );
  });

  it('refuses another file or another version by name', () => {
    const json = new TextEncoder().encode('{"metrics":{}, "equity_curve": []}');
    assert.match(
      message(() => decodeFullResult(json)),
      /does not start with "KTFR"/,
    );
    const bytes = encodeFullResult(sample(2, 0));
    const future = bytes.slice();
    new DataView(future.buffer).setUint16(4, 3, true);
    assert.match(
      message(() => decodeFullResult(future)),
      /format version 3 is not one this build reads \(versions 1 and 2\): update ktrdr/,
    );
    // a file written before the display fields (version 1) still reads
    const older = bytes.slice();
    new DataView(older.buffer).setUint16(4, 1, true);
    assert.deepEqual(decodeFullResult(older), decodeFullResult(bytes));
  });

  it('keeps the display-only fields beside the result: segments as written, indicator lines as columns', () => {
    const full = sample(5, 2);
    const time = [1, 2, 3].map((i) => Date.UTC(2020, 0, i));
    full.display = {
      in_sample: { fraction: 0.25, message: 'a quarter of the bars were in the training data' },
      indicators: [
        {
          id: 'fast',
          type: 'sma',
          pane: 'price',
          lines: [{ name: 'value', time, value: [null, 101.25, 1 / 3] }],
        },
        {
          id: 'bands',
          type: 'bollinger',
          pane: 'price',
          lines: [
            { name: 'upper', time, value: [null, null, 110.5] },
            { name: 'lower', time, value: [null, null, -0] },
          ],
        },
      ],
    };
    const decoded = decodeFullResult(encodeFullResult(full));
    assert.deepEqual(decoded.display, full.display);
    assert.equal(
      JSON.stringify(decoded.display),
      JSON.stringify(full.display),
      'same keys in order',
    );
    // the JSON full form stays the result alone
    assert.equal(fullResultToJson(decoded).indicators, undefined);
    assert.equal(JSON.stringify(displayResultOf(decoded)), JSON.stringify(displayResultOf(full)));
    assert.deepEqual(displayResultOf(decoded).indicators, full.display.indicators);
  });

  it('refuses indicator lines at other candles, and a line without its column', () => {
    const full = sample(3, 0);
    const line = (time: number[]) => ({ name: 'value', time, value: time.map(() => 1) });
    full.display = {
      indicators: [
        { id: 'a', type: 'sma', pane: 'price', lines: [line([1, 2])] },
        { id: 'b', type: 'sma', pane: 'price', lines: [line([1, 3])] },
      ],
    };
    assert.match(
      message(() => encodeFullResult(full)),
      /indicator b's value is not sampled at the same candles as the others/,
    );
    full.display = { indicators: [{ id: 'a', type: 'sma', pane: 'price', lines: [line([1, 2])] }] };
    const bytes = encodeFullResult(full);
    const length = new DataView(bytes.buffer).getUint32(8, true);
    const text = new TextDecoder().decode(bytes.subarray(16, 16 + length));
    const broken = text.replace('"column":"indicator_0_0"', '"column":"indicator_9_9"');
    assert.equal(broken.length, text.length);
    const corrupt = bytes.slice();
    corrupt.set(new TextEncoder().encode(broken), 16);
    assert.match(
      message(() => decodeFullResult(corrupt)),
      /it has no f64 column "indicator_9_9" per candle/,
    );
  });

  it('refuses a corrupt header or codes outside the string tables', () => {
    const bytes = encodeFullResult(sample(2, 2));
    const header = bytes.slice();
    header[17] = 0x7b; // "{" where a quote was: not JSON any more
    assert.match(
      message(() => decodeFullResult(header)),
      /header is not JSON/,
    );
    const codes = bytes.slice();
    // the side column is the second-to-last column: 2 codes in an 8-byte padded slot
    codes[codes.length - 16] = 9;
    assert.match(
      message(() => decodeFullResult(codes)),
      /trade 0 has side code 9/,
    );
  });

  it('refuses to encode columns of unequal length, naming the column', () => {
    const result = sample(5, 2);
    result.drawdown = new Float64Array(4);
    assert.throws(
      () => encodeFullResult(result),
      /column drawdown has 4 values, but there are 5 bars/,
    );
  });

  it('the JSON form streams the result route shape and converts back to the same columns', () => {
    const result = sample(25_003, 3);
    const chunks = [...fullResultJsonChunks(result, 10_000)];
    assert.ok(chunks.length > 4, 'streamed in pieces');
    const json = JSON.parse(chunks.join('')) as ReturnType<typeof fullResultToJson>;
    assert.equal(json.equity_curve.length, 25_003);
    assert.equal(json.equity_points_total, 25_003);
    assert.equal(json.trades_total, 3);
    assert.equal(json.skipped_entries, 1);
    // rounded as the display result is: the page and the downloaded file agree
    assert.deepEqual(json.equity_curve[1], {
      time: '2020-01-01T00:01:00.000Z',
      equity: Math.round(result.equity[1]! * 1e6) / 1e6,
      drawdown: Math.round(result.drawdown[1]! * 1e10) / 1e10,
    });
    assert.equal(json.trades[0]!.entry_price, 100);
    assert.equal(json.trades[1]!.entry_price, 100.33333333);
    // back to columns: the same to the decimals kept, and the same JSON again
    const back = fullResultFromJson(json);
    assert.ok(back.equity.every((v, i) => Math.abs(v - result.equity[i]!) <= 5e-7));
    assert.deepEqual(back.trades.side, result.trades.side);
    assert.deepEqual(back.summary, result.summary);
    assert.deepEqual(fullResultToJson(back), json);
  });

  it('a legacy JSON full result reads as columns; a JSON without a curve is refused', () => {
    const legacy = fullResultToJson(sample(3, 2));
    delete legacy.trades[0]!.exit_reason;
    const back = fullResultFromJson(legacy);
    assert.equal(back.time.length, 3);
    assert.equal(tradeAt(back.trades, 0).exit_reason, undefined);
    assert.throws(() => fullResultFromJson({ leaderboard: [] }), /not a backtest result/);
    assert.throws(
      () => fullResultFromJson({ ...legacy, trades: [{ ...legacy.trades[0], side: 'up' }] }),
      /trades\[0\]\.side: "up" is not one of long, short/,
    );
  });
});
