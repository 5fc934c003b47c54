import { parseStrategyConfig, runBacktest } from '@ktrdr/engine';
import type { BackendEvent, RulesStrategyConfig } from '@ktrdr/shared';
import { ProcessCluster } from './process-cluster.js';
import { cpuSeconds, median } from './proc-stats.js';
import { summarize, type Summary } from './stats.js';

/** The 408-bar slice of the dispatch benchmark: sma_crossover on SP500 1d from 2018-09-01. */
const SHORT = { strategy_name: 'sma_crossover', start_date: '2018-09-01' } as const;

/** Start requests in flight at once: enough to keep 2 workers fed, few enough to be a client. */
const IN_FLIGHT = 32;

/** One round of {@link shortBacktests}: `backtests` separate operations through `workers`. */
export interface ShortBacktestRound {
  workers: number;
  backtests: number;
  completed: number;
  /** First start request sent → last `completed` event, s. */
  seconds: number;
  perSecond: number;
  /** Sequential runs: start request sent → its `operation` event with status `completed` (SSE). */
  endToEnd: Summary;
  /** CPU of the backend process per operation in the throughput phase, ms (from /proc). */
  backendCpuMs: number;
  /** CPU of all worker processes per operation in the throughput phase, ms (from /proc). */
  workerCpuMs: number;
  /** Worker CPU per operation beyond the engine alone's time for it, ms. */
  workerBeyondEngineMs: number;
  /** Throughput-phase wall time divided by the engine alone running the same backtests one after another. */
  ratioToEngine: number;
}

/** What {@link shortBacktests} measured. */
export interface ShortBacktests {
  bars: number;
  /** The engine alone (`runBacktest`, one thread, this process): median ms per backtest. */
  engineMs: number;
  rounds: ShortBacktestRound[];
}

/**
 * Independent short backtests, each its own `POST /api/v1/backtests/start`, through a
 * `ktrdr-backend` process and 1, 2… `ktrdr-worker` processes (a fresh cluster per round):
 * `backtests` start requests ({@link IN_FLIGHT} at a time) timed to the last `completed`
 * event on the SSE stream, with the backend's and the workers' CPU read from /proc (the
 * client's own CPU is not in either); then `latencyRuns` sequential backtests for the
 * end-to-end latency (start request sent → `completed` event). The engine alone runs the
 * same backtest in this process for the ratio.
 */
export async function shortBacktests(
  backtests: number,
  workerCounts: readonly number[],
  latencyRuns = 200,
): Promise<ShortBacktests> {
  let engine: { bars: number; ms: number } | undefined;
  const rounds: ShortBacktestRound[] = [];
  for (const workers of workerCounts) {
    const cluster = await new ProcessCluster().start();
    try {
      await cluster.addWorkers(workers);
      engine ??= await engineAlone(cluster);
      rounds.push(await round(cluster, workers, backtests, latencyRuns, engine.ms));
    } finally {
      await cluster.close();
    }
  }
  return { bars: engine?.bars ?? 0, engineMs: engine?.ms ?? Number.NaN, rounds };
}

/** The same backtest as the workers run, on the backend's bars and strategy, in this thread. */
async function engineAlone(cluster: ProcessCluster): Promise<{ bars: number; ms: number }> {
  const doc = await cluster.client.getStrategy(SHORT.strategy_name);
  const strategy = parseStrategyConfig(doc.config) as RulesStrategyConfig;
  const bars = await cluster.client.getSeriesBinary('SP500', '1d', { start: SHORT.start_date });
  const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };
  for (let i = 0; i < 200; i++) runBacktest(bars, strategy, money);
  const samples: number[] = [];
  // batches of 50: one backtest is too short for the clock alone
  for (let b = 0; b < 40; b++) {
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) runBacktest(bars, strategy, money);
    samples.push((performance.now() - t0) / 50);
  }
  return { bars: bars.time.length, ms: median(samples) };
}

/**
 * Each operation's end time, from the SSE stream: a backtest that ends otherwise than
 * `completed` rejects its wait with what the backend said (the round fails, naming it).
 */
class Completions {
  private readonly ended = new Map<string, { at: number; error?: string }>();
  private readonly waiting = new Map<
    string,
    { resolve(t: number): void; reject(e: Error): void }
  >();

  onEvent = (event: BackendEvent): void => {
    if (event.event !== 'operation') return;
    const { operation_id: id, status } = event.data;
    if (status !== 'completed' && status !== 'failed' && status !== 'cancelled') return;
    const end = {
      at: performance.now(),
      ...(status === 'completed'
        ? {}
        : { error: `${id} ended ${status}: ${event.data.error_message}` }),
    };
    this.ended.set(id, end);
    this.settle(id, end);
  };

