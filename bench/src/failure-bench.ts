import type { BackendEvent, Operation } from '@ktrdr/shared';
import type { WorkerProcess } from '@ktrdr/testkit';
import { nextEvent, ProcessCluster } from './process-cluster.js';
import { median } from './proc-stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Times (ms) of a failure-handling measure, with what happened on each run. */
export interface FailureTimes {
  runs: number;
  /** One value per run that produced one. */
  samples: number[];
  median: number;
  min: number;
  max: number;
  /** Anything that did not go as expected, one line per run. */
  notes: string[];
}

function times(samples: number[], notes: string[] = [], runs = samples.length): FailureTimes {
  return {
    runs,
    samples,
    median: median(samples),
    min: samples.length ? Math.min(...samples) : Number.NaN,
    max: samples.length ? Math.max(...samples) : Number.NaN,
    notes,
  };
}

/** Starts a full-series backtest and waits until its worker has processed bars. */
async function busyWith(cluster: ProcessCluster): Promise<Operation> {
  const { operation_id } = await cluster.client.startBacktest({ strategy_name: 'sma_crossover' });
  return cluster.waitForOperation(
    operation_id,
    (op) => op.status === 'running' && op.progress.items_processed > 0,
    30_000,
  );
}

function workerOf(cluster: ProcessCluster, workerId: string | null): WorkerProcess {
  const worker = cluster.workers.find((w) => w.workerId === workerId);
  if (!worker) throw new Error(`no worker process ${workerId}`);
  return worker;
}

/**
 * A busy worker process is SIGKILLed: time until the backend announces `worker_removed`
 * (its next probe of the silent worker is refused). A fresh worker per run.
 */
export async function deadWorkerDetection(
  runs = 7,
): Promise<FailureTimes & { operationOutcomes: string[] }> {
  const cluster = await new ProcessCluster().start();
  const samples: number[] = [];
  const notes: string[] = [];
  const outcomes: string[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      // speed-capped so the backtest is still running when its worker dies
      const [worker] = await cluster.addWorkers(1, { KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '500' });
      const op = await busyWith(cluster);
      const removed = nextEvent(
        cluster,
        (e) => e.event === 'worker_removed' && e.data.worker_id === worker!.workerId,
      );
      await removed.ready;
      worker!.child.kill('SIGKILL');
      const t0 = performance.now();
      const t1 = await Promise.race([removed.at, sleep(30_000).then(() => Number.NaN)]);
      removed.close();
      cluster.forget(worker!);
      if (Number.isNaN(t1)) notes.push(`run ${i + 1}: no worker_removed within 30 s`);
      else samples.push(t1 - t0);
      // failover puts it back in line (attempt 2), or it fails: either way, out of the next run's way
      const after = await cluster.waitForOperation(
        op.operation_id,
        (o) => o.status !== 'running',
        30_000,
      );
      outcomes.push(
        after.status === 'pending' ? `pending (attempt ${after.attempt})` : after.status,
      );
      if (after.status === 'pending') await cluster.client.cancelOperation(op.operation_id);
    }
    return { ...times(samples, notes, runs), operationOutcomes: outcomes };
  } finally {
    await cluster.close();
  }
}

/**
 * An idle worker process is SIGSTOPped (a host that stops answering): time until its status
 * is `temporarily_unavailable`; then SIGCONT and the time until it is `available` again.
 */
export async function silentHostDetection(
  runs = 7,
): Promise<{ unavailable: FailureTimes; recovered: FailureTimes }> {
  const cluster = await new ProcessCluster().start();
  const detect: number[] = [];
  const recover: number[] = [];
  const notes: string[] = [];
  try {
    const [worker] = await cluster.addWorkers(1);
    const id = worker!.workerId;
    const isStatus = (status: string) => (e: BackendEvent) =>
      e.event === 'worker' && e.data.worker_id === id && e.data.status === status;
    for (let i = 0; i < runs; i++) {
      await cluster.waitForWorkers([id]);
      await sleep(1500);
      const silent = nextEvent(cluster, isStatus('temporarily_unavailable'));
      await silent.ready;
      worker!.child.kill('SIGSTOP');
      const t0 = performance.now();
      const t1 = await Promise.race([silent.at, sleep(20_000).then(() => Number.NaN)]);
      silent.close();
      const back = nextEvent(cluster, isStatus('available'));
      await back.ready;
      worker!.child.kill('SIGCONT');
      const t2 = performance.now();
      const t3 = await Promise.race([back.at, sleep(20_000).then(() => Number.NaN)]);
      back.close();
      if (Number.isNaN(t1)) notes.push(`run ${i + 1}: not marked temporarily_unavailable in 20 s`);
      else detect.push(t1 - t0);
      if (Number.isNaN(t3)) notes.push(`run ${i + 1}: not available again within 20 s`);
      else recover.push(t3 - t2);
    }
    return { unavailable: times(detect, notes, runs), recovered: times(recover, [], runs) };
  } finally {
    await cluster.close();
  }
}

/** One run of {@link checkpointResume}. */
export interface ResumeRun {
  /** Kill → the operation `running` again with attempt 2 on another worker (ms). */
  resumedMs: number | null;
  /** Kill → `completed` (ms). */
  completedMs: number | null;
  /** Bars done when the worker was killed, and the checkpoint it resumed from. */
  killedAt: number;
  checkpoint: string | null;
  outcome: string;
}

