import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inSampleFields, splitSegments, type TradeRecord } from '../src/index.js';

const DAY = 86_400_000;
const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

function trade(entryDay: number, pnl: number): TradeRecord {
  return {
    entryTime: entryDay * DAY,
    exitTime: (entryDay + 1) * DAY,
    side: 'long',
    entryPrice: 100,
    exitPrice: 100 + pnl,
    size: 1,
    pnl,
    fees: 0,
    holdingBars: 1,
    exitReason: 'signal',
  };
}

// day 0 before training; days 1–3 train; day 4 validation; day 5 test; day 6 after
const split = {
  train: { start: 1 * DAY, end: 3 * DAY },
  validation: { start: 4 * DAY, end: 4 * DAY },
  test: { start: 5 * DAY, end: 5 * DAY },
};
const time = Float64Array.from([0, 1, 2, 3, 4, 5, 6], (d) => d * DAY);
const equity = Float64Array.from([100, 110, 99, 108.9, 108.9, 119.79, 119.79]);
// entries on days 2 and 3 (train), day 6 (after): a trade belongs to its entry's segment
const trades = [trade(2, 5), trade(3, -2), trade(6, 3)];

// every figure below is worked out by hand from the numbers above (docs/metrics.md, "Segments")
describe('segments of a model backtest: its bars split by the model’s data split', () => {
  it('splits the bars into consecutive segments whose bars add up, each with its own metrics', () => {
    const segments = splitSegments(time, equity, trades, split);
    assert.deepEqual(
      segments.map((s) => [s.segment, s.bars, s.start_date.slice(0, 10), s.end_date.slice(0, 10)]),
      [
        ['before_training', 1, '1970-01-01', '1970-01-01'],
        ['train', 3, '1970-01-02', '1970-01-04'],
        ['validation', 1, '1970-01-05', '1970-01-05'],
        ['test', 1, '1970-01-06', '1970-01-06'],
        ['after_training', 1, '1970-01-07', '1970-01-07'],
      ],
    );
    assert.equal(
      segments.reduce((sum, s) => sum + s.bars, 0),
      time.length,
    );
    const [before, train, validation, test, afterTraining] = segments.map((s) => s.metrics);
    // the first segment starts at the first bar: nothing moved yet
    assert.deepEqual(before, {
      total_return: 0,
      sharpe_ratio: 0,
      max_drawdown: 0,
      total_trades: 0,
      win_rate: 0,
    });
    // train starts from day 0's close (100): 108.9 / 100 − 1; the trough 99 under the peak 110
    near(train!.total_return, 0.089, 'train return');
    near(train!.max_drawdown, 0.1, 'train drawdown');
    // returns +0.1, −0.1, +0.1: mean 1/30, sample std √(0.04/3), 365.25 bars a year
    near(train!.sharpe_ratio, Math.sqrt(365.25 / 12), 'train sharpe');
    assert.equal(train!.total_trades, 2);
    near(train!.win_rate, 0.5, 'train win rate');
    near(validation!.total_return, 0, 'validation return');
    near(test!.total_return, 0.1, 'test return: 119.79 / 108.9 − 1');
    assert.equal(test!.total_trades, 0);
    assert.equal(afterTraining!.total_trades, 1);
    near(afterTraining!.win_rate, 1, 'after-training win rate');
    // from the bar before each segment: the segments' returns compound to the run's
    const compounded = segments.reduce((p, s) => p * (1 + s.metrics.total_return), 1);
    near(compounded, 119.79 / 100, 'compounded');
  });

  it('warns with the share of the range the model learnt from (train and validation)', () => {
    const fields = inSampleFields(time, equity, trades, split);
    assert.equal(fields.segments?.length, 5);
    near(fields.in_sample!.fraction, Math.round((4 / 7) * 1e6) / 1e6, 'fraction');
    assert.match(fields.in_sample!.message, /^57 % of this range was used in training/);
  });

  it('says nothing when the range holds none of the training or validation bars', () => {
    const later = Float64Array.from([5, 6], (d) => d * DAY);
    assert.deepEqual(inSampleFields(later, Float64Array.from([100, 101]), [], split), {});
  });
});
