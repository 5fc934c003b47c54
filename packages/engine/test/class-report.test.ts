import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { majorityBaseline, perClassFigures } from '../src/training/class-report.js';

// confusion[actual][predicted], BUY / HOLD / SELL: 3 BUY rows, 7 HOLD, 5 SELL (15)
const confusion = [
  [2, 1, 0],
  [1, 5, 1],
  [0, 2, 3],
];

describe('a training run’s test figures beside accuracy', () => {
  it('the majority-class baseline: always answering the most frequent class', () => {
    assert.deepEqual(majorityBaseline(confusion), { label: 'HOLD', accuracy: 7 / 15 });
    // a tie goes to the first class in BUY, HOLD, SELL order
    assert.deepEqual(
      majorityBaseline([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 0],
      ]),
      { label: 'BUY', accuracy: 0.5 },
    );
    assert.deepEqual(majorityBaseline([[], [], []]), { label: 'BUY', accuracy: null });
  });

  it('per-class precision (over its predictions), recall (over its rows) and support', () => {
    assert.deepEqual(perClassFigures(confusion), {
      BUY: { precision: 2 / 3, recall: 2 / 3, support: 3 },
      HOLD: { precision: 5 / 8, recall: 5 / 7, support: 7 },
      SELL: { precision: 3 / 4, recall: 3 / 5, support: 5 },
    });
    // never predicted, no rows: 0, not NaN
    assert.deepEqual(
      perClassFigures([
        [1, 0, 0],
        [1, 0, 0],
        [0, 0, 0],
      ]).SELL,
      { precision: 0, recall: 0, support: 0 },
    );
  });
});
