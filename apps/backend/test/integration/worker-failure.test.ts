import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordEvents, waitFor, type EventRecorder } from '@ktrdr/testkit';
import { startCluster, type Cluster } from './cluster-fixture.js';

describe('a worker process killed mid-run', () => {
  let cluster: Cluster;
  let events: EventRecorder;

  before(async () => {
    cluster = await startCluster({ workerCount: 2, throttle: 1500 });
    events = await recordEvents(cluster.client);
  });
  after(async () => {
    events.close();
    await cluster.close();
  });

  it('restarts its operation (no checkpoint yet) from the start on the other worker, naming the lost one', async () => {
    const { operation_id, status } = await cluster.client.startBacktest({
      strategy_name: 'sma_crossover',
    });
    assert.equal(status, 'running');
    await waitFor(
      'progress',
      async () => (await cluster.client.getOperation(operation_id)).progress.items_processed > 0,
    );
    const first = await cluster.client.getOperation(operation_id);
    assert.equal(first.checkpoint_ref ?? null, null, 'no checkpoint yet (one every 10 s)');
    const workerId = first.worker_id!;
    const victim = cluster.workers.find((w) => w.workerId === workerId)!;

    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const moved = await waitFor(
      'attempt 2 on the other worker',
      async () => {
        const op = await cluster.client.getOperation(operation_id);
        return op.attempt === 2 && op.status === 'running' ? op : undefined;
      },
      { timeoutMs: 10_000 },
    );
    console.log(
      `# dead worker → its operation running again elsewhere in ${Date.now() - killedAt} ms`,
    );
    assert.notEqual(moved.worker_id, workerId);
    assert.match(
      moved.attempts[0]?.outcome ?? '',
      new RegExp(`^lost: worker ${workerId} died: .*refused the connection`),
      'the lost attempt names the worker',
    );
    const done = await waitFor(
      'completed',
      async () => {
        const op = await cluster.client.getOperation(operation_id);
        return op.status === 'completed' || op.status === 'failed' ? op : undefined;
      },
      { timeoutMs: 20_000 },
    );
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal(done.result_summary?.resumed_from_bar ?? null, null, 'ran from the start');

    const roster = await cluster.client.listWorkers({ status: 'available' });
    assert.ok(
      !roster.workers.some((w) => w.worker_id === workerId),
      'the dead worker is not available',
    );
    await events.waitFor(
      'worker_removed event',
      (e) => e.event === 'worker_removed' && e.data.worker_id === workerId,
    );

    // the survivor takes the next backtest
    const next = await cluster.client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-06-01',
    });
    assert.equal(next.status, 'running');
    const nextOp = await cluster.client.getOperation(next.operation_id);
    assert.notEqual(nextOp.worker_id, workerId);
    await waitFor(
      'next completed',
      async () => (await cluster.client.getOperation(next.operation_id)).status === 'completed',
      { timeoutMs: 15_000 },
    );
  });

  it('on SIGTERM a worker lets its running backtest finish, reports it, leaves and exits 0', async () => {
    await cluster.addWorker();
    const { operation_id } = await cluster.client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2012-01-01',
    });
    await waitFor(
      'progress',
      async () => (await cluster.client.getOperation(operation_id)).progress.items_processed > 0,
    );
    const workerId = (await cluster.client.getOperation(operation_id)).worker_id!;
    const worker = cluster.workers.find((w) => w.workerId === workerId)!;
    const exitCode = await worker.stop('SIGTERM');
    assert.equal(exitCode, 0, worker.output());
    const op = await cluster.client.getOperation(operation_id);
    assert.equal(op.status, 'completed', 'the backtest finished before the worker left');
    assert.ok((await cluster.client.getBacktestResult(operation_id)).equity_curve.length > 1000);
    await events.waitFor(
      'left the roster',
      (e) =>
        e.event === 'worker_removed' &&
        e.data.worker_id === workerId &&
        e.data.reason === 'left the cluster',
    );
  });
});
