import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '@ktrdr/shared';
import { dimensionValues, parameterSets } from '../../src/sweeps/parameter-space.js';

describe('sweep parameter space', () => {
  it('expands ranges inclusively, without float noise', () => {
    assert.deepEqual(dimensionValues('a', { from: 30, to: 200, step: 10 }).length, 18);
    assert.deepEqual(
      dimensionValues('b', { from: 0.1, to: 0.5, step: 0.1 }),
      [0.1, 0.2, 0.3, 0.4, 0.5],
    );
    assert.deepEqual(dimensionValues('c', [5, 'x', true]), [5, 'x', true]);
    assert.throws(() => dimensionValues('d', { from: 5, to: 1, step: 1 }), {
      message: 'parameters.d.to: 1 is below from (5)',
    });
  });

  it('a grid is every combination, the first path varying slowest', () => {
    const { paths, sets, gridSize } = parameterSets(
      { parameters: { 'indicators.fast.period': [5, 10], 'indicators.slow.period': [50, 60, 70] } },
      100,
    );
    assert.deepEqual(paths, ['indicators.fast.period', 'indicators.slow.period']);
    assert.equal(gridSize, 6);
    assert.deepEqual(
      sets.map((s) => [s['indicators.fast.period'], s['indicators.slow.period']]),
      [
        [5, 50],
        [5, 60],
        [5, 70],
        [10, 50],
        [10, 60],
        [10, 70],
      ],
    );
  });

  it('random draws distinct sets, the same for the same seed, all of them when asked for more', () => {
    const space = { a: { from: 1, to: 100, step: 1 }, b: [1, 2, 3] };
    const one = parameterSets({ parameters: space, mode: 'random', samples: 50, seed: 7 }, 1000);
    const two = parameterSets({ parameters: space, mode: 'random', samples: 50, seed: 7 }, 1000);
    assert.equal(one.sets.length, 50);
    assert.deepEqual(one.sets, two.sets, 'replayable');
    assert.equal(new Set(one.sets.map((s) => JSON.stringify(s))).size, 50, 'distinct');
    const other = parameterSets({ parameters: space, mode: 'random', samples: 50, seed: 8 }, 1000);
    assert.notDeepEqual(other.sets, one.sets);
    const all = parameterSets({ parameters: { a: [1, 2] }, mode: 'random', samples: 10 }, 1000);
    assert.equal(all.sets.length, 2);
    assert.throws(() => parameterSets({ parameters: space, mode: 'random' }, 1000), {
      message: /^samples: is required with mode "random"/,
    });
  });

  it('refuses a sweep larger than the limit before making anything, with the count', () => {
    const space = { a: { from: 1, to: 1000, step: 1 }, b: { from: 1, to: 1000, step: 1 } };
    assert.throws(
      () => parameterSets({ parameters: space }, 500),
      (e: unknown) =>
        e instanceof Error &&
        /^parameters: the sweep would run 1000000 parameter sets, more than the 500 allowed \(max_sets/.test(
          e.message,
        ) &&
        !(e instanceof ApiError),
    );
  });
});
