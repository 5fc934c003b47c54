import { statSync } from 'node:fs';
import { randomWalkBars, runBacktest } from '@ktrdr/engine';
import {
  FULL_RESULT_ARTIFACT,
  initialProgress,
  subscribeToEvents,
  BackendClient,
} from '@ktrdr/shared';
import { BenchCluster } from './cluster.js';
import { SMA_CROSSOVER } from './engine-bench.js';
import { HarnessWorker } from '@ktrdr/testkit';
import { summarize, type Summary } from './stats.js';

/** A short backtest (about 20 months of daily bars). */
const SHORT = { strategy_name: 'sma_crossover', start_date: '2018-09-01' } as const;

/** Start request → the worker accepted the job (the 202 says `running`), sequentially. */
export async function dispatchLatency(
  runs: number,
): Promise<{ dispatch: Summary; endToEnd: Summary }> {
  const cluster = await new BenchCluster().start();
  try {
    await cluster.addWorkers(2);
    const dispatch: number[] = [];
    const endToEnd: number[] = [];
    for (let i = 0; i < runs + 10; i++) {
      const t0 = performance.now();
      const started = await cluster.client.startBacktest(SHORT);
      const t1 = performance.now();
      if (started.status !== 'running') throw new Error(`expected running, got ${started.status}`);
      const status = await cluster.settle(started.operation_id);
      const t2 = performance.now();
      if (status !== 'completed') throw new Error(`backtest ${status}`);
      if (i >= 10) {
        // the first ten warm up connections and JIT
        dispatch.push(t1 - t0);
        endToEnd.push(t2 - t0);
      }
    }
    return { dispatch: summarize(dispatch), endToEnd: summarize(endToEnd) };
  } finally {
    await cluster.close();
  }
}

/** A worker's progress report sent → the SSE client has the event. */
export async function progressLatency(runs: number): Promise<Summary> {
  const cluster = await new BenchCluster().start();
  const harness = new HarnessWorker(
    new BackendClient({ baseUrl: cluster.backend.url, token: cluster.token }),
    {
      workerId: `bench-harness-${process.pid}`,
    },
  );
  try {
    await harness.start();
    const started = await cluster.client.startBacktest(SHORT);
    await harness.waitForJob();
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    const subscription = subscribeToEvents(cluster.client.http, {
      events: ['progress'],
      onEvent: (event) => {
        if (event.event !== 'progress' || event.data.operation_id !== started.operation_id) return;
        const seq = event.data.progress.items_processed;
        const t = sentAt.get(seq);
        if (t !== undefined) latencies.push(performance.now() - t);
      },
    });
    await subscription.ready;
    for (let i = 1; i <= runs + 10; i++) {
      const progress = {
        ...initialProgress('bench'),
        items_processed: i,
        items_total: runs + 10,
        percentage: 0,
      };
      const t = performance.now();
      if (i > 10) sentAt.set(i, t);
      await harness.report({ status: 'running', progress });
      if (i % 10 === 0) await harness.heartbeat();
      // slower than the backend's 50 ms coalescing window, as a real worker (100 ms) is
      await new Promise((r) => setTimeout(r, 60));
    }
    await new Promise((r) => setTimeout(r, 200));
    subscription.close();
    return summarize(latencies);
  } finally {
    await harness.close();
    await cluster.close();
  }
}

