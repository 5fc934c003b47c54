import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  fullResultChunks,
  parseRulesStrategy,
  randomWalkBars,
  runBacktest,
  shapePreservingIndices,
  toBacktestResult,
  type BacktestCheckpoint,
} from '../src/index.js';
import { daily } from './daily-bars.js';

const buyAboveHundred = (risk: Record<string, number>) =>
  parseRulesStrategy({
    name: 'b',
    type: 'rules',
    indicators: {},
    entry: { long: { greater_than: ['close', 100] } },
    risk,
  });

const settings = { initialCapital: 1000, commission: 0, slippage: 0 };

describe('stop-loss and take-profit', () => {
  it('exits at the stop price when a bar trades through it', () => {
    // signal at bar 0's close, buy at bar 1's open (100), stop 5 % → 95; bar 2's low reaches 94
    const bars = daily([
      [99, 101, 98, 101],
      [100, 102, 99, 101],
      [100, 100, 94, 96],
      [96, 97, 95, 96],
    ]);
    const out = runBacktest(bars, buyAboveHundred({ stop_loss: 0.05 }), settings);
    const t = out.trades[0]!;
    assert.equal(t.entryPrice, 100);
    assert.equal(t.exitPrice, 95);
    assert.equal(t.exitReason, 'stop_loss');
    assert.equal(t.exitTime, bars.time[2]);
    assert.ok(Math.abs(t.pnl - (1000 / 100) * -5) < 1e-9);
  });

  it('fills at the open when the price gaps through the stop, and takes profit at the target', () => {
    const gap = daily([
      [99, 101, 98, 101],
      [100, 102, 99, 99],
      [90, 92, 89, 91],
    ]);
    const gapped = runBacktest(gap, buyAboveHundred({ stop_loss: 0.05 }), settings).trades[0]!;
    assert.equal(gapped.exitPrice, 90, 'the stop cannot fill better than the open after a gap');
    assert.equal(gapped.exitReason, 'stop_loss');

    const rally = daily([
      [99, 101, 98, 101],
      [100, 103, 99, 99],
      [99, 111, 98, 99],
    ]);
    const won = runBacktest(rally, buyAboveHundred({ take_profit: 0.1 }), settings).trades[0]!;
    assert.ok(Math.abs(won.exitPrice - 110) < 1e-9);
    assert.equal(won.exitReason, 'take_profit');
  });

  it('assumes the stop came first when one bar touches both', () => {
    const both = daily([
      [99, 101, 98, 101],
      [100, 101, 99, 99],
      [100, 112, 94, 100],
    ]);
    const t = runBacktest(both, buyAboveHundred({ stop_loss: 0.05, take_profit: 0.1 }), settings)
      .trades[0]!;
    assert.equal(t.exitReason, 'stop_loss');
    assert.equal(t.exitPrice, 95);
  });
});