/**
 * A checkpointing backtest (KTRDR_CHECKPOINT_SECONDS=0.3, throttled to 1,000 bars/s, about
 * 5 s for the whole series) loses its worker (SIGKILL) once it has a checkpoint and is 40 %
 * done; automatic failover should put it back in line (attempt 2) and resume it on the
 * other worker. If it fails instead, that is recorded.
 */
export async function checkpointResume(runs = 5): Promise<{
  resumed: FailureTimes;
  completed: FailureTimes;
  runs: ResumeRun[];
  fullRunMs: number;
}> {
  const cluster = await new ProcessCluster().start();
  const env = { KTRDR_CHECKPOINT_SECONDS: '0.3', KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '1000' };
  const results: ResumeRun[] = [];
  try {
    await cluster.addWorkers(2, env);
    // an uninterrupted run, for comparison
    const t = performance.now();
    const { operation_id: plain } = await cluster.client.startBacktest({
      strategy_name: 'sma_crossover',
    });
    await cluster.waitForOperation(plain, (o) => o.status === 'completed', 60_000, 20);
    const fullRunMs = performance.now() - t;

    for (let i = 0; i < runs; i++) {
      if (cluster.workers.length < 2) await cluster.addWorkers(2 - cluster.workers.length, env);
      await cluster.waitForWorkers(cluster.workers.map((w) => w.workerId));
      const { operation_id: id } = await cluster.client.startBacktest({
        strategy_name: 'sma_crossover',
      });
      const op = await cluster.waitForOperation(
        id,
        (o) =>
          o.status !== 'running' ||
          ((o.checkpoint_ref ?? null) !== null && o.progress.percentage >= 40),
        30_000,
        20,
      );
      if (op.status !== 'running') {
        results.push({
          resumedMs: null,
          completedMs: null,
          killedAt: 0,
          checkpoint: null,
          outcome: `${op.status} before it could be interrupted`,
        });
        continue;
      }
      const victim = workerOf(cluster, op.worker_id);
      let tResumed: number | undefined;
      let tEnded: number | undefined;
      let ended: Operation | undefined;
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const watch = await cluster.events((e) => {
        if (e.event !== 'operation' || e.data.operation_id !== id) return;
        const o = e.data;
        if (
          tResumed === undefined &&
          o.status === 'running' &&
          o.attempt >= 2 &&
          o.worker_id !== victim.workerId
        )
          tResumed = performance.now();
        if (['completed', 'failed', 'cancelled'].includes(o.status)) {
          tEnded = performance.now();
          ended = o;
          done();
        }
      });
      victim.child.kill('SIGKILL');
      const t0 = performance.now();
      cluster.forget(victim);
      await Promise.race([finished, sleep(60_000)]);
      watch.close();
      const final = ended ?? (await cluster.client.getOperation(id));
      results.push({
        resumedMs: tResumed !== undefined ? tResumed - t0 : null,
        completedMs: final.status === 'completed' && tEnded !== undefined ? tEnded - t0 : null,
        killedAt: op.progress.items_processed,
        checkpoint: op.checkpoint_ref ?? null,
        outcome:
          final.status === 'completed'
            ? `completed, attempt ${final.attempt}`
            : `${final.status}: ${final.error_message ?? ''}`.slice(0, 300),
      });
      await victim.exited;
    }
    const resumed = results.flatMap((r) => (r.resumedMs !== null ? [r.resumedMs] : []));
    const completed = results.flatMap((r) => (r.completedMs !== null ? [r.completedMs] : []));
    const notes = results
      .map((r, i) => (r.completedMs === null ? `run ${i + 1}: ${r.outcome}` : ''))
      .filter(Boolean);
    return {
      resumed: times(resumed, notes, runs),
      completed: times(completed, notes, runs),
      runs: results,
      fullRunMs,
    };
  } finally {
    await cluster.close();
  }
}

/** One run of {@link backendRestart} (ms). */
export interface RestartRun {
  /** SIGTERM → the old process exited. */
  stopMs: number;
  /** Spawn → the new process listens. */
  startMs: number;
  /** The new process listens → every worker registered and available again. */
  reregisterMs: number;
}

/**
 * `workers` idle worker processes; the backend process is stopped (SIGTERM) and started
 * again on the same port and data dir: time until every worker is registered again.
 */
export async function backendRestart(
  workers = 8,
  runs = 5,
): Promise<{
  workers: number;
  runs: RestartRun[];
  reregister: FailureTimes;
  fromSpawn: FailureTimes;
}> {
  const cluster = await new ProcessCluster().start();
  const results: RestartRun[] = [];
  try {
    await cluster.addWorkers(workers);
    const ids = cluster.workers.map((w) => w.workerId);
    for (let i = 0; i < runs; i++) {
      await cluster.waitForWorkers(ids);
      await sleep(1000);
      const t0 = performance.now();
      await cluster.stopBackend('SIGTERM');
      const t1 = performance.now();
      await cluster.start();
      const t2 = performance.now();
      await cluster.waitForWorkers(ids, 30_000);
      const t3 = performance.now();
      results.push({ stopMs: t1 - t0, startMs: t2 - t1, reregisterMs: t3 - t2 });
    }
    return {
      workers,
      runs: results,
      reregister: times(results.map((r) => r.reregisterMs)),
      fromSpawn: times(results.map((r) => r.startMs + r.reregisterMs)),
    };
  } finally {
    await cluster.close();
  }
}
