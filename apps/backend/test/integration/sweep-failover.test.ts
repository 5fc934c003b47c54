import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Operation } from '@ktrdr/shared';
import { waitFor } from '@ktrdr/testkit';
import { startCluster, type Cluster } from './cluster-fixture.js';

/**
 * A shard's worker dies mid-shard: the sets it reported stay done, only its unfinished
 * sets run again (the same shard, next attempt, another worker), and no set counts twice.
 */
describe('sweep shard failover', () => {
  let cluster: Cluster;
  before(async () => {
    // five sets per shard, each set ~0.5 s: a shard runs ~2.5 s, long enough to kill mid-way
    cluster = await startCluster({
      workerCount: 2,
      throttle: 5000,
      backend: { sweepShardSets: 5 },
    });
  });
  after(async () => cluster.close());

  it('moves only the unfinished sets of a killed worker’s shard, and the sweep completes with every set once', async () => {
    const { operation_id } = await cluster.client.startSweep({
      strategy_name: 'sma_crossover',
      start_date: '2010-01-01',
      parameters: {
        'indicators.fast.period': [5, 10, 15, 20],
        'indicators.slow.period': [50, 60, 70, 80, 90],
      },
    });
    const shards = async (): Promise<Operation[]> =>
      (
        await cluster.client.listOperations({ parent_operation_id: operation_id, limit: 100 })
      ).operations.filter((o) => o.operation_type === 'sweep_shard');
    // a running shard with at least one of its sets reported by its worker
    const { shard, reported } = await waitFor(
      'a shard part-way through',
      async () => {
        const done = (await cluster.client.getSweepSets(operation_id, { status: 'completed' }))
          .rows;
        for (const s of await shards()) {
          if (s.status !== 'running') continue;
          const first = Number(s.metadata.first_set);
          const last = Number(s.metadata.last_set);
          const mine = done.filter(
            (r) => r.set_index >= first && r.set_index <= last && r.worker_id === s.worker_id,
          );
          if (mine.length >= 1 && mine.length < 5) return { shard: s, reported: mine };
        }
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const victim = cluster.workers.find((w) => w.workerId === shard.worker_id)!;
    await victim.stop('SIGKILL');

    const done = await cluster.until(
      operation_id,
      (op) => ['completed', 'failed', 'cancelled'].includes(op.status),
      'sweep ended',
      60_000,
    );
    assert.equal(done.status, 'completed', done.error_message ?? '');
    const moved = (await shards()).find((s) => s.operation_id === shard.operation_id)!;
    assert.ok(moved.attempt >= 2, 'the shard ran again');
    assert.notEqual(moved.worker_id, victim.workerId, 'on the other worker');
    // the reported sets kept their result and their worker; the next attempt ran the rest
    const sets = (await cluster.client.getSweepSets(operation_id, { sort: 'set_index', limit: 20 }))
      .rows;
    assert.equal(sets.length, 20);
    assert.ok(sets.every((s) => s.status === 'completed'));
    for (const r of reported) {
      const now = sets.find((s) => s.set_index === r.set_index)!;
      assert.equal(now.worker_id, victim.workerId, `set ${r.set_index} did not run again`);
      assert.deepEqual(now.metrics, r.metrics);
    }
    const first = Number(shard.metadata.first_set);
    const last = Number(shard.metadata.last_set);
    const byVictim = sets.filter(
      (s) => s.set_index >= first && s.set_index <= last && s.worker_id === victim.workerId,
    ).length;
    assert.equal(
      Number(moved.result_summary?.completed),
      5 - byVictim,
      'the next attempt ran exactly the sets not yet reported',
    );
    const total = (await shards()).reduce((n, s) => n + Number(s.result_summary?.completed), 0);
    assert.equal(total + byVictim, 20, 'every set ran once');
    assert.equal(done.progress.items_processed, 20);
  });
});