describe('checkpoint and resume', () => {
  const strategy = parseRulesStrategy({
    name: 'x',
    type: 'rules',
    indicators: {
      fast: { type: 'ema', period: 8 },
      slow: { type: 'sma', period: 30 },
      bb: { type: 'bollinger', period: 20 },
    },
    entry: {
      long: { crosses_above: ['fast', 'slow'] },
      short: { crosses_below: ['close', 'bb.lower'] },
    },
    exit: {
      long: { crosses_below: ['fast', 'slow'] },
      short: { crosses_above: ['close', 'bb.middle'] },
    },
    risk: { stop_loss: 0.03, take_profit: 0.06 },
  });
  const bars = randomWalkBars({ seed: 21, count: 6000, timeframe: '1h' });
  const money = { initialCapital: 1e5, commission: 0.001, slippage: 0.0005 };
  const json = (output: ReturnType<typeof runBacktest>) => [...fullResultChunks(output)].join('');

  it('resumed from any checkpoint, the result is byte for byte the uninterrupted one', () => {
    const checkpoints: BacktestCheckpoint[] = [];
    const uninterrupted = runBacktest(bars, strategy, money, {
      checkpointEvery: 500,
      onCheckpoint: (_at, take) => checkpoints.push(take()),
    });
    const expected = json(uninterrupted);
    const expectedDisplay = JSON.stringify(toBacktestResult(uninterrupted));
    assert.equal(checkpoints.length, 11);
    assert.ok(uninterrupted.trades.length > 50);
    for (const checkpoint of checkpoints) {
      const restored = decodeCheckpoint(encodeCheckpoint(checkpoint));
      const resumed = runBacktest(bars, strategy, money, { resumeFrom: restored });
      assert.equal(json(resumed), expected, `resumed at bar ${checkpoint.barIndex}`);
      // the bytes as a Node Buffer inside a larger one (a file read back, a pooled chunk)
      const encoded = encodeCheckpoint(checkpoint);
      const pooled = Buffer.alloc(encoded.length + 13);
      pooled.set(encoded, 5);
      const fromBuffer = decodeCheckpoint(pooled.subarray(5, 5 + encoded.length));
      assert.deepEqual(Array.from(fromBuffer.equity), Array.from(restored.equity));
      assert.equal(JSON.stringify(toBacktestResult(resumed)), expectedDisplay);
    }
  });

  it('a stop-loss without a take-profit (NaN in the state) resumes exactly from every bar', () => {
    // found by the chaos run: JSON wrote the NaN "no take-profit" price as null, which
    // compares as a take-profit at 0, so a resumed long position closed at once
    const stopOnly = parseRulesStrategy({
      name: 'stop_only',
      type: 'rules',
      indicators: { fast: { type: 'ema', period: 3 }, slow: { type: 'sma', period: 8 } },
      entry: { long: { crosses_above: ['fast', 'slow'] } },
      exit: { long: { crosses_below: ['fast', 'slow'] } },
      risk: { stop_loss: 0.02 },
    });
    const walk = randomWalkBars({ seed: 5, count: 1200, timeframe: '1h' });
    const all: BacktestCheckpoint[] = [];
    const expected = json(
      runBacktest(walk, stopOnly, money, {
        checkpointEvery: 1,
        onCheckpoint: (_at, take) => all.push(take()),
      }),
    );
    const wrong = all
      .filter((checkpoint) => {
        const restored = decodeCheckpoint(encodeCheckpoint(checkpoint));
        return json(runBacktest(walk, stopOnly, money, { resumeFrom: restored })) !== expected;
      })
      .map((c) => c.barIndex);
    assert.equal(all.length, 1199);
    assert.deepEqual(wrong, [], 'every resume equals the uninterrupted run');
  });

  it('refuses a checkpoint taken on other data', () => {
    let checkpoint: BacktestCheckpoint | undefined;
    runBacktest(bars, strategy, money, {
      checkpointEvery: 1000,
      onCheckpoint: (_at, take) => (checkpoint ??= take()),
    });
    const other = randomWalkBars({ seed: 21, count: 5000, timeframe: '1h' });
    assert.throws(
      () => runBacktest(other, strategy, money, { resumeFrom: checkpoint! }),
      /taken on other data/,
    );
  });
});

describe('display result', () => {
  it('keeps at most 5,000 points, the first and last, and every extreme of the curve', () => {
    const strategy = parseRulesStrategy({
      name: 'x',
      type: 'rules',
      indicators: { f: { type: 'ema', period: 5 }, s: { type: 'ema', period: 50 } },
      entry: { long: { crosses_above: ['f', 's'] } },
      exit: { long: { crosses_below: ['f', 's'] } },
    });
    const output = runBacktest(randomWalkBars({ seed: 2, count: 100_000 }), strategy, {
      initialCapital: 1e5,
      commission: 0.001,
      slippage: 0,
    });
    const result = toBacktestResult(output);
    assert.ok(result.equity_curve.length <= 5000);
    assert.equal(result.equity_points_total, 100_000);
    assert.equal(result.trades_total, output.trades.length);
    assert.ok(result.trades.length <= 5000);
    const values = result.equity_curve.map((p) => p.equity);
    const all = Array.from(output.equity);
    assert.equal(Math.max(...values), Number(Math.max(...all).toFixed(6)), 'the peak survives');
    assert.equal(Math.min(...values), Number(Math.min(...all).toFixed(6)), 'the trough survives');
    assert.equal(
      Math.max(...result.equity_curve.map((p) => p.drawdown)),
      Number(Math.max(...Array.from(output.drawdown)).toFixed(10)),
      'the worst drawdown survives',
    );
    const indices = shapePreservingIndices(output.equity, 5000);
    assert.equal(indices[0], 0);
    assert.equal(indices.at(-1), 99_999);
    assert.ok(
      indices.every((v, i) => i === 0 || v > indices[i - 1]!),
      'in time order, no duplicates',
    );
    // sizes whose bucket edges round below the end (5,105 bars: the bundled S&P) keep the last bar too
    for (const n of [5105, 4999 * 4 + 3, 12_345, 77_777]) {
      const last = shapePreservingIndices(
        new Float64Array(n).map((_, i) => Math.sin(i)),
        5000,
      ).at(-1);
      assert.equal(last, n - 1, `${n} points`);
    }
    const full = JSON.parse([...fullResultChunks(output)].join('')) as {
      equity_curve: unknown[];
      trades: unknown[];
    };
    assert.equal(full.equity_curve.length, 100_000);
    assert.equal(full.trades.length, output.trades.length);
  });
});
