import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackendClient, type SweepStartRequest } from '@ktrdr/shared';
import { startWorkerProcess, tempDir, waitFor } from '@ktrdr/testkit';
import { openDatabase } from '../../src/storage/database.js';
import { startCluster, startTestBackend, TEST_TOKEN, type Cluster } from './cluster-fixture.js';

/**
 * A large sweep starts running once its first slice of sets is stored; the rest are stored
 * while its shards run. Whatever happens meanwhile (a cancel, a resume, a backend that
 * stops), every set is stored once and runs once, or the sweep says which were not stored.
 */
describe('a sweep whose sets are stored while it runs', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ workerCount: 2 });
  });
  after(async () => cluster.close());

  // the 408-bar slice: a set takes well under a millisecond
  const sweep = (sets: 12_000 | 60_000): SweepStartRequest => ({
    strategy_name: 'sma_crossover',
    start_date: '2018-09-01',
    parameters: {
      'indicators.fast.period': { from: 2, to: sets === 12_000 ? 61 : 101, step: 1 },
      'indicators.slow.period': { from: 102, to: 301, step: 1 },
      ...(sets === 60_000 ? { 'position.value': [0.6, 0.8, 1] } : {}),
    },
  });
  const ended = (id: string) =>
    cluster.until(
      id,
      (op) => ['completed', 'failed', 'cancelled'].includes(op.status),
      `${id} ended`,
      120_000,
    );
  const shardsOf = async (id: string) =>
    (
      await cluster.client.listOperations({ parent_operation_id: id, limit: 1000 })
    ).operations.filter((c) => c.operation_type === 'sweep_shard');
  /** Sets the sweep's completed shards ran (all but `except`). */
  const setsRun = async (id: string, except = new Set<string>()) =>
    (await shardsOf(id))
      .filter((s) => !except.has(s.operation_id))
      .reduce((n, s) => n + Number(s.result_summary?.completed ?? 0), 0);

  it('runs every one of 12,000 sets once, the last slices stored after the start answered', async () => {
    const { operation_id } = await cluster.client.startSweep(sweep(12_000));
    const done = await ended(operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    const result = await cluster.client.getSweepResult(operation_id);
    assert.deepEqual(result.counts, {
      pending: 0,
      running: 0,
      completed: 12_000,
      failed: 0,
      cancelled: 0,
    });
    assert.equal(await setsRun(operation_id), 12_000);
    const last = await cluster.client.getSweepSets(operation_id, {
      sort: 'set_index',
      order: 'desc',
      limit: 1,
    });
    assert.equal(last.total, 12_000);
    assert.deepEqual(last.rows[0]!.parameters, {
      'indicators.fast.period': 61,
      'indicators.slow.period': 301,
    });
  });

  it('walk-forward: a window tests its best set out of sample only once all its sets are stored and ended', async () => {
    // 8 windows × 1,000 sets: windows 5–7 are stored after the start answered
    const { operation_id } = await cluster.client.startSweep({
      strategy_name: 'sma_crossover',
      parameters: {
        'indicators.fast.period': { from: 2, to: 41, step: 1 },
        'indicators.slow.period': { from: 102, to: 126, step: 1 },
      },
      walk_forward: { in_sample_bars: 1000, out_of_sample_bars: 500 },
    });
    const done = await ended(operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    const result = await cluster.client.getSweepResult(operation_id);
    assert.equal(result.counts.completed, 8 * 1000 + 8, 'every set and one run per window');
    const tests = (
      await cluster.client.listOperations({ parent_operation_id: operation_id, limit: 1000 })
    ).operations.filter((c) => c.operation_type === 'backtesting');
    assert.equal(tests.length, 8, 'one out-of-sample backtest per window, none twice');
    for (const w of result.walk_forward!.windows) {
      const best = result.leaderboard.find((r) => r.window === w.window && r.rank === 1)!;
      assert.deepEqual(w.best_parameters, best.parameters, `window ${w.window} tests its winner`);
      assert.equal(w.out_of_sample_status, 'completed');
      // the winner of all 1,000 sets of the window, not of those stored first
      const window = await cluster.client.getSweepSets(operation_id, {
        window: w.window,
        status: 'completed',
        limit: 1,
      });
      assert.equal(window.total, 1000, `window ${w.window}`);
      assert.deepEqual(window.rows[0]!.parameters, best.parameters);
    }
  });

  it('cancelled at once, it answers with every set stored and none waiting; resumed, it runs each unfinished set once', async () => {
    const { operation_id } = await cluster.client.startSweep(sweep(60_000));
    const cancelled = await cluster.client.cancelOperation(operation_id, 'changed my mind');
    assert.equal(cancelled.status, 'cancelled');
    const counts = (await cluster.client.getSweepResult(operation_id)).counts;
    assert.equal(counts.pending, 0);
    assert.equal(counts.running, 0);
    assert.equal((counts.completed ?? 0) + (counts.cancelled ?? 0), 60_000, JSON.stringify(counts));
    assert.equal(cancelled.progress.steps_total, 60_000);
    const ranBefore = counts.completed ?? 0;
    const shardsBefore = new Set((await shardsOf(operation_id)).map((s) => s.operation_id));

    await cluster.client.resumeOperation(operation_id);
    const done = await ended(operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal((await cluster.client.getSweepResult(operation_id)).counts.completed, 60_000);
    // the resume ran exactly the sets the cancel stopped
    assert.equal(await setsRun(operation_id, shardsBefore), 60_000 - ranBefore);
  });
});

describe('a backend that stopped while it stored a sweep’s sets', () => {
  it('fails the sweep when it starts again, saying how many sets were stored; and refuses to resume it', async () => {
    const dir = tempDir();
    const first = await startTestBackend(dir.path);
    const client = (url: string) => new BackendClient({ baseUrl: url, token: TEST_TOKEN });
    // a slow worker: the sweep is still running when the backend stops
    const worker = await startWorkerProcess({
      backendUrl: first.url,
      token: TEST_TOKEN,
      cacheDir: `${dir.path}/worker`,
      env: { KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '2000' },
    });
    try {
      await waitFor('worker registered', () => first.backend.ctx.registry.get(worker.workerId));
      const request: SweepStartRequest = {
        strategy_name: 'sma_crossover',
        start_date: '2018-09-01',
        parameters: {
          'indicators.fast.period': { from: 2, to: 61, step: 1 },
          'indicators.slow.period': { from: 102, to: 301, step: 1 },
        },
      };
      const { operation_id } = await client(first.url).startSweep(request);
      await first.close();
      // as if the backend had died before the last slice was stored
      // through the storage seam: whichever SQLite driver this runtime has
      const db = openDatabase(`${dir.path}/data/ktrdr.db`);
      const removed = db
        .prepare('DELETE FROM sweep_sets WHERE sweep_id = ? AND set_index >= 9000')
        .run(operation_id).changes;
      db.close();
      assert.equal(removed, 3000);

      const second = await startTestBackend(dir.path);
      try {
        const api = client(second.url);
        const failed = await api.getOperation(operation_id);
        assert.equal(failed.status, 'failed');
        assert.match(
          failed.error_message ?? '',
          /has only 9000 of its 12000 parameter sets stored \(the backend stopped while storing them\); retry it/,
        );
        await assert.rejects(api.resumeOperation(operation_id), (error: Error) => {
          assert.match(error.message, /only 9000 of its 12000 parameter sets stored/);
          assert.equal((error as { status?: number }).status, 409);
          return true;
        });
      } finally {
        await second.close();
      }
    } finally {
      await worker.stop('SIGKILL');
      dir.remove();
    }
  });
});
