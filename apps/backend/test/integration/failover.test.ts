import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FullResult, Operation } from '@ktrdr/shared';
import { tempDir } from '@ktrdr/testkit';
import { startCluster, TEST_TOKEN, type Cluster } from './cluster-fixture.js';

/**
 * Automatic failover (docs/architecture.md, "Failure handling"): a worker lost while running a checkpointed backtest —
 * its process killed, or its host gone silent — and the backend resumes the operation from
 * the checkpoint on another worker, under the same id, with no user action; the result is
 * byte for byte that of an uninterrupted run.
 */
describe('automatic failover: checkpointed work resumes on another worker', () => {
  let cluster: Cluster;
  // the workers share one cache dir, as workers on one host do by default: the worker that
  // takes over reads the series another one cached on disk
  const sharedCache = tempDir();
  before(async () => {
    // ~2 s per run of the bundled series, a checkpoint at most every 0.3 s
    cluster = await startCluster({
      workerCount: 3,
      throttle: 2500,
      workerEnv: { KTRDR_CHECKPOINT_SECONDS: '0.3', KTRDR_CACHE_DIR: sharedCache.path },
    });
  });
  after(async () => {
    await cluster.close();
    sharedCache.remove();
  });

  const request = { strategy_name: 'macd_trend' };
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
  const ended = (id: string, timeoutMs = 30_000) =>
    cluster.until(
      id,
      (op) => ['completed', 'failed', 'cancelled'].includes(op.status),
      `${id} ended`,
      timeoutMs,
    );
  const checkpointed = (id: string, attempt: number, pastPercent: number) =>
    cluster.until(
      id,
      (op) =>
        op.status === 'running' &&
        op.attempt === attempt &&
        (op.checkpoint_ref ?? null) !== null &&
        op.progress.percentage > pastPercent,
      `attempt ${attempt} checkpointed past ${pastPercent} %`,
    );
  const victimOf = (op: Operation) => {
    const victim = cluster.workers.find((w) => w.workerId === op.worker_id);
    assert.ok(victim, `the worker ${op.worker_id} is one of ours`);
    return victim;
  };
  let expected: { display: string; full: FullResult };

  it('a killed worker process: the operation resumes elsewhere at once and ends as an uninterrupted run', async () => {
    const reference = await cluster.client.startBacktest(request);
    assert.equal((await ended(reference.operation_id)).status, 'completed');
    expected = await results(reference.operation_id);

    const { operation_id } = await cluster.client.startBacktest(request);
    const running = await checkpointed(operation_id, 1, 25);
    const victim = victimOf(running);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');

    const moved = await cluster.until(
      operation_id,
      (op) => op.attempt === 2 && op.status === 'running',
      'attempt 2 running',
      15_000,
    );
    const resumedInMs = Date.now() - killedAt;
    assert.notEqual(moved.worker_id, running.worker_id, 'on another worker');
    const done = await ended(operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal(done.operation_id, operation_id, 'same id');
    assert.equal(done.attempts.length, 2);
    assert.equal(done.attempts[0]!.worker_id, running.worker_id);
    assert.match(
      done.attempts[0]!.outcome ?? '',
      new RegExp(`^lost: worker ${running.worker_id} died: .* refused the connection`),
    );
    assert.equal(done.attempts[1]!.outcome, 'completed');
    assert.equal(done.attempts[1]!.worker_id, done.worker_id);
    assert.ok(
      Number(done.result_summary?.resumed_from_bar) > 0,
      'it continued from the checkpoint, not from the start',
    );
    assert.deepEqual(await results(operation_id), expected, 'byte for byte the uninterrupted run');
    console.log(`# killed worker → attempt 2 running on another worker in ${resumedInMs} ms`);
  });

  it('a silent host: after three missed heartbeats the work moves on; the stale worker is told to drop it', async () => {
    await cluster.addWorker();
    const { operation_id } = await cluster.client.startBacktest(request);
    const running = await checkpointed(operation_id, 1, 25);
    const victim = victimOf(running);
    // a frozen process: its port still accepts connections, nothing answers
    victim.child.kill('SIGSTOP');
    try {
      const moved = await cluster.until(
        operation_id,
        (op) => op.attempt === 2 && op.status === 'running',
        'attempt 2 running elsewhere',
        15_000,
      );
      assert.notEqual(moved.worker_id, running.worker_id);
      assert.match(moved.attempts[0]!.outcome ?? '', /^lost: worker .* went silent/);
      const roster = await cluster.client.getWorker(running.worker_id!);
      assert.equal(roster.status, 'temporarily_unavailable');
    } finally {
      victim.child.kill('SIGCONT');
    }
    const done = await ended(operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal(done.attempt, 2, 'the woken worker did not take it back');
    assert.deepEqual(await results(operation_id), expected);
    // the woken worker drops the stale job and is available for work again
    const awake = await waitForStatus(running.worker_id!, 'available');
    assert.equal(awake.current_operation_id, null);
  });

  async function waitForStatus(workerId: string, status: string) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const worker = await cluster.client.getWorker(workerId);
      if (worker.status === status) return worker;
      if (Date.now() > deadline)
        assert.fail(`worker ${workerId} is ${worker.status}, not ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('a job that keeps killing its workers stops after 3 attempts with the reason', async () => {
    while (
      cluster.workers.filter((w) => w.child.exitCode === null && !w.child.signalCode).length < 3
    )
      await cluster.addWorker();
    const { operation_id } = await cluster.client.startBacktest(request);
    for (const attempt of [1, 2, 3]) {
      const running = await checkpointed(operation_id, attempt, 10);
      await victimOf(running).stop('SIGKILL');
    }
    const done = await ended(operation_id);
    assert.equal(done.status, 'failed');
    assert.equal(done.attempt, 3);
    assert.match(
      done.error_message ?? '',
      /stopped after 3 attempts, each of which lost its worker/,
    );
    assert.deepEqual(
      done.attempts.map((a) => a.outcome?.replace(/:.*/, '')),
      ['lost', 'lost', 'failed'],
    );
    // still resumable by hand, from the last checkpoint
    await cluster.addWorker();
    const resumed = await cluster.client.resumeOperation(operation_id);
    assert.equal(resumed.operation_id, operation_id);
    const finished = await ended(operation_id);
    assert.equal(finished.status, 'completed', finished.error_message ?? '');
    assert.deepEqual(await results(operation_id), expected);
  });
});