/** Cancel request → the answer says `cancelled` (the worker stopped the job). */
export async function cancelLatency(runs: number): Promise<Summary> {
  const cluster = await new BenchCluster().start();
  try {
    // speed-capped so each backtest is still running when it is cancelled
    await cluster.addWorkers(2, { KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '2000' });
    const samples: number[] = [];
    const { operations } = cluster.backend.backend.ctx;
    for (let i = 0; i < runs + 5; i++) {
      const { operation_id } = await cluster.client.startBacktest({
        strategy_name: 'sma_crossover',
      });
      for (;;) {
        const record = operations.get(operation_id);
        if (record && record.progress.items_processed > 0) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const t0 = performance.now();
      const answer = await cluster.client.cancelOperation(operation_id);
      const took = performance.now() - t0;
      if (answer.status !== 'cancelled') throw new Error(`cancel answered ${answer.status}`);
      if (i >= 5) samples.push(took);
      // wait until its worker is free again before the next run
      const worker = answer.worker_id!;
      while (cluster.backend.backend.ctx.registry.get(worker)?.status !== 'available')
        await new Promise((r) => setTimeout(r, 2));
    }
    return summarize(samples);
  } finally {
    await cluster.close();
  }
}

/** Backtests per second of `jobs` full-series backtests submitted at once, through 1, 2 and 4 workers. */
/** One round of {@link throughput}. */
export interface ThroughputRow {
  workers: number;
  seconds: number;
  /** Completed backtests per second. */
  perSecond: number;
  /** Distinct workers the round's backtests ran on. */
  workersUsed: number;
  completed: number;
  /** Why the others did not complete. */
  failures: string[];
}

export async function throughput(
  jobs: number,
  workerCounts: readonly number[],
): Promise<ThroughputRow[]> {
  const cluster = await new BenchCluster().start();
  const rows: ThroughputRow[] = [];
  try {
    for (const count of workerCounts) {
      await cluster.addWorkers(count - cluster.workers.length);
      // warm-up round on every worker
      await Promise.all(
        Array.from({ length: count }, async () =>
          cluster.settle(
            (await cluster.client.startBacktest({ strategy_name: 'sma_crossover' })).operation_id,
          ),
        ),
      );
      const t0 = performance.now();
      const ids = (
        await Promise.all(
          Array.from({ length: jobs }, () =>
            cluster.client.startBacktest({ strategy_name: 'sma_crossover' }),
          ),
        )
      ).map((s) => s.operation_id);
      const statuses = await Promise.all(ids.map((id) => cluster.settle(id, 300_000)));
      const seconds = (performance.now() - t0) / 1000;
      // a run that did not complete is a finding to report, not a reason to lose the others
      const failures = ids
        .map((id) => cluster.backend.backend.ctx.operations.get(id))
        .filter((op) => op && op.status !== 'completed')
        .map((op) => `${op?.status} on ${op?.worker_id}: ${op?.error_message}`);
      const completed = statuses.filter((s) => s === 'completed').length;
      const used = new Set(
        ids.map((id) => cluster.backend.backend.ctx.operations.get(id)?.worker_id),
      ).size;
      rows.push({
        workers: count,
        seconds,
        perSecond: completed / seconds,
        workersUsed: used,
        completed,
        failures,
      });
    }
    return rows;
  } finally {
    await cluster.close();
  }
}

/** A generated series as CSV text (1-minute bars). */
function generatedCsv(count: number): string {
  const bars = randomWalkBars({ seed: 42, count, timeframe: '1m' });
  const rows: string[] = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < count; i++) {
    rows.push(
      `${bars.time[i]},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`,
    );
  }
  return rows.join('\n');
}

/** What the million-bar backtest through backend + worker took, and the engine alone. */
export interface EndToEndMillion {
  importSeconds: number;
  coldSeconds: number;
  /** Median of the warm runs (bars from the worker's cache). */
  warmSeconds: number;
  warmRuns: number[];
  /** The same backtest on the same bars in this process, median of as many runs. */
  engineSeconds: number;
  /** warmSeconds / engineSeconds (target ≤ 2). */
  ratio: number;
  /** The stored full result artifact (`result-full.bin`). */
  fullResultBytes: number;
  /** `client.fullResult(id)`: fetch and decode every bar and trade. */
  fetchFullSeconds: number;
  bars: number;
}

/**
 * The same million-bar SMA-crossover backtest through backend + worker, cold, then
 * `warmRuns` times warm; and the engine alone on the same bars in this process, between
 * the warm runs, so the ratio compares runs under the same load.
 */
export async function endToEndMillion(count: number, warmRuns = 3): Promise<EndToEndMillion> {
  const cluster = await new BenchCluster().start();
  try {
    await cluster.addWorkers(1);
    const csv = generatedCsv(count);
    const t0 = performance.now();
    await cluster.client.importCsv({ symbol: 'BENCH', timeframe: '1m', mode: 'replace' }, csv);
    const importSeconds = (performance.now() - t0) / 1000;
    let lastId = '';
    const run = async () => {
      const start = performance.now();
      const { operation_id } = await cluster.client.startBacktest({
        strategy_name: 'sma_crossover',
        symbol: 'BENCH',
        timeframe: '1m',
        start_date: '2000-01-01',
        end_date: '2100-01-01',
      });
      const status = await cluster.settle(operation_id, 600_000);
      if (status !== 'completed')
        throw new Error(
          `backtest ${status}: ${cluster.backend.backend.ctx.operations.get(operation_id)?.error_message}`,
        );
      lastId = operation_id;
      return (performance.now() - start) / 1000;
    };
    // the worker's defaults: 100,000 capital, 0.1 % commission, 0.05 % slippage
    const bars = randomWalkBars({ seed: 42, count, timeframe: '1m' });
    const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };
    const engine = () => {
      const start = performance.now();
      runBacktest(bars, SMA_CROSSOVER, money);
      return (performance.now() - start) / 1000;
    };
    engine(); // warm-up: JIT
    const coldSeconds = await run();
    const warm: number[] = [];
    const alone: number[] = [];
    for (let i = 0; i < warmRuns; i++) {
      warm.push(await run());
      alone.push(engine());
    }
    const f0 = performance.now();
    await cluster.client.fullResult(lastId);
    const fetchFullSeconds = (performance.now() - f0) / 1000;
    const fullResultBytes = statSync(
      cluster.backend.backend.ctx.artifacts.path(lastId, FULL_RESULT_ARTIFACT),
    ).size;
    const warmSeconds = summarize(warm).p50;
    const engineSeconds = summarize(alone).p50;
    return {
      importSeconds,
      coldSeconds,
      warmSeconds,
      warmRuns: warm,
      engineSeconds,
      ratio: warmSeconds / engineSeconds,
      fullResultBytes,
      fetchFullSeconds,
      bars: count,
    };
  } finally {
    await cluster.close();
  }
}
