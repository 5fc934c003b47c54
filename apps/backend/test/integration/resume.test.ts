import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, TEST_TOKEN, type Cluster } from './cluster-fixture.js';

describe('checkpoints and resume: a resumed backtest ends exactly as an uninterrupted one', () => {
  let cluster: Cluster;
  before(async () => {
    // ~2 s per run of the bundled series, a checkpoint at most every 0.3 s
    cluster = await startCluster({
      workerCount: 2,
      throttle: 2500,
      workerEnv: { KTRDR_CHECKPOINT_SECONDS: '0.3' },
    });
  });
  after(async () => cluster.close());

  const text = async (path: string) => {
    const response = await fetch(`${cluster.backend.url}${path}`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    assert.equal(response.status, 200, path);
    return response.text();
  };
  const results = async (id: string) => ({
    display: await text(`/api/v1/operations/${id}/result`),
    // decoded: every bar and trade, each float compared exactly
    full: await cluster.client.fullResult(id),
  });
  const until: Cluster['until'] = (...args) => cluster.until(...args);
  const request = { strategy_name: 'macd_trend' };

  it('saves checkpoints and resumes a cancelled run from the last one', async () => {
    // the reference: an uninterrupted run
    const reference = await cluster.client.startBacktest(request);
    await until(reference.operation_id, (op) => op.status === 'completed', 'reference completed');
    const expected = await results(reference.operation_id);
    assert.equal(expected.full.equity.length, 5105);

    // cancelled mid-run, then resumed
    const cancelled = await cluster.client.startBacktest(request);
    const saved = await until(
      cancelled.operation_id,
      (op) => (op.checkpoint_ref ?? null) !== null && op.progress.percentage > 30,
      'a checkpoint past 30 %',
    );
    const stopped = await cluster.client.cancelOperation(cancelled.operation_id);
    assert.equal(stopped.status, 'cancelled');
    const bar = Number(/^checkpoint\.bin@(\d+)$/.exec(stopped.checkpoint_ref ?? '')?.[1]);
    assert.ok(
      bar >= Number(/@(\d+)$/.exec(saved.checkpoint_ref!)?.[1]),
      `checkpoint at bar ${bar}`,
    );

    const resumed = await cluster.client.resumeOperation(cancelled.operation_id);
    assert.equal(resumed.operation_id, cancelled.operation_id, 'same id');
    assert.equal(resumed.status, 'running');
    const done = await until(
      cancelled.operation_id,
      (op) => op.status === 'completed' || op.status === 'failed',
      'resumed run ended',
    );
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal(done.attempt, 2);
    assert.deepEqual(
      done.attempts.map((a) => a.outcome),
      ['cancelled: cancelled by user', 'completed'],
    );
    assert.ok(
      Number(done.result_summary?.resumed_from_bar) >= bar,
      'it continued from the checkpoint, not from the start',
    );
    assert.deepEqual(
      await results(cancelled.operation_id),
      expected,
      'byte for byte the uninterrupted result',
    );
    // a worker killed mid-run resumes by itself: failover.test.ts
  });

  it('resumes only failed or cancelled operations that saved a checkpoint; retry starts afresh', async () => {
    const done = (await cluster.client.listOperations({ status: 'completed', limit: 1 }))
      .operations[0]!;
    await assert.rejects(cluster.client.resumeOperation(done.operation_id), {
      message: /is completed; only a failed or cancelled operation can be resumed/,
    });

    const busy = await cluster.client.startBacktest(request);
    const queued = await cluster.client.startBacktest(request);
    const extra = await cluster.client.startBacktest(request);
    // both workers busy: the third waits in the queue; cancelling it leaves no checkpoint
    assert.equal(extra.status, 'pending');
    await cluster.client.cancelOperation(extra.operation_id);
    await assert.rejects(cluster.client.resumeOperation(extra.operation_id), {
      message: /saved no checkpoint to resume from; retry it/,
    });

    const again = await cluster.client.retryOperation(extra.operation_id);
    assert.notEqual(again.operation_id, extra.operation_id);
    const retry = await cluster.client.getOperation(again.operation_id);
    assert.equal(retry.retry_of, extra.operation_id);
    assert.equal(retry.attempt, 1);
    await cluster.client.cancelOperation(busy.operation_id);
    await cluster.client.cancelOperation(queued.operation_id);
    await until(again.operation_id, (op) => op.status === 'completed', 'retry completed');
  });
});
