import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canResample, randomWalkBars, resample, strategyIssues } from '../src/index.js';

describe('resampling', () => {
  it('aggregates OHLCV into UTC-aligned coarser bars', () => {
    const minutes = randomWalkBars({
      seed: 3,
      count: 125,
      timeframe: '1m',
      startTime: Date.UTC(2024, 0, 1, 9, 3),
    });
    const fives = resample(minutes, '5m');
    assert.equal(fives.timeframe, '5m');
    assert.equal(
      fives.time[0],
      Date.UTC(2024, 0, 1, 9, 0),
      'the first bucket starts on the 5-minute boundary',
    );
    assert.equal(fives.open[0], minutes.open[0]);
    assert.equal(fives.close[0], minutes.close[1], 'the 09:00 bucket holds 09:03 and 09:04');
    const second = { from: 2, to: 7 };
    assert.equal(fives.open[1], minutes.open[second.from]);
    assert.equal(fives.close[1], minutes.close[second.to - 1]);
    assert.equal(fives.high[1], Math.max(...minutes.high.subarray(second.from, second.to)));
    assert.equal(fives.low[1], Math.min(...minutes.low.subarray(second.from, second.to)));
    assert.equal(
      fives.volume[1],
      minutes.volume.subarray(second.from, second.to).reduce((a, b) => a + b, 0),
    );
    const total = (b: { volume: Float64Array }) => b.volume.reduce((a, v) => a + v, 0);
    assert.equal(total(fives), total(minutes), 'no volume is lost');
    const daily = resample(resample(minutes, '1h'), '1d');
    assert.equal(daily.time.length, 1);
    assert.equal(daily.high[0], Math.max(...minutes.high));
  });

  it('only goes to coarser whole multiples', () => {
    assert.equal(canResample('1m', '1h'), true);
    assert.equal(canResample('1h', '4h'), true);
    assert.equal(canResample('4h', '1h'), false);
    assert.equal(canResample('1h', '1h'), false);
    assert.throws(
      () => resample(randomWalkBars({ seed: 1, count: 10, timeframe: '1h' }), '5m'),
      /must be coarser/,
    );
  });
});

describe('neuro_fuzzy strategies (schema and validation)', () => {
  const valid = {
    name: 'nf',
    type: 'neuro_fuzzy',
    indicators: { rsi: { type: 'rsi', period: 14 }, macd: { type: 'macd' } },
    fuzzy_sets: {
      rsi: {
        low: { type: 'triangular', parameters: [0, 20, 40] },
        high: { type: 'trapezoid', parameters: [60, 70, 100, 100] },
      },
      'macd.histogram': { up: { type: 'gaussian', parameters: [1, 0.5] } },
    },
    model: { type: 'mlp', hidden_layers: [16, 8], lookback: 3 },
    training: {
      labels: { method: 'zigzag', threshold: 0.03, lookahead: 10 },
      split: { train: 0.7, validation: 0.15, test: 0.15 },
      early_stopping: { patience: 3 },
    },
    decisions: { confidence_threshold: 0.6 },
  };

  it('accepts a complete one', () => {
    assert.deepEqual(strategyIssues(valid), []);
  });

  it('names each problem by its path', () => {
    const issues = strategyIssues({
      ...valid,
      fuzzy_sets: {
        rsi: {
          low: { type: 'triangular', parameters: [40, 20, 0] },
          mid: { type: 'gaussian', parameters: [50, 0] },
        },
        volume_ma: { big: { type: 'trapezoid', parameters: [1, 2, 3] } },
      },
      model: { type: 'mlp', hidden_layers: [], lookback: 0 },
      training: {
        labels: { method: 'zigzag', threshold: 1.5, lookahead: 10 },
        split: { train: 0.8, validation: 0.15, test: 0.15 },
      },
      decisions: { confidence_threshold: 2 },
    }).map((i) => `${i.path}: ${i.message}`);
    const expectIssue = (prefix: string) =>
      assert.ok(
        issues.some((t) => t.startsWith(prefix)),
        `${prefix}\n${issues.join('\n')}`,
      );
    expectIssue('fuzzy_sets.rsi.low.parameters: must be in increasing order');
    expectIssue('fuzzy_sets.rsi.mid.parameters.1: sigma must be > 0');
    expectIssue('fuzzy_sets.volume_ma: "volume_ma" is not an indicator output');
    expectIssue('fuzzy_sets.volume_ma.big.parameters: a trapezoid membership takes 4 numbers');
    expectIssue('model.hidden_layers: must not have fewer than 1');
    expectIssue('model.lookback: must be >= 1');
    expectIssue('training.labels.threshold: must be < 1');
    expectIssue('training.split: train + validation + test must be 1 (they add up to 1.1)');
    expectIssue('decisions.confidence_threshold: must be <= 1');
  });

  it('names an unknown strategy type', () => {
    assert.deepEqual(strategyIssues({ ...valid, type: 'magic' }), [
      { path: 'type', message: 'unknown strategy type "magic"; use rules or neuro_fuzzy' },
    ]);
  });
});
