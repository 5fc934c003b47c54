// The sweep sets store on each SQLite driver this runtime can load: rows, shards, results
// counted once, the leaderboard's rank order and a page sorted by any metric.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SWEEP_SET_SORTS } from '@ktrdr/shared';
import { tempDir } from '@ktrdr/testkit';
import { openDatabase, SWEEP_SET_METRIC_COLUMNS } from '../../src/storage/database.js';
import { sqliteDriverUnavailable, type SqliteDriverName } from '../../src/storage/sqlite.js';
import { SweepSetStore, type Ranking } from '../../src/sweeps/sweep-set-store.js';

const DRIVERS: SqliteDriverName[] = ['node-sqlite', 'better-sqlite3'];
const ranking: Ranking = {
  objective: 'sharpe_ratio',
  sign: 1,
  constraints: { total_trades: { min: 10 } },
};
const counted = ({ completed, failed }: { completed: number; failed: number }) => ({
  completed,
  failed,
});
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A batch of results: set i scores `sharpe[i]` with `trades[i]` trades. */
function results(indices: number[], sharpe: (number | null)[], trades: number[]) {
  const metrics: Record<string, (number | null)[]> = {};
  for (const column of SWEEP_SET_METRIC_COLUMNS) metrics[column] = indices.map(() => 0.5);
  metrics.sharpe_ratio = sharpe;
  metrics.total_trades = trades;
  return { set_index: indices, metrics };
}

describe('the sweep set columns', () => {
  // the migration's list is a frozen copy on purpose (a schema must not move with a constant):
  // a metric added to the contract fails here until a migration adds its column
  it('hold every metric a sweep ranks and sorts by, and nothing else', () => {
    assert.deepEqual(
      [...SWEEP_SET_METRIC_COLUMNS].sort(),
      [...SWEEP_SET_SORTS.filter((s) => s !== 'set_index'), 'bars'].sort(),
    );
  });
});