  private settle(id: string, end: { at: number; error?: string }): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    // told once: a long round must not leave the client a map of every operation it ran
    this.ended.delete(id);
    if (end.error) waiter.reject(new Error(end.error));
    else waiter.resolve(end.at);
  }

  /** When `id` completed (now or later). */
  of(id: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const end = this.ended.get(id);
      if (end) this.settle(id, end);
    });
  }
}

async function round(
  cluster: ProcessCluster,
  workers: number,
  backtests: number,
  latencyRuns: number,
  engineMs: number,
): Promise<ShortBacktestRound> {
  const completions = new Completions();
  const events = await cluster.events(completions.onEvent);
  try {
    const start = async () => {
      const t0 = performance.now();
      const { operation_id } = await cluster.client.startBacktest(SHORT);
      return { id: operation_id, t0 };
    };
    // warm-up: bars cached on every worker, code compiled, connections open
    for (let i = 0; i < 20 * workers; i++) await completions.of((await start()).id);

    global.gc?.();
    const pids = cluster.workers.map((w) => w.child.pid!);
    const backendPid = cluster.backend.child.pid!;
    const workerCpu0 = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const backendCpu0 = cpuSeconds(backendPid);
    const t0 = performance.now();
    const ends: Promise<number>[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < backtests) {
          next++;
          ends.push(completions.of((await start()).id));
        }
      }),
    );
    const last = Math.max(...(await Promise.all(ends)));
    const seconds = (last - t0) / 1000;
    const backendCpuMs = ((cpuSeconds(backendPid) - backendCpu0) * 1000) / backtests;
    const workerCpuMs =
      ((pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - workerCpu0) * 1000) / backtests;

    const latencies: number[] = [];
    for (let i = 0; i < latencyRuns; i++) {
      const { id, t0: sent } = await start();
      latencies.push((await completions.of(id)) - sent);
    }
    return {
      workers,
      backtests,
      completed: ends.length,
      seconds,
      perSecond: ends.length / seconds,
      endToEnd: summarize(latencies),
      backendCpuMs,
      workerCpuMs,
      workerBeyondEngineMs: workerCpuMs - engineMs,
      ratioToEngine: (seconds * 1000) / (engineMs * backtests),
    };
  } finally {
    events.close();
  }
}

/** The "Independent short backtests" section of docs/BENCHMARKS.md (after its heading). */
export function shortBacktestsMarkdown(bench: ShortBacktests, cores: number): string {
  return [
    `Short backtests (sma_crossover on SP500 1d from 2018-09-01, ${bench.bars} bars), each submitted as its own \`POST /api/v1/backtests/start\` (${IN_FLIGHT} requests in flight), through a \`ktrdr-backend\` process and real \`ktrdr-worker\` processes, a fresh cluster per row after a warm-up of 20 backtests per worker. *Throughput*: first start request → last \`completed\` operation event on the SSE stream. *CPU per operation*: user + system time of the backend process and of the worker processes over that phase (from /proc; the benchmark client is neither). *End to end*: ${bench.rounds[0]?.endToEnd.n ?? 0} sequential backtests, start request sent → their \`completed\` event. *Engine alone*: \`runBacktest\` on the same bars and strategy in one thread, ${bench.engineMs.toFixed(3)} ms per backtest; *ratio* = wall time ÷ the engine alone running the same backtests one after another.`,
    '',
    '| workers | backtests | seconds | backtests/s | end to end p50 / p90 (ms) | backend CPU / op (ms) | worker CPU / op (ms) | worker CPU beyond the engine (ms) | ratio to engine alone |',
    '|---|---|---|---|---|---|---|---|---|',
    ...bench.rounds.map(
      (r) =>
        `| ${r.workers} | ${r.completed} of ${r.backtests} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(0)} | ${r.endToEnd.p50.toFixed(2)} / ${r.endToEnd.p90.toFixed(2)} | ${r.backendCpuMs.toFixed(2)} | ${r.workerCpuMs.toFixed(2)} | ${r.workerBeyondEngineMs.toFixed(2)} | ${r.ratioToEngine.toFixed(1)} |`,
    ),
    '',
    `- This machine has ${cores} cores shared by the backend, the benchmark client (its HTTP and SSE parsing) and the workers: with 2 workers, 4 busy processes share 2 cores, so the 2-worker row shows contention as much as scaling.`,
  ].join('\n');
}
