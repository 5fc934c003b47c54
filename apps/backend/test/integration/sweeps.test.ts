import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, type Operation, type SweepResult } from '@ktrdr/shared';
import { startCluster, type Cluster } from './cluster-fixture.js';

/**
 * Parameter sweeps on real worker processes: a parent `sweep` operation in the backend and
 * one backtest per parameter set, spread over every free worker.
 */
describe('parameter sweeps', () => {
  let cluster: Cluster;
  before(async () => {
    // four workers, each backtest ~0.5 s (sma_crossover over ten years of daily bars)
    cluster = await startCluster({ workerCount: 4, throttle: 5000 });
  });
  after(async () => cluster.close());

  const base = { strategy_name: 'sma_crossover', start_date: '2010-01-01' };
  const children = async (id: string): Promise<Operation[]> =>
    (await cluster.client.listOperations({ parent_operation_id: id, limit: 500 })).operations;
  const ended = (id: string, timeoutMs = 60_000) =>
    cluster.until(
      id,
      (op) => ['completed', 'failed', 'cancelled'].includes(op.status),
      `${id} ended`,
      timeoutMs,
    );

  it('a 48-point grid runs on every worker; the leaderboard ranks every set by the objective', async () => {
    const started = await cluster.client.startSweep({
      ...base,
      parameters: {
        'indicators.fast.period': [5, 10, 15, 20, 25, 30],
        'indicators.slow.period': { from: 40, to: 110, step: 10 },
      },
      objective: 'sharpe_ratio',
    });
    assert.equal(started.status, 'running');
    // live: the leaderboard can be read while it runs
    const early = await cluster.client.getSweepResult(started.operation_id);
    assert.equal(early.total, 48);
    const done = await ended(started.operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal(done.operation_type, 'sweep');
    assert.equal(done.progress.percentage, 100);
    assert.equal(done.progress.items_processed, 48);

    const kids = await children(started.operation_id);
    assert.equal(kids.length, 48);
    assert.ok(kids.every((k) => k.status === 'completed'));
    assert.equal(new Set(kids.map((k) => k.worker_id)).size, 4, 'every worker was used');
    // the top-level list shows the sweep, not its 48 children
    const topLevel = (await cluster.client.listOperations({ top_level: true, limit: 1000 }))
      .operations;
    assert.ok(topLevel.some((o) => o.operation_id === started.operation_id));
    assert.ok(topLevel.every((o) => o.parent_operation_id === null));
    // each child is a small message: the strategy by reference, fetched once per worker
    const job = cluster.backend.backend.ctx.operations.get(kids[0]!.operation_id)!.job!;
    const strategy = job.strategy as Record<string, unknown>;
    assert.equal(strategy.config, undefined, 'no strategy body in a child');
    assert.match(String(strategy.base_hash), /^[0-9a-f]{16}$/);
    assert.ok(JSON.stringify(job).length < 700, `${JSON.stringify(job).length} bytes`);

    const result: SweepResult = await cluster.client.getSweepResult(started.operation_id);
    assert.equal(result.objective, 'sharpe_ratio');
    assert.equal(result.direction, 'max');
    assert.deepEqual(result.dimensions, ['indicators.fast.period', 'indicators.slow.period']);
    assert.deepEqual(
      result.leaderboard.map((r) => r.rank),
      Array.from({ length: 48 }, (_, i) => i + 1),
    );
    const sharpe = result.leaderboard.map((r) => r.metrics!.sharpe_ratio!);
    for (let i = 1; i < sharpe.length; i++)
      assert.ok(sharpe[i - 1]! >= sharpe[i]!, `row ${i} is not better than row ${i - 1}`);
    // each row is its child's own result
    for (const row of result.leaderboard.slice(0, 3)) {
      const child = await cluster.client.getBacktestResult(row.operation_id);
      assert.equal(row.metrics!.sharpe_ratio, child.metrics.sharpe_ratio);
      assert.equal(row.metrics!.total_trades, child.metrics.total_trades);
      const op = kids.find((k) => k.operation_id === row.operation_id)!;
      assert.deepEqual(op.metadata.parameters, row.parameters);
    }
    assert.deepEqual(done.result_summary?.best_parameters, result.leaderboard[0]!.parameters);

    const csv = (await cluster.client.getSweepCsv(started.operation_id)).trimEnd().split('\n');
    assert.equal(csv.length, 49);
    assert.match(csv[0]!, /^rank,indicators\.fast\.period,indicators\.slow\.period,sharpe_ratio,/);
    const top = result.leaderboard[0]!;
    assert.ok(
      csv[1]!.startsWith(
        `1,${top.parameters['indicators.fast.period']},${top.parameters['indicators.slow.period']},${top.metrics!.sharpe_ratio}`,
      ),
      csv[1],
    );
  });

  it('ranks by a smaller-is-better objective and puts sets that break a constraint last', async () => {
    const { operation_id } = await cluster.client.startSweep({
      ...base,
      parameters: { 'indicators.fast.period': [5, 10, 20], 'indicators.slow.period': [50, 100] },
      objective: 'max_drawdown',
      constraints: { total_trades: { min: 15 } },
    });
    assert.equal((await ended(operation_id)).status, 'completed');
    const result = await cluster.client.getSweepResult(operation_id);
    assert.equal(result.direction, 'min');
    const rows = result.leaderboard;
    const firstBreaking = rows.findIndex((r) => !r.meets_constraints);
    if (firstBreaking >= 0)
      assert.ok(
        rows.slice(firstBreaking).every((r) => !r.meets_constraints),
        'every set that breaks a constraint ranks after every set that meets them',
      );
    for (const part of [
      rows.filter((r) => r.meets_constraints),
      rows.filter((r) => !r.meets_constraints),
    ])
      for (let i = 1; i < part.length; i++)
        assert.ok(part[i - 1]!.metrics!.max_drawdown! <= part[i]!.metrics!.max_drawdown!);
    for (const row of rows)
      assert.equal(row.meets_constraints, row.metrics!.total_trades! >= 15, JSON.stringify(row));
  });

  it('refuses a bad set or too large a sweep before queueing anything, naming the problem', async () => {
    const before = (await cluster.client.listOperations({ limit: 1 })).total_count;
    await assert.rejects(
      cluster.client.startSweep({
        ...base,
        parameters: { 'indicators.fast.period': [5, 0] },
      }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status === 400 &&
        /^parameters: set 2 of 2 \(\{"indicators\.fast\.period":0\}\): /.test(e.message),
    );
    await assert.rejects(
      cluster.client.startSweep({
        ...base,
        parameters: {
          'indicators.fast.period': { from: 1, to: 100, step: 1 },
          'indicators.slow.period': { from: 101, to: 300, step: 1 },
        },
        max_children: 500,
      }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status === 400 &&
        /^parameters: the sweep would make 20000 backtests, more than the 500 allowed/.test(
          e.message,
        ),
    );
    assert.equal((await cluster.client.listOperations({ limit: 1 })).total_count, before);
  });

  it('walk-forward over the bundled S&P 500: each window picks its best in sample, tests it out of sample, and the curves are stitched', async () => {
    const { operation_id } = await cluster.client.startSweep({
      strategy_name: 'sma_crossover',
      parameters: { 'indicators.fast.period': [10, 20], 'indicators.slow.period': [50, 100] },
      walk_forward: { in_sample_bars: 1000, out_of_sample_bars: 500 },
    });
    const done = await ended(operation_id, 90_000);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    const result = await cluster.client.getSweepResult(operation_id);
    const wf = result.walk_forward!;
    assert.ok(wf, 'a walk-forward section');
    // 5,105 bars: windows start every 500 bars while 1,500 fit
    assert.equal(wf.windows.length, 8);
    const kids = await children(operation_id);
    assert.equal(kids.length, 8 * 4 + 8, '4 in-sample runs and 1 out-of-sample run per window');
    for (const w of wf.windows) {
      const rows = result.leaderboard.filter((r) => r.window === w.window);
      assert.deepEqual(
        rows.map((r) => r.rank),
        [1, 2, 3, 4],
      );
      assert.deepEqual(
        w.best_parameters,
        rows[0]!.parameters,
        `window ${w.window} tests its winner`,
      );
      assert.equal(w.in_sample_value, rows[0]!.metrics!.sharpe_ratio);
      assert.equal(w.out_of_sample_status, 'completed');
      const test = kids.find((k) => k.operation_id === w.out_of_sample_operation_id)!;
      assert.equal(test.metadata.start_date, w.out_of_sample.start);
      assert.equal(test.metadata.end_date, w.out_of_sample.end);
      assert.ok(
        Date.parse(w.out_of_sample.start) > Date.parse(w.in_sample.end),
        'after its in-sample span',
      );
    }
    for (let k = 1; k < wf.windows.length; k++)
      assert.ok(
        Date.parse(wf.windows[k]!.out_of_sample.start) >
          Date.parse(wf.windows[k - 1]!.out_of_sample.end),
        'out-of-sample spans follow each other without overlap',
      );
    const curve = wf.equity_curve;
    assert.ok(curve.length > 3000, `${curve.length} points`);
    assert.equal(curve[0]!.equity, 100_000, 'starts with the initial capital');
    for (let i = 1; i < curve.length; i++) assert.ok(curve[i]!.time > curve[i - 1]!.time);
    assert.ok(curve[0]!.time >= Date.parse(wf.windows[0]!.out_of_sample.start));
    assert.ok(curve.at(-1)!.time <= Date.parse(wf.windows.at(-1)!.out_of_sample.end));
    assert.ok(
      Math.abs(wf.metrics!.total_return! - (curve.at(-1)!.equity / curve[0]!.equity - 1)) < 1e-9,
    );
    assert.ok(wf.metrics!.max_drawdown! > 0 && wf.metrics!.max_drawdown! < 1);
    assert.equal(done.result_summary?.windows, 8);
    assert.equal(
      done.metadata.phase,
      undefined,
      "the sweep describes the whole range, not a window's",
    );
    assert.equal(
      String(done.metadata.start_date).slice(0, 10),
      '2000-01-01',
      "the strategy's range",
    );
    assert.deepEqual(done.result_summary?.best_parameters, wf.windows.at(-1)!.best_parameters);
  });

  it('cancelling the sweep leaves no child running; resuming runs only the unfinished ones', async () => {
    const { operation_id } = await cluster.client.startSweep({
      ...base,
      start_date: '2005-01-01',
      parameters: {
        'indicators.fast.period': { from: 5, to: 40, step: 5 },
        'indicators.slow.period': [60, 80, 100, 120, 140],
      },
    });
    await cluster.until(
      operation_id,
      (op) => op.progress.items_processed >= 6,
      'six children done',
      60_000,
    );
    const cancelled = await cluster.client.cancelOperation(operation_id, 'enough');
    assert.equal(cancelled.status, 'cancelled');
    const afterCancel = await children(operation_id);
    assert.equal(afterCancel.length, 40);
    assert.deepEqual(
      afterCancel.filter((k) => k.status === 'pending' || k.status === 'running'),
      [],
      'no child pending or running',
    );
    const completedBefore = new Map(
      afterCancel.filter((k) => k.status === 'completed').map((k) => [k.operation_id, k]),
    );
    assert.ok(completedBefore.size >= 6 && completedBefore.size < 40, `${completedBefore.size}`);
    // a cancelled sweep counts the sets that ran, not the ones it cancelled
    const stopped = await cluster.client.getOperation(operation_id);
    const cancelledSets = afterCancel.filter((k) => k.status === 'cancelled').length;
    assert.deepEqual(
      [
        stopped.progress.steps_completed,
        stopped.progress.steps_total,
        stopped.progress.context.cancelled,
      ],
      [completedBefore.size, 40, cancelledSets],
    );
    assert.equal(stopped.progress.percentage, Math.round((completedBefore.size / 40) * 1000) / 10);
    // nothing starts again by itself
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok((await children(operation_id)).every((k) => k.status !== 'running'));

    const resumed = await cluster.client.resumeOperation(operation_id);
    assert.equal(resumed.operation_id, operation_id);
    const done = await ended(operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    const final = await children(operation_id);
    assert.equal(final.length, 40, 'no child was made twice');
    assert.ok(final.every((k) => k.status === 'completed'));
    for (const child of final) {
      const earlier = completedBefore.get(child.operation_id);
      if (earlier) {
        assert.equal(child.attempt, earlier.attempt, 'a completed child did not run again');
        assert.equal(child.completed_at, earlier.completed_at);
      } else assert.ok(child.attempt >= 2, `${child.operation_id} ran again`);
    }
    const result = await cluster.client.getSweepResult(operation_id);
    assert.equal(result.leaderboard.filter((r) => r.rank !== null).length, 40);
  });
});
