import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@ktrdr/engine/data';
import { LeaderboardTop, ranksAhead, type RankKey } from '../../src/sweeps/leaderboard-top.js';

/** The store's order: meets DESC, score DESC (nulls last), set_index. */
const storeOrder = (a: RankKey, b: RankKey) =>
  b.meets - a.meets ||
  (a.score === b.score ? 0 : a.score === null ? 1 : b.score === null ? -1 : b.score - a.score) ||
  a.set_index - b.set_index;

describe('the in-memory leaderboard of a running sweep', () => {
  it('keeps exactly the best 50 of 20,000 results in the store’s rank order, whatever the arrival order', () => {
    const random = seededRandom(7);
    const keys: RankKey[] = Array.from({ length: 20_000 }, (_, i) => ({
      set_index: i,
      meets: random() < 0.7 ? 1 : 0,
      // ties on purpose (rounded scores) and some sets with no value
      score: random() < 0.05 ? null : Math.round(random() * 200) / 100,
    }));
    const shuffled = [...keys].sort(() => random() - 0.5);
    const board = new LeaderboardTop(50);
    for (const key of shuffled) board.offer(null, key);
    assert.deepEqual(board.top(null), [...keys].sort(storeOrder).slice(0, 50));
    assert.deepEqual(board.top(null, 5), [...keys].sort(storeOrder).slice(0, 5));
    assert.deepEqual(board.top(3), [], 'another window has its own list');
  });

  it('ranks by constraints first, then score with nulls last, then index', () => {
    const a = { set_index: 4, meets: 1, score: null };
    const b = { set_index: 9, meets: 0, score: 9 };
    assert.ok(ranksAhead(a, b), 'meeting the constraints beats any score');
    assert.ok(ranksAhead({ set_index: 2, meets: 1, score: 0.1 }, a), 'a value beats none');
    assert.ok(
      ranksAhead({ set_index: 1, meets: 1, score: 1 }, { set_index: 2, meets: 1, score: 1 }),
    );
    const seeded = new LeaderboardTop(2);
    seeded.seed(null, [b, { set_index: 1, meets: 0, score: 1 }]);
    seeded.offer(null, a);
    assert.deepEqual(
      seeded.top(null).map((k) => k.set_index),
      [4, 9],
    );
  });
});
