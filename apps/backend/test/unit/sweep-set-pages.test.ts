// Pages of a sweep's sets against SQL's own ranking (a window function over every row, what
// the store did before it kept the rank order in memory): random sweeps with walk-forward
// windows, ties, missing scores and every status, every filter and order, many offsets, on
// each SQLite driver this runtime can load; and the order follows new results.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '@ktrdr/engine/data';
import { SWEEP_SET_STATUSES, type SweepSetsQuery } from '@ktrdr/shared';
import { tempDir } from '@ktrdr/testkit';
import { openDatabase, SWEEP_SET_METRIC_COLUMNS, type Db } from '../../src/storage/database.js';
import { sqliteDriverUnavailable, type SqliteDriverName } from '../../src/storage/sqlite.js';
import { toWire, type SetRow } from '../../src/sweeps/sweep-set-row.js';
import { SweepSetPages } from '../../src/sweeps/sweep-set-pages.js';
import { SweepSetStore, type Ranking } from '../../src/sweeps/sweep-set-store.js';

const DRIVERS: SqliteDriverName[] = ['node-sqlite', 'better-sqlite3'];
const ranking: Ranking = {
  objective: 'sharpe_ratio',
  sign: 1,
  constraints: { total_trades: { min: 10 } },
};
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The page as SQL ranks it: ROW_NUMBER within each window over every row, then filter and sort. */
function reference(db: Db, sweepId: string, query: SweepSetsQuery, maxRows = 1000) {
  const filters: [string, unknown][] = [['sweep_id = ?', sweepId]];
  if (query.status) filters.push(['status = ?', query.status]);
  if (query.meets_constraints !== undefined)
    filters.push([`status = 'completed' AND meets = ?`, query.meets_constraints ? 1 : 0]);
  if (query.window !== undefined) filters.push(['window = ?', query.window]);
  const clause = filters.map(([sql]) => sql).join(' AND ');
  const params = filters.map(([, value]) => value);
  const rankOrder = 'meets DESC, score DESC, set_index';
  const sort = query.sort ?? ranking.objective;
  let order: string;
  if (sort === 'set_index') order = `set_index ${query.order === 'desc' ? 'DESC' : 'ASC'}`;
  else if (sort === ranking.objective && query.order === undefined)
    order = `status != 'completed', window, ${rankOrder}`;
  else
    order = `status != 'completed', window, ${sort} IS NULL, ${sort} ${query.order === 'asc' ? 'ASC' : 'DESC'}, set_index`;
  const { n: total } = db
    .prepare(`SELECT COUNT(*) AS n FROM sweep_sets WHERE ${clause}`)
    .get(...params) as { n: number };
  const rows = db
    .prepare(
      `WITH ranked AS (
         SELECT *, CASE WHEN status = 'completed' THEN
           ROW_NUMBER() OVER (PARTITION BY window, status = 'completed' ORDER BY ${rankOrder}) END AS rank
         FROM sweep_sets WHERE sweep_id = ?)
       SELECT * FROM ranked WHERE ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`,
    )
    .all(
      sweepId,
      ...params,
      Math.min(query.limit ?? 100, maxRows),
      query.offset ?? 0,
    ) as (SetRow & {
    rank: number | null;
  })[];
  return { total, rows: rows.map((row) => toWire(row, row.rank)) };
}

/** Stores `count` sets (in `windows` windows, or none) and runs them to a random mix of outcomes. */
async function randomSweep(
  store: SweepSetStore,
  sweepId: string,
  count: number,
  windows: number,
  next: () => number,
  /** Called after each shard's batch of results (to read pages while the sweep runs). */
  afterBatch: () => void = () => {},
) {
  await store.insert(
    sweepId,
    Array.from({ length: count }, (_, i) => ({
      set_index: i,
      ...(windows > 0 ? { window: Math.floor((i * windows) / count) } : {}),
      // numbers, booleans, text, and a path some sets lack (the heat map reads them all)
      parameters: {
        'indicators.fast.period': i % 7,
        'exit.trailing': i % 3 === 0,
        ...(i % 5 === 0 ? {} : { mode: `m${i % 4}` }),
      },
    })),
    yieldNow,
  );
  for (let shard = 0; ; shard++) {
    const { sets } = store.assignNext(sweepId, `${sweepId}-s${shard}`, 1 + Math.floor(next() * 40));
    if (sets.length === 0) break;
    const indices = sets.map((s) => s.set_index);
    // most complete (scores on a coarse grid: ties; some missing), a few fail, a few stay running
    const done = indices.filter(() => next() < 0.8);
    const metrics: Record<string, (number | null)[]> = {};
    for (const column of SWEEP_SET_METRIC_COLUMNS)
      metrics[column] = done.map(() => Math.round(next() * 8) / 4);
    // mostly on a grid (ties), some missing, some full doubles (17 digits to tell apart)
    metrics.sharpe_ratio = done.map(() => {
      const draw = next();
      if (draw < 0.1) return null;
      return draw < 0.3 ? next() * 3 - 1 : Math.round(next() * 10) / 5 - 1;
    });
    metrics.total_trades = done.map(() => Math.floor(next() * 20));
    const failed = indices
      .filter((i) => !done.includes(i) && next() < 0.5)
      .map((i) => ({ set_index: i, error: 'no bars' }));
    store.record(
      sweepId,
      `${sweepId}-s${shard}`,
      'w1',
      { set_index: done, metrics, failed },
      ranking,
    );
    afterBatch();
    if (next() < 0.3)
      store.release(`${sweepId}-s${shard}`, next() < 0.5 ? 'pending' : 'cancelled', 'stopped');
    if (shard > count / 25) break; // leave some sets pending
  }
}

