// How busy each worker is, seen from outside: a real backend, two real worker processes,
// a few backtests; then the roster's activity figures and the /metrics lines, checked
// against the operations' own timestamps. A worker that leaves takes its figures with it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Operation, WorkerList } from '@ktrdr/shared';
import { waitFor } from '@ktrdr/testkit';
import { startCluster, type Cluster } from './cluster-fixture.js';

// ~0.5 s per backtest of the bundled S&P 500 series (5,105 bars)
const THROTTLE = 10_000;
const BACKTESTS = 4;

/** Seconds an operation's last attempt held its worker: assignment to completion. */
function heldSeconds(op: Operation): number {
  const attempt = op.attempts.at(-1)!;
  return (Date.parse(op.completed_at!) - Date.parse(attempt.started_at)) / 1000;
}

/** The value of one Prometheus sample line, e.g. `name{label="x"} 0.25`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * How far rate × window may be from the job count through the wire's rounding alone: the
 * window is rounded to 0.1 s (±0.05 s at the rate) and the rate to `step` per second
 * (±step/2 over the window). Far below one job, so a miscount still fails.
 */
const roundingSlack = (perSecond: number, windowSeconds: number, step: number) =>
  perSecond * 0.05 + windowSeconds * (step / 2) + 0.01;

describe('worker activity: busy fraction, jobs per minute and cluster throughput', () => {
  let cluster: Cluster;
  let ops: Operation[];

  before(async () => {
    cluster = await startCluster({ workerCount: 2, throttle: THROTTLE });
    const starts = await Promise.all(
      Array.from({ length: BACKTESTS }, () =>
        cluster.client.startBacktest({ strategy_name: 'sma_crossover' }),
      ),
    );
    ops = await Promise.all(
      starts.map((s) =>
        cluster.until(s.operation_id, (op) => op.status === 'completed', 'backtest completed'),
      ),
    );
  });
  after(() => cluster.close());

  it("gives each worker its busy fraction and jobs/min over its lifetime so far, matching the operations' times", async () => {
    const list: WorkerList = await cluster.client.listWorkers();
    assert.equal(list.workers.length, 2);
    for (const worker of list.workers) {
      const mine = ops.filter((op) => op.worker_id === worker.worker_id);
      const activity = worker.activity;
      assert.ok(activity, `worker ${worker.worker_id} has activity figures`);
      // younger than 10 minutes: the figures cover its lifetime
      const lifetime = (Date.now() - Date.parse(worker.registered_at)) / 1000;
      assert.ok(
        activity.window_seconds > 0 && activity.window_seconds <= lifetime + 0.1,
        `window ${activity.window_seconds} s within the lifetime ${lifetime} s`,
      );
      const busySeconds = mine.reduce((sum, op) => sum + heldSeconds(op), 0);
      assert.ok(
        Math.abs(activity.busy_fraction * activity.window_seconds - busySeconds) < 0.1,
        `busy ${activity.busy_fraction} × ${activity.window_seconds} s ≈ ${busySeconds} s held`,
      );
      if (mine.length > 0) assert.ok(activity.busy_fraction > 0);
      assert.ok(
        Math.abs((activity.completed_per_minute * activity.window_seconds) / 60 - mine.length) <
          roundingSlack(activity.completed_per_minute / 60, activity.window_seconds, 0.01 / 60),
        `${activity.completed_per_minute}/min over ${activity.window_seconds} s ≈ ${mine.length} jobs`,
      );
    }
    const one = await cluster.client.getWorker(list.workers[0]!.worker_id);
    assert.ok(one.activity, 'GET /workers/{id} carries it too');

    const cluster_ = list.activity!;
    assert.ok(cluster_, "the roster carries the cluster's throughput");
    assert.ok(
      Math.abs((cluster_.completed_per_minute * cluster_.window_seconds) / 60 - BACKTESTS) <
        roundingSlack(cluster_.completed_per_minute / 60, cluster_.window_seconds, 0.01 / 60),
      `${cluster_.completed_per_minute}/min over ${cluster_.window_seconds} s ≈ ${BACKTESTS}`,
    );
    // the backend started less than a minute ago: per second over its lifetime
    assert.ok(
      Math.abs(cluster_.completed_per_second * cluster_.window_seconds - BACKTESTS) <
        roundingSlack(cluster_.completed_per_second, cluster_.window_seconds, 0.001),
      `${cluster_.completed_per_second}/s over ${cluster_.window_seconds} s ≈ ${BACKTESTS}`,
    );
  });

  it('exposes the same figures on /metrics, and a worker that leaves takes its lines with it', async () => {
    const metrics = await (await cluster.client.http.fetchRaw('GET', '/metrics')).text();
    assert.equal(
      sample(metrics, 'ktrdr_operations_completed_total{operation_type="backtesting"}'),
      BACKTESTS,
    );
    const perSecond = sample(metrics, 'ktrdr_cluster_completed_per_second');
    assert.ok(perSecond !== undefined && perSecond > 0, `cluster per second: ${perSecond}`);
    assert.ok(sample(metrics, 'ktrdr_cluster_completed_per_minute')! > 0);
    for (const worker of cluster.workers) {
      const ran = ops.filter((op) => op.worker_id === worker.workerId).length;
      const busy = sample(metrics, `ktrdr_worker_busy_ratio{worker_id="${worker.workerId}"}`);
      const perMinute = sample(
        metrics,
        `ktrdr_worker_completed_per_minute{worker_id="${worker.workerId}"}`,
      );
      assert.ok(busy !== undefined && busy >= 0 && busy <= 1, `busy ratio ${busy}`);
      assert.ok(perMinute !== undefined, `jobs/min of ${worker.workerId}`);
      if (ran > 0) assert.ok(busy > 0 && perMinute > 0, `${worker.workerId} ran ${ran}`);
    }

    const leaving = cluster.workers[0]!;
    await leaving.stop('SIGTERM');
    await waitFor(
      `${leaving.workerId} left the roster`,
      async () =>
        !(await cluster.client.listWorkers()).workers.some((w) => w.worker_id === leaving.workerId),
    );
    const after = await (await cluster.client.http.fetchRaw('GET', '/metrics')).text();
    assert.ok(!after.includes(`worker_id="${leaving.workerId}"`), 'no line names the gone worker');
    assert.equal(
      sample(after, 'ktrdr_operations_completed_total{operation_type="backtesting"}'),
      BACKTESTS,
      'the counter keeps what the gone worker completed',
    );
    assert.equal(
      cluster.backend.backend.ctx.activity.tracker.known().includes(leaving.workerId),
      false,
    );
  });
});
