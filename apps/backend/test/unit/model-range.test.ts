import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelSplit } from '@ktrdr/shared';
import { modelRange } from '../../src/backtests/model-range.js';

const SPLIT: ModelSplit = {
  train: { start: '2000-02-01T00:00:00.000Z', end: '2014-09-30T00:00:00.000Z' },
  validation: { start: '2014-10-01T00:00:00.000Z', end: '2017-12-01T00:00:00.000Z' },
  test: { start: '2017-12-04T00:00:00.000Z', end: '2020-11-02T00:00:00.000Z' },
};

/** The two questions the defaulting asks of the model store, for a new and an old model. */
const models = {
  featureSpecHash: (id: string) => (id === 'new' || id === 'old' ? 'abc' : undefined),
  split: (id: string) => (id === 'new' ? SPLIT : undefined),
};

describe('a model backtest’s range: out-of-sample by default', () => {
  it('fills the missing dates with the model’s test split and says so', () => {
    const { body, note } = modelRange(models, { strategy_name: 'nf', model_id: 'new' });
    assert.equal(body.start_date, SPLIT.test!.start);
    assert.equal(body.end_date, SPLIT.test!.end);
    assert.equal(note, 'test split of new: 2017-12-04 → 2020-11-02, not seen in training');
    // one date given: only the other is filled
    const half = modelRange(models, {
      strategy_name: 'nf',
      model_id: 'new',
      start_date: '2019-01-01',
    });
    assert.equal(half.body.start_date, '2019-01-01');
    assert.equal(half.body.end_date, SPLIT.test!.end);
    assert.equal(half.note, 'end_date: the end of the test split of new (2020-11-02)');
  });

  it('leaves a request that names both dates, a rules backtest and an unknown model alone', () => {
    const both = { strategy_name: 'nf', model_id: 'new', start_date: 'a', end_date: 'b' };
    assert.deepEqual(modelRange(models, both), { body: both });
    assert.deepEqual(modelRange(models, { strategy_name: 'sma' }), {
      body: { strategy_name: 'sma' },
    });
    const unknown = { strategy_name: 'nf', model_id: 'nope' };
    assert.deepEqual(modelRange(models, unknown), { body: unknown }, 'the model check’s 400');
  });

  it('a model trained before its split was kept: today’s range, and the note says so', () => {
    const body = { strategy_name: 'nf', model_id: 'old' };
    const range = modelRange(models, body);
    assert.deepEqual(range.body, body, "the strategy's default dates apply");
    assert.match(
      range.note ?? '',
      /^model old has no stored split dates .* may include the data the model was trained on$/,
    );
  });
});