for (const driver of DRIVERS) {
  const unavailable = sqliteDriverUnavailable(driver);
  const skip = unavailable ? `${driver} is not available here: ${unavailable}` : false;

  describe(`sweep sets on ${driver}`, { skip }, () => {
    let dir: ReturnType<typeof tempDir>;
    let store: SweepSetStore;
    before(async () => {
      dir = tempDir('ktrdr-sweep-sets-');
      store = new SweepSetStore(openDatabase(join(dir.path, 'k.db'), { driver }));
      const sets = Array.from({ length: 12_000 }, (_, i) => ({
        set_index: i,
        parameters: { 'indicators.fast.period': i },
      }));
      await store.insert('sw', sets, yieldNow);
    });
    after(() => dir.remove());

    it('hands out sets to shards in order, once each', () => {
      assert.equal(store.counts('sw').pending, 12_000);
      const a = store.assignNext('sw', 'shard-a', 5);
      const b = store.assignNext('sw', 'shard-b', 5);
      assert.deepEqual(
        a.sets.map((s) => s.set_index),
        [0, 1, 2, 3, 4],
      );
      assert.deepEqual(
        b.sets.map((s) => s.set_index),
        [5, 6, 7, 8, 9],
      );
      assert.deepEqual(a.sets[2]!.parameters, { 'indicators.fast.period': 2 });
      assert.equal(store.counts('sw').running, 10);
      assert.deepEqual(
        store.unfinishedOf('shard-a').map((s) => s.set_index),
        [0, 1, 2, 3, 4],
      );
    });

    it('counts a result once, only from the shard that holds the set', () => {
      const first = store.record(
        'sw',
        'shard-a',
        'w1',
        results([0, 1, 2], [1.5, null, 0.2], [20, 5, 30]),
        ranking,
      );
      assert.deepEqual(counted(first), { completed: 3, failed: 0 });
      assert.deepEqual(first.ranked, [
        { set_index: 0, meets: 1, score: 1.5 },
        { set_index: 1, meets: 0, score: null },
        { set_index: 2, meets: 1, score: 0.2 },
      ]);
      // a late duplicate, and a report naming sets another shard holds: nothing changes
      assert.deepEqual(
        counted(store.record('sw', 'shard-a', 'w1', results([0, 5], [9, 9], [50, 50]), ranking)),
        { completed: 0, failed: 0 },
      );
      const failed = store.record(
        'sw',
        'shard-a',
        'w1',
        { set_index: [], metrics: {}, failed: [{ set_index: 3, error: 'no bars' }] },
        ranking,
      );
      assert.deepEqual(counted(failed), { completed: 0, failed: 1 });
      assert.deepEqual(
        store.unfinishedOf('shard-a').map((s) => s.set_index),
        [4],
      );
      assert.equal(store.get('sw', 0)!.metrics!.sharpe_ratio, 1.5);
      assert.equal(store.get('sw', 3)!.error, 'no bars');
    });

    it('ranks sets meeting the constraints first, then by the objective, nulls last', () => {
      store.record(
        'sw',
        'shard-b',
        'w2',
        results([5, 6, 7], [2.5, 0.9, 3.1], [12, 40, 2]),
        ranking,
      );
      // 5: 2.5 meets; 0: 1.5 meets; 6: 0.9 meets; 2: 0.2 meets; 7: 3.1 breaks; 1: null breaks
      const top = store.top('sw', null, 10);
      assert.deepEqual(
        top.map((r) => [r.set_index, r.rank, r.meets_constraints]),
        [
          [5, 1, true],
          [0, 2, true],
          [6, 3, true],
          [2, 4, true],
          [7, 5, false],
          [1, 6, false],
        ],
      );
      for (const row of top) assert.equal(store.get('sw', row.set_index)!.rank, row.rank);
      const byTrades = store.page('sw', { sort: 'total_trades', status: 'completed' }, ranking);
      assert.deepEqual(
        byTrades.rows.map((r) => [r.set_index, r.rank]),
        [
          [6, 3],
          [2, 4],
          [0, 2],
          [5, 1],
          [1, 6],
          [7, 5],
        ],
      );
      const page = store.page('sw', { limit: 2, offset: 2 }, ranking);
      assert.equal(page.total, 12_000);
      assert.deepEqual(
        page.rows.map((r) => r.set_index),
        [6, 2],
      );
      assert.equal(store.page('sw', { meets_constraints: false }, ranking).total, 2);
    });

    it('frees, cancels and reopens sets without touching completed ones', () => {
      assert.equal(store.release('shard-a', 'pending'), 1); // set 4 goes back in line
      assert.equal(store.release('shard-b', 'cancelled', 'cancelled'), 2); // 8, 9
      assert.equal(store.cancelPending('sw', 'cancelled'), 11_990 + 1);
      const counts = store.counts('sw');
      assert.deepEqual(counts, {
        pending: 0,
        running: 0,
        completed: 6,
        failed: 1,
        cancelled: 11_993,
      });
      // a set that finished while its shard was being cancelled still counts
      assert.deepEqual(
        counted(store.record('sw', 'shard-b', 'w2', results([8], [0.1], [11]), ranking)),
        { completed: 1, failed: 0 },
      );
      assert.equal(store.reopen('sw'), 11_993);
      assert.deepEqual(store.counts('sw'), {
        pending: 11_993,
        running: 0,
        completed: 7,
        failed: 0,
        cancelled: 0,
      });
      assert.equal(store.get('sw', 5)!.metrics!.sharpe_ratio, 2.5);
    });

    it('sorts by a swept parameter: numbers by value (9 before 10), then text, missing last', async () => {
      // as text 10 < 9 < 100; by value 9 < 10 < 100 — and a set with no value goes last
      const values: (number | string | undefined)[] = [10, 9, 100, 'fast', 9, undefined, 2.5];
      await store.insert(
        'pp',
        values.map((v, i) => ({
          set_index: i,
          parameters: {
            other: 1,
            ...(v === undefined ? {} : { 'indicators.fast.period': v }),
          },
        })),
        yieldNow,
      );
      const sorted = (order?: 'asc' | 'desc') =>
        store
          .page(
            'pp',
            { sort: 'param:indicators.fast.period', ...(order ? { order } : {}) },
            ranking,
          )
          .rows.map((r) => r.set_index);
      // equal values keep set order (1 before 4)
      assert.deepEqual(sorted(), [6, 1, 4, 0, 2, 3, 5]);
      assert.deepEqual(sorted('asc'), [6, 1, 4, 0, 2, 3, 5]);
      assert.deepEqual(sorted('desc'), [3, 2, 0, 1, 4, 6, 5]);
      const page = store.page(
        'pp',
        { sort: 'param:indicators.fast.period', limit: 2, offset: 1 },
        ranking,
      );
      assert.deepEqual(
        page.rows.map((r) => r.parameters['indicators.fast.period']),
        [9, 9],
      );
    });
  });
}