/** Every filter and order a page may have, at offsets across the whole sweep. */
function queries(count: number, windows: number): SweepSetsQuery[] {
  const out: SweepSetsQuery[] = [];
  const filters: SweepSetsQuery[] = [
    {},
    { status: 'completed' },
    ...SWEEP_SET_STATUSES.filter((s) => s !== 'completed').map((status) => ({ status })),
    { meets_constraints: true },
    { meets_constraints: false },
    { status: 'pending', meets_constraints: true },
    ...(windows > 0
      ? [
          { window: 0 },
          { window: windows - 1, meets_constraints: true },
          { window: 1, status: 'running' as const },
        ]
      : []),
  ];
  const orders: SweepSetsQuery[] = [
    {},
    { sort: 'sharpe_ratio' },
    { sort: 'sharpe_ratio', order: 'asc' },
    { sort: 'total_trades' },
    { sort: 'set_index', order: 'desc' },
  ];
  for (const filter of filters)
    for (const order of orders)
      for (const offset of [0, 7, Math.floor(count / 3), Math.floor(count * 0.8), count + 5])
        out.push({ ...filter, ...order, offset, limit: 1 + (offset % 60) });
  return out;
}

for (const driver of DRIVERS) {
  const unavailable = sqliteDriverUnavailable(driver);
  const skip = unavailable ? `${driver} is not available here: ${unavailable}` : false;

  describe(`pages of sweep sets on ${driver}`, { skip }, () => {
    let dir: ReturnType<typeof tempDir>;
    let db: Db;
    let store: SweepSetStore;
    before(() => {
      dir = tempDir('ktrdr-sweep-pages-');
      db = openDatabase(join(dir.path, 'k.db'), { driver });
      store = new SweepSetStore(db);
    });
    after(() => dir.remove());

    for (const [sweepId, count, windows, seed] of [
      ['plain', 900, 0, 11],
      ['walk', 700, 3, 12],
    ] as const) {
      it(`equal SQL's ranking in every filter and order (${sweepId}: ${count} sets, ${windows} windows)`, async () => {
        await randomSweep(store, sweepId, count, windows, seededRandom(seed));
        const counts = store.counts(sweepId);
        // the random mix has every status, or the test would prove less than it says
        for (const status of SWEEP_SET_STATUSES) assert.ok(counts[status] > 0, `no ${status} set`);
        for (const query of queries(count, windows))
          assert.deepEqual(
            store.page(sweepId, query, ranking),
            reference(db, sweepId, query),
            JSON.stringify(query),
          );
        // the heat map's read: every row in index order
        const all = { sort: 'set_index' as const, limit: Number.MAX_SAFE_INTEGER };
        assert.deepEqual(
          store.page(sweepId, all, ranking, Number.MAX_SAFE_INTEGER),
          reference(db, sweepId, all, Number.MAX_SAFE_INTEGER),
        );
        // the heat map's points: every set's swept values and rank, in index order
        const windowed = windows > 0 ? 1 : undefined;
        const rowsOfWindow = reference(
          db,
          sweepId,
          { ...all, ...(windowed !== undefined ? { window: windowed } : {}) },
          Number.MAX_SAFE_INTEGER,
        ).rows;
        for (const [y, x] of [
          ['indicators.fast.period', 'mode'],
          ['exit.trailing', 'indicators.fast.period'],
        ] as const)
          assert.deepEqual(
            store.heatPoints(sweepId, windowed, y, x),
            rowsOfWindow.map((row) => ({
              set_index: row.set_index,
              y: row.parameters[y],
              x: row.parameters[x],
              rank: row.rank,
            })),
          );
        // one set's rank is its row's
        for (const row of reference(db, sweepId, { status: 'completed', limit: 50 }).rows)
          assert.equal(store.get(sweepId, row.set_index)!.rank, row.rank);
      });
    }

    it('merges each batch of results into the kept order as SQL would rank it', async () => {
      const sweepId = 'running';
      const count = 600;
      const read = () =>
        [0, 11, 250, 590].flatMap((offset) => [
          { offset, limit: 40 },
          { offset, limit: 40, window: 1 },
          { offset, limit: 40, meets_constraints: true },
        ]);
      let batches = 0;
      await randomSweep(store, sweepId, count, 2, seededRandom(13), () => {
        batches++;
        for (const query of read())
          assert.deepEqual(
            store.page(sweepId, query, ranking),
            reference(db, sweepId, query),
            `after batch ${batches}: ${JSON.stringify(query)}`,
          );
      });
      assert.ok(batches > 10, `only ${batches} batches`);
      // the kept order, merged batch by batch, is the order read afresh
      const all = { limit: Number.MAX_SAFE_INTEGER };
      const merged = store.page(sweepId, all, ranking, Number.MAX_SAFE_INTEGER);
      assert.deepEqual(merged, reference(db, sweepId, all, Number.MAX_SAFE_INTEGER));
    });

    it('drops the kept order when a batch is recorded inside a transaction that rolls back', async () => {
      await store.insert(
        'undo',
        [0, 1, 2].map((i) => ({ set_index: i, parameters: { p: i } })),
        yieldNow,
      );
      store.assignNext('undo', 'undo-s', 3);
      const metrics = Object.fromEntries(SWEEP_SET_METRIC_COLUMNS.map((c) => [c, [20]]));
      assert.equal(store.page('undo', {}, ranking).rows[0]!.rank, null); // the order is kept
      assert.throws(() =>
        db.transaction(() => {
          store.record('undo', 'undo-s', 'w1', { set_index: [1], metrics }, ranking);
          throw new Error('rolled back');
        })(),
      );
      assert.deepEqual(store.page('undo', {}, ranking), reference(db, 'undo', {}));
      assert.equal(store.page('undo', {}, ranking).rows[0]!.rank, null);
    });

    it('reads what merging needs with the first batch only, and still ranks a late result', async () => {
      await store.insert(
        'settled',
        [0, 1, 2, 3].map((i) => ({ set_index: i, parameters: { p: i } })),
        yieldNow,
      );
      store.assignNext('settled', 'settled-s', 4);
      const metrics = (...sharpe: number[]) =>
        Object.fromEntries(
          SWEEP_SET_METRIC_COLUMNS.map((c) => [
            c,
            c === 'sharpe_ratio' ? sharpe : sharpe.map(() => 20),
          ]),
        );
      const pages = new SweepSetPages(db);
      const order = pages.rankOrder('settled');
      assert.equal(order.mergeable, false, 'an order read afresh has no merge data');
      const first = store.record(
        'settled',
        'settled-s',
        'w1',
        { set_index: [0, 1], metrics: metrics(0.1, 0.2) },
        ranking,
      );
      pages.completed('settled', first.ranked, true);
      assert.equal(pages.rankOrder('settled'), order, 'merged, not read again');
      assert.equal(order.mergeable, true);
      assert.deepEqual(pages.page('settled', {}, ranking), reference(db, 'settled', {}));
      // the shard is stopped: its sets are cancelled, then its late report still counts
      store.release('settled-s', 'cancelled', 'stopped');
      assert.deepEqual(store.page('settled', {}, ranking), reference(db, 'settled', {}));
      store.record(
        'settled',
        'settled-s',
        'w1',
        { set_index: [3], metrics: metrics(0.9) },
        ranking,
      );
      assert.deepEqual(
        store.page('settled', {}, ranking).rows.map((r) => [r.set_index, r.rank, r.status]),
        [
          [3, 1, 'completed'],
          [1, 2, 'completed'],
          [0, 3, 'completed'],
          [2, null, 'cancelled'],
        ],
      );
      assert.deepEqual(store.page('settled', {}, ranking), reference(db, 'settled', {}));
    });

    it('follows new results: a set that completes is ranked at once', async () => {
      await store.insert(
        'late',
        [0, 1, 2].map((i) => ({ set_index: i, parameters: { p: i } })),
        yieldNow,
      );
      store.assignNext('late', 'late-s', 3);
      const metrics = (sharpe: number) =>
        Object.fromEntries(
          SWEEP_SET_METRIC_COLUMNS.map((c) => [c, [c === 'sharpe_ratio' ? sharpe : 20]]),
        );
      store.record('late', 'late-s', 'w1', { set_index: [1], metrics: metrics(0.5) }, ranking);
      assert.deepEqual(
        store.page('late', {}, ranking).rows.map((r) => [r.set_index, r.rank, r.status]),
        [
          [1, 1, 'completed'],
          [0, null, 'running'],
          [2, null, 'running'],
        ],
      );
      store.record('late', 'late-s', 'w1', { set_index: [2], metrics: metrics(0.9) }, ranking);
      assert.deepEqual(
        store.page('late', {}, ranking).rows.map((r) => [r.set_index, r.rank]),
        [
          [2, 1],
          [1, 2],
          [0, null],
        ],
      );
      assert.equal(store.get('late', 1)!.rank, 2);
    });
  });
}
