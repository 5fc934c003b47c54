import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, type LeaderboardRow, type Operation, type SweepResult } from '@ktrdr/shared';
import { startCluster, type Cluster } from './cluster-fixture.js';

/**
 * Parameter sweeps on real worker processes: a parent `sweep` operation in the backend, its
 * parameter sets as rows, run in `sweep_shard` operations spread over every free worker.
 */
describe('parameter sweeps', () => {
  const scrapeMetrics = async () => (await cluster.client.http.fetchRaw('GET', '/metrics')).text();
  let cluster: Cluster;
  before(async () => {
    // four workers, each set ~0.5 s (sma_crossover over ten years of daily bars)
    cluster = await startCluster({ workerCount: 4, throttle: 5000 });
  });
  after(async () => cluster.close());

  const base = { strategy_name: 'sma_crossover', start_date: '2010-01-01' };
  const children = async (id: string): Promise<Operation[]> =>
    (await cluster.client.listOperations({ parent_operation_id: id, limit: 1000 })).operations;
  const shardsOf = async (id: string) =>
    (await children(id)).filter((c) => c.operation_type === 'sweep_shard');
  const allSets = async (id: string): Promise<LeaderboardRow[]> => {
    const rows: LeaderboardRow[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await cluster.client.getSweepSets(id, {
        sort: 'set_index',
        limit: 1000,
        offset,
      });
      rows.push(...page.rows);
      if (rows.length >= page.total) return rows;
    }
  };
  /** Sets the shards' workers reported as run, over every attempt (a set run twice counts twice). */
  const setsRun = async (id: string) =>
    (await shardsOf(id)).reduce(
      (n, s) =>
        n + Number(s.result_summary?.completed ?? 0) + Number(s.result_summary?.failed ?? 0),
      0,
    );
  const ended = (id: string, timeoutMs = 60_000) =>
    cluster.until(
      id,
      (op) => ['completed', 'failed', 'cancelled'].includes(op.status),
      `${id} ended`,
      timeoutMs,
    );

  it('a 48-point grid runs in shards on every worker; every set is ranked by the objective and equals its own full backtest', async () => {
    const started = await cluster.client.startSweep({
      ...base,
      parameters: {
        'indicators.fast.period': [5, 10, 15, 20, 25, 30],
        'indicators.slow.period': { from: 40, to: 110, step: 10 },
      },
      objective: 'sharpe_ratio',
    });
    assert.equal(started.status, 'running');
    // live: the result can be read while it runs
    const early = await cluster.client.getSweepResult(started.operation_id);
    assert.equal(early.total, 48);
    const done = await ended(started.operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal(done.operation_type, 'sweep');
    assert.equal(done.progress.percentage, 100);
    assert.equal(done.progress.items_processed, 48);

    const shards = await shardsOf(started.operation_id);
    assert.ok(shards.length >= 8, `two shards per worker at least: ${shards.length}`);
    assert.ok(shards.every((s) => s.status === 'completed'));
    assert.equal(new Set(shards.map((s) => s.worker_id)).size, 4, 'every worker was used');
    assert.equal(await setsRun(started.operation_id), 48, 'each set ran once');
    // /metrics counts the sets; an ended sweep leaves no line of its own
    const after = await scrapeMetrics();
    assert.match(after, /^ktrdr_sweep_sets_finished_total\{outcome="completed"\} 48$/m);
    assert.doesNotMatch(after, new RegExp(`sweep_id="${started.operation_id}"`));
    // the top-level list shows the sweep, not its shards
    const topLevel = (await cluster.client.listOperations({ top_level: true, limit: 1000 }))
      .operations;
    assert.ok(topLevel.some((o) => o.operation_id === started.operation_id));
    assert.ok(topLevel.every((o) => o.operation_type !== 'sweep_shard'));
    // a shard carries the strategy by reference and its sets as columns
    const job = cluster.backend.backend.ctx.operations.get(shards[0]!.operation_id)!.job!;
    assert.equal((job.strategy as Record<string, unknown>).config, undefined);
    assert.match(String((job.strategy as Record<string, unknown>).base_hash), /^[0-9a-f]{16}$/);

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
    assert.deepEqual(result.best, result.leaderboard[0]);
    assert.equal(result.shards.length, shards.length);
    assert.ok(result.sets_per_second! > 0);
    assert.deepEqual(done.result_summary?.best_parameters, result.leaderboard[0]!.parameters);

    // any set opens as a full backtest, once, whose metrics equal the set's row exactly
    for (const row of [result.leaderboard[0]!, result.leaderboard[47]!]) {
      const opened = await cluster.client.openSweepSet(started.operation_id, row.set_index);
      const again = await cluster.client.openSweepSet(started.operation_id, row.set_index);
      assert.equal(again.operation_id, opened.operation_id, 'made once, then the same id');
      assert.equal((await ended(opened.operation_id)).status, 'completed');
      const backtest = await cluster.client.getBacktestResult(opened.operation_id);
      const full = await cluster.client.getOperation(opened.operation_id);
      for (const [metric, value] of Object.entries(backtest.metrics))
        assert.equal(row.metrics![metric], value, `${metric} of set ${row.set_index}`);
      assert.equal(row.metrics!.final_equity, full.result_summary?.final_equity);
      assert.deepEqual(full.metadata.parameters, row.parameters);
      const reread = (await cluster.client.getSweepSets(started.operation_id, { limit: 48 })).rows;
      assert.equal(
        reread.find((r) => r.set_index === row.set_index)!.operation_id,
        opened.operation_id,
      );
    }

    const csv = (await cluster.client.getSweepCsv(started.operation_id)).trimEnd().split('\n');
    assert.equal(csv.length, 49, 'a header and every set');
    assert.match(
      csv[0]!,
      /^rank,set_index,indicators\.fast\.period,indicators\.slow\.period,sharpe_ratio,/,
    );
    const top = result.leaderboard[0]!;
    assert.ok(
      csv[1]!.startsWith(
        `1,${top.set_index},${top.parameters['indicators.fast.period']},${top.parameters['indicators.slow.period']},${top.metrics!.sharpe_ratio}`,
      ),
      csv[1],
    );
  });

  it('the sets sort by any metric, filter by status and constraints, and page', async () => {
    const { operation_id } = await cluster.client.startSweep({
      ...base,
      parameters: { 'indicators.fast.period': [5, 10, 20], 'indicators.slow.period': [50, 100] },
      objective: 'max_drawdown',
      constraints: { total_trades: { min: 15 } },
    });
    assert.equal((await ended(operation_id)).status, 'completed');
    const result = await cluster.client.getSweepResult(operation_id);
    assert.equal(result.direction, 'min');
    // rank order: sets meeting the constraints first, each part by max_drawdown, smallest first
    const rows = (await cluster.client.getSweepSets(operation_id)).rows;
    assert.equal(rows.length, 6);
    const firstBreaking = rows.findIndex((r) => !r.meets_constraints);
    if (firstBreaking >= 0) assert.ok(rows.slice(firstBreaking).every((r) => !r.meets_constraints));
    for (const part of [
      rows.filter((r) => r.meets_constraints),
      rows.filter((r) => !r.meets_constraints),
    ])
      for (let i = 1; i < part.length; i++)
        assert.ok(part[i - 1]!.metrics!.max_drawdown! <= part[i]!.metrics!.max_drawdown!);
    for (const row of rows)
      assert.equal(row.meets_constraints, row.metrics!.total_trades! >= 15, JSON.stringify(row));
    assert.deepEqual(
      rows.map((r) => r.rank),
      [1, 2, 3, 4, 5, 6],
    );

    // by another metric, both ways, keeping each set's rank
    const byTrades = (await cluster.client.getSweepSets(operation_id, { sort: 'total_trades' }))
      .rows;
    for (let i = 1; i < byTrades.length; i++)
      assert.ok(byTrades[i - 1]!.metrics!.total_trades! >= byTrades[i]!.metrics!.total_trades!);
    const rankOf = new Map(rows.map((r) => [r.set_index, r.rank]));
    for (const r of byTrades) assert.equal(r.rank, rankOf.get(r.set_index));
    const ascending = (
      await cluster.client.getSweepSets(operation_id, { sort: 'total_trades', order: 'asc' })
    ).rows;
    assert.deepEqual(
      ascending.map((r) => r.metrics!.total_trades),
      byTrades.map((r) => r.metrics!.total_trades).reverse(),
    );
    // pages and filters
    const page = await cluster.client.getSweepSets(operation_id, { limit: 2, offset: 2 });
    assert.equal(page.total, 6);
    assert.deepEqual(
      page.rows.map((r) => r.set_index),
      rows.slice(2, 4).map((r) => r.set_index),
    );
    const meeting = await cluster.client.getSweepSets(operation_id, { meets_constraints: true });
    assert.equal(meeting.total, rows.filter((r) => r.meets_constraints).length);
    assert.equal((await cluster.client.getSweepSets(operation_id, { status: 'failed' })).total, 0);
    // a bad sort is refused naming the field
    await assert.rejects(
      cluster.client.getSweepSets(operation_id, { sort: 'luck' as never }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && /sort/.test(e.message),
    );

    // by a swept parameter: by value (5 < 10 < 20; as text "10" < "20" < "5"), ascending
    // unless told, ties in set order; the CSV follows the same sort
    const fast = (query: { order?: 'asc' | 'desc' }) =>
      cluster.client.getSweepSets(operation_id, { sort: 'param:indicators.fast.period', ...query });
    const byFast = (await fast({})).rows;
    assert.deepEqual(
      byFast.map((r) => r.parameters['indicators.fast.period']),
      [5, 5, 10, 10, 20, 20],
    );
    for (const r of byFast) assert.equal(r.rank, rankOf.get(r.set_index));
    assert.deepEqual(
      (await fast({ order: 'desc' })).rows.map((r) => r.parameters['indicators.fast.period']),
      [20, 20, 10, 10, 5, 5],
    );
    const csv = (
      await cluster.client.getSweepCsv(operation_id, {
        sort: 'param:indicators.slow.period',
        order: 'desc',
      })
    )
      .trimEnd()
      .split('\n');
    assert.match(csv[0]!, /^rank,set_index,indicators\.fast\.period,indicators\.slow\.period,/);
    assert.deepEqual(
      csv.slice(1).map((line) => Number(line.split(',')[3])),
      [100, 100, 100, 50, 50, 50],
    );
    // a path the sweep did not sweep: a 400 naming sort and listing the swept paths
    await assert.rejects(
      cluster.client.getSweepSets(operation_id, { sort: 'param:indicators.fast.perod' }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status === 400 &&
        e.details?.field === 'query.sort' &&
        e.message.includes('"indicators.fast.perod" is not a parameter this sweep sweeps') &&
        e.message.includes('param:indicators.fast.period, param:indicators.slow.period'),
    );
  });

  it('refuses a bad set or too large a sweep before storing anything, naming the problem', async () => {
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
    // a combination no single value breaks: MACD's fast period must stay below its slow one
    await assert.rejects(
      cluster.client.startSweep({
        strategy_name: 'macd_trend',
        parameters: { 'indicators.macd.fast': [8, 40], 'indicators.macd.slow': [30] },
      }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status === 400 &&
        /^parameters: set 2 of 2 \(\{"indicators\.macd\.fast":40,"indicators\.macd\.slow":30\}\): parameters → indicators\.macd\./.test(
          e.message,
        ),
    );
    await assert.rejects(
      cluster.client.startSweep({
        ...base,
        parameters: {
          'indicators.fast.period': { from: 1, to: 100, step: 1 },
          'indicators.slow.period': { from: 101, to: 300, step: 1 },
        },
        max_sets: 500,
      }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status === 400 &&
        /^parameters: the sweep would run 20000 parameter sets, more than the 500 allowed \(max_sets/.test(
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
    assert.equal(result.total, 8 * 4 + 8, '4 in-sample sets and 1 out-of-sample run per window');
    const tests = (await children(operation_id)).filter((c) => c.operation_type === 'backtesting');
    assert.equal(tests.length, 8, 'one out-of-sample backtest per window');
    assert.equal((await allSets(operation_id)).length, 32);
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
      const test = tests.find((k) => k.operation_id === w.out_of_sample_operation_id)!;
      assert.equal(test.metadata.start_date, w.out_of_sample.start);
      assert.equal(test.metadata.end_date, w.out_of_sample.end);
      assert.ok(Date.parse(w.out_of_sample.start) > Date.parse(w.in_sample.end));
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
    assert.ok(
      Math.abs(wf.metrics!.total_return! - (curve.at(-1)!.equity / curve[0]!.equity - 1)) < 1e-9,
    );
    assert.ok(wf.metrics!.max_drawdown! > 0 && wf.metrics!.max_drawdown! < 1);
    assert.equal(done.result_summary?.windows, 8);
    assert.equal(String(done.metadata.start_date).slice(0, 10), '2000-01-01');
    assert.deepEqual(done.result_summary?.best_parameters, wf.windows.at(-1)!.best_parameters);
  });

  it('cancelling stops every shard and set; resuming runs only the unfinished sets, none twice', async () => {
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
      'six sets done',
      60_000,
    );
    // while it runs, /metrics has its sets/s and what remains
    const live = await scrapeMetrics();
    const perSecond = live.match(
      new RegExp(`^ktrdr_sweep_sets_per_second\\{sweep_id="${operation_id}"\\} (\\S+)$`, 'm'),
    );
    const remaining = live.match(
      new RegExp(`^ktrdr_sweep_sets_remaining\\{sweep_id="${operation_id}"\\} (\\d+)$`, 'm'),
    );
    assert.ok(perSecond && Number(perSecond[1]) > 0, `sets/s of the running sweep:\n${live}`);
    assert.ok(remaining && Number(remaining[1]) <= 34, `sets remaining: ${remaining?.[1]}`);
    const cancelled = await cluster.client.cancelOperation(operation_id, 'enough');
    assert.equal(cancelled.status, 'cancelled');
    const shards = await shardsOf(operation_id);
    assert.deepEqual(
      shards.filter((s) => s.status === 'pending' || s.status === 'running'),
      [],
      'no shard pending or running',
    );
    const afterCancel = await allSets(operation_id);
    assert.equal(afterCancel.length, 40);
    assert.deepEqual(
      afterCancel.filter((k) => k.status === 'pending' || k.status === 'running'),
      [],
      'no set pending or running',
    );
    const completedBefore = new Map(
      afterCancel.filter((k) => k.status === 'completed').map((k) => [k.set_index, k]),
    );
    assert.ok(completedBefore.size >= 6 && completedBefore.size < 40, `${completedBefore.size}`);
    // a cancelled sweep counts the sets that ran, not the ones it cancelled
    const stopped = await cluster.client.getOperation(operation_id);
    const cancelledSets = afterCancel.filter((k) => k.status === 'cancelled').length;
    assert.equal(cancelledSets, 40 - completedBefore.size);
    assert.deepEqual(
      [
        stopped.progress.steps_completed,
        stopped.progress.steps_total,
        stopped.progress.context.cancelled,
      ],
      [completedBefore.size, 40, cancelledSets],
    );
    // nothing starts again by itself
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok((await shardsOf(operation_id)).every((k) => k.status !== 'running'));

    const shardsBefore = new Set(shards.map((s) => s.operation_id));
    const resumed = await cluster.client.resumeOperation(operation_id);
    assert.equal(resumed.operation_id, operation_id);
    const done = await ended(operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    const final = await allSets(operation_id);
    assert.ok(final.every((k) => k.status === 'completed'));
    for (const set of final) {
      const earlier = completedBefore.get(set.set_index);
      if (earlier) assert.deepEqual(set.metrics, earlier.metrics);
    }
    const resumedShards = (await shardsOf(operation_id)).filter(
      (s) => !shardsBefore.has(s.operation_id),
    );
    assert.equal(
      resumedShards.reduce((n, s) => n + Number(s.result_summary?.completed ?? 0), 0),
      40 - completedBefore.size,
      'the resume ran exactly the sets that had not completed',
    );
    assert.equal(done.progress.items_processed, 40);
  });
});
