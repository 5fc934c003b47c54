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

  it('fails its operation naming the worker within 10 s, and the worker leaves the available pool', async () => {
    const { operation_id, status } = await cluster.client.startBacktest({
      strategy_name: 'sma_crossover',
    });
    assert.equal(status, 'running');
    await waitFor(
      'progress',
      async () => (await cluster.client.getOperation(operation_id)).progress.items_processed > 0,
    );
    const workerId = (await cluster.client.getOperation(operation_id)).worker_id!;
    const victim = cluster.workers.find((w) => w.workerId === workerId)!;

    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const failed = await waitFor(
      'operation failed',
      async () => {
        const op = await cluster.client.getOperation(operation_id);
        return op.status === 'failed' ? op : undefined;
      },
      { timeoutMs: 10_000 },
    );
    const detectedInMs = Date.now() - killedAt;
    assert.ok(detectedInMs < 10_000, `detected in ${detectedInMs} ms`);
    assert.ok(
      failed.error_message?.includes(workerId),
      `the reason names the worker: ${failed.error_message}`,
    );
    assert.match(failed.attempts[0]?.outcome ?? '', /^failed: /);

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
