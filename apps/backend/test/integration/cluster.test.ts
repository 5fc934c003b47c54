import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BackendEvent, Operation } from '@ktrdr/shared';
import { recordEvents, waitFor, type EventRecorder } from '@ktrdr/testkit';
import { startCluster, type Cluster } from './cluster-fixture.js';

// ~2 s per backtest of the bundled S&P 500 series (5,105 bars)
const THROTTLE = 2500;

describe('backend with two worker processes', () => {
  let cluster: Cluster;
  let events: EventRecorder;

  before(async () => {
    cluster = await startCluster({ workerCount: 2, throttle: THROTTLE });
    events = await recordEvents(cluster.client);
  });
  after(async () => {
    events.close();
    await cluster.close();
  });

  const opStatus = async (id: string) => (await cluster.client.getOperation(id)).status;
  const waitStatus = (id: string, status: Operation['status'], timeoutMs = 20_000) =>
    waitFor(`${id} ${status}`, async () => (await opStatus(id)) === status, { timeoutMs });

  it('lists both workers in the roster as available, with their capabilities', async () => {
    const { workers, total_count } = await cluster.client.listWorkers();
    assert.equal(total_count, 2);
    assert.deepEqual(
      workers.map((w) => w.worker_id).sort(),
      cluster.workers.map((w) => w.workerId).sort(),
    );
    for (const worker of workers) {
      assert.equal(worker.status, 'available');
      assert.equal(worker.worker_type, 'backtesting');
      assert.equal(worker.connection, 'direct');
      assert.equal(worker.capabilities.gpu, false);
      assert.ok(worker.capabilities.cpu_cores >= 1);
      assert.match(worker.endpoint_url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    }
  });

  it('runs three backtests started at once: two run, the third queues, then runs; all complete alike', async () => {
    const starts = await Promise.all(
      [1, 2, 3].map(() => cluster.client.startBacktest({ strategy_name: 'sma_crossover' })),
    );
    assert.deepEqual(starts.map((s) => s.status).sort(), ['pending', 'running', 'running']);
    const queued = starts.find((s) => s.status === 'pending')!;
    const queuedOp = await cluster.client.getOperation(queued.operation_id);
    assert.equal(queuedOp.queue_position, 1);
    assert.equal(queuedOp.worker_id, null);

    const running = starts.filter((s) => s.status === 'running').map((s) => s.operation_id);
    const usedWorkers = await Promise.all(
      running.map(async (id) => (await cluster.client.getOperation(id)).worker_id),
    );
    assert.equal(new Set(usedWorkers).size, 2, 'each running backtest is on its own worker');

    // live progress reaches SSE subscribers, with the bar date in its context
    const progress = await events.waitFor(
      'progress of a running backtest',
      (e: BackendEvent) =>
        e.event === 'progress' &&
        e.data.operation_id === running[0] &&
        e.data.progress.items_processed > 0,
    );
    assert.equal(progress.event, 'progress');
    if (progress.event === 'progress') {
      assert.match(String(progress.data.progress.context.bar_date), /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(progress.data.progress.percentage > 0 && progress.data.progress.percentage <= 100);
    }

    for (const s of starts) await waitStatus(s.operation_id, 'completed');
    const ops = await Promise.all(starts.map((s) => cluster.client.getOperation(s.operation_id)));
    const queuedDone = ops.find((o) => o.operation_id === queued.operation_id)!;
    const firstFinished = Math.min(
      ...ops.filter((o) => o !== queuedDone).map((o) => Date.parse(o.completed_at!)),
    );
    assert.ok(
      Date.parse(queuedDone.started_at!) >= firstFinished - 50,
      'the queued backtest started once a worker freed',
    );
    for (const op of ops) {
      assert.equal(op.progress.percentage, 100);
      assert.match(op.routing_reason ?? '', /least recently used/);
      assert.equal(op.attempts.length, 1);
      assert.equal(op.attempts[0]!.outcome, 'completed');
      assert.match(op.provenance.strategy_hash ?? '', /^[0-9a-f]{16}$/);
    }

    const results = await Promise.all(
      starts.map((s) => cluster.client.getBacktestResult(s.operation_id)),
    );
    for (const result of results) {
      assert.ok(result.metrics.total_trades > 10, 'an SMA crossover over 20 years trades');
      assert.equal(result.equity_points_total, 5105);
      assert.ok(result.equity_curve.length <= 5000, 'the display curve is downsampled');
      assert.equal(
        result.equity_curve[0]!.time,
        '2000-01-03T00:00:00.000Z',
        'it keeps the first point',
      );
      assert.equal(result.trades.length, result.metrics.total_trades);
    }
    assert.deepEqual(
      results[1],
      results[0],
      'the same backtest gives the same result on any worker',
    );
    assert.deepEqual(results[2], results[0]);
    assert.equal(ops[0]!.result_summary!.total_return, results[0]!.metrics.total_return);

    const metrics = await (await cluster.client.http.fetchRaw('GET', '/metrics')).text();
    assert.match(metrics, /ktrdr_workers\{worker_type="backtesting",status="available"\} 2/);
    assert.match(metrics, /ktrdr_operations\{status="completed"\} 3/);
    // the queued one went to its worker in the answer to that worker's final report
    assert.match(metrics, /ktrdr_dispatch_latency_seconds_count 2/);
    assert.match(metrics, /ktrdr_jobs_handed_over_total 1/);
  });

  it('cancels a running backtest: it ends cancelled and its worker takes new work', async () => {
    const { operation_id } = await cluster.client.startBacktest({ strategy_name: 'sma_crossover' });
    await waitFor(
      'progress past 10 %',
      async () => (await cluster.client.getOperation(operation_id)).progress.percentage > 10,
    );
    const cancelled = await cluster.client.cancelOperation(operation_id, 'changed my mind');
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(cancelled.progress.percentage < 100, 'it stopped before the end');
    assert.match(cancelled.error_message ?? '', /changed my mind/);
    const worker = cancelled.worker_id!;
    await waitFor(
      'worker available again',
      async () => (await cluster.client.getWorker(worker)).status === 'available',
    );
    await events.waitFor(
      'cancelled operation event',
      (e) =>
        e.event === 'operation' &&
        e.data.operation_id === operation_id &&
        e.data.status === 'cancelled',
    );

    // cancelling again is a conflict, not a crash
    await assert.rejects(
      cluster.client.cancelOperation(operation_id),
      (error: Error & { status?: number }) => error.status === 409,
    );
    const next = await cluster.client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-01-01',
    });
    assert.equal(next.status, 'running');
    await waitStatus(next.operation_id, 'completed');
  });

  it('cancels a queued backtest by taking it out of the queue', async () => {
    const starts = await Promise.all(
      [1, 2, 3].map(() =>
        cluster.client.startBacktest({ strategy_name: 'sma_crossover', start_date: '2012-01-01' }),
      ),
    );
    const queued = starts.find((s) => s.status === 'pending')!;
    const cancelled = await cluster.client.cancelOperation(queued.operation_id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.worker_id, null, 'it never reached a worker');
    assert.equal(cancelled.attempts.length, 0);
    for (const s of starts.filter((x) => x !== queued))
      await cluster.client.cancelOperation(s.operation_id);
    assert.equal((await cluster.client.getOperation(queued.operation_id)).status, 'cancelled');
  });
});
