import type { SweepStartRequest } from '@ktrdr/shared';
import { BenchCluster } from './cluster.js';
import { cpuSeconds } from './proc-stats.js';

/** A short backtest (about 20 months of daily bars), as in the dispatch benchmark. */
const SHORT = { strategy_name: 'sma_crossover', start_date: '2018-09-01' } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The values of `indicators.fast.period` every sweep crosses with the slow periods. */
const FAST = { from: 2, to: 26, step: 1 } as const;
const FAST_COUNT = FAST.to - FAST.from + 1;

/**
 * The search space of `backtests` sets: fast SMA 2…26 × slow SMA 30, 35, 40, … (as many as
 * it takes), every period well inside the ~20 months of bars and every fast one below every
 * slow one. A whole number of slow values is a grid; otherwise `backtests` random sets of it.
 */
export function sweepSpace(backtests: number): Pick<
  SweepStartRequest,
  'parameters' | 'mode' | 'samples' | 'seed'
> & {
  /** The sets in the backend's order (grid: the first path varies slowest). */
  sets: { 'indicators.fast.period': number; 'indicators.slow.period': number }[];
} {
  const slowCount = Math.ceil(backtests / FAST_COUNT);
  const slow = Array.from({ length: slowCount }, (_, i) => 30 + 5 * i);
  const grid = backtests === FAST_COUNT * slowCount;
  const sets = Array.from({ length: FAST_COUNT * slowCount }, (_, i) => ({
    'indicators.fast.period': FAST.from + Math.floor(i / slowCount),
    'indicators.slow.period': slow[i % slowCount]!,
  }));
  return {
    parameters: { 'indicators.fast.period': { ...FAST }, 'indicators.slow.period': slow },
    ...(grid
      ? { mode: 'grid' as const }
      : { mode: 'random' as const, samples: backtests, seed: 1 }),
    // random mode: the separate round runs the first `backtests` sets of the grid instead
    sets: sets.slice(0, backtests),
  };
}

/** One round of {@link sweepScaling}. */
export interface SweepRound {
  /** `sweep`: one sweep request; `separate`: one backtest start request per set, all at once. */
  mode: 'sweep' | 'separate';
  workers: number;
  backtests: number;
  /** Start request sent → the sweep (or the last backtest) ended. */
  seconds: number;
  /** Completed backtests per second. */
  perSecond: number;
  /** Speed-up over the 1-worker sweep round divided by the workers (null without that round). */
  efficiency: number | null;
  /** The start request(s): sent → answered, ms (all of them, for `separate`). */
  startMs: number;
  /** Start request sent → `GET …/result` first shows a row ranked 1, in s (sweeps only). */
  firstRankedSeconds: number | null;
  /** The sweep operation's end state and its `progress.items_processed` (sweeps only). */
  parentStatus: string | null;
  /** Why the round stopped waiting before every backtest ended (null: they all did). */
  stalled: string | null;
  itemsProcessed: number | null;
  /** Rows ranked in the final leaderboard (sweeps only). */
  ranked: number | null;
  completed: number;
  /** Distinct worker ids among the round's backtests. */
  workersUsed: number;
  /** Backtests that did not complete: `count × status on worker: reason`. */
  failures: string[];
  /** CPU per backtest, ms: this process (backend + benchmark client) and the worker processes. */
  backendCpuMsPerBacktest: number;
  workerCpuMsPerBacktest: number;
}

/** What {@link sweepScaling} measured. */
export interface SweepBench {
  backtests: number;
  parameters: SweepStartRequest['parameters'];
  rounds: SweepRound[];
}

const tally = (values: readonly string[]) =>
  [...new Set(values)].map((v) => `${values.filter((x) => x === v).length} × ${v}`);

/** How long a round may go without a backtest ending before it is reported as stalled. */
const STALL_MS = 60_000;

const isEnded = (status: string | undefined) =>
  status === 'completed' || status === 'failed' || status === 'cancelled';

/**
 * Waits until `ended()` holds; if no backtest of `ids()` ends for {@link STALL_MS}, gives up
 * and answers what the backend knows of the open ones and their workers (a finding to
 * report, not a crash of the benchmark); null when it ended.
 */
async function untilEnded(
  cluster: BenchCluster,
  ids: () => readonly string[],
  ended: () => boolean,
): Promise<string | null> {
  const { operations, registry } = cluster.backend.backend.ctx;
  let done = -1;
  let since = performance.now();
  for (let polls = 0; ; polls++) {
    if (ended()) return null;
    // counting hundreds of records every 2 ms would load the backend's event loop
    if (polls % 50 === 0) {
      const now = ids().filter((id) => isEnded(operations.get(id)?.status)).length;
      if (now !== done) [done, since] = [now, performance.now()];
      else if (performance.now() - since > STALL_MS) {
        const records = ids().map((id) => operations.get(id));
        const open = records
          .filter((c) => c && !isEnded(c.status))
          .slice(0, 3)
          .map((c) => {
            const worker = c?.worker_id ? registry.get(c.worker_id) : undefined;
            const age = c?.started_at
              ? `${((Date.now() - Date.parse(c.started_at)) / 1000).toFixed(0)} s`
              : '—';
            // what the worker processes logged about it (warnings and errors only)
            const logged = cluster.workers
              .flatMap((w) => w.output().split('\n'))
              .filter((line) => c && line.includes(c.operation_id))
              .map((line) => {
                try {
                  const entry = JSON.parse(line) as { err?: string; msg?: string };
                  return entry.err ?? entry.msg ?? line;
                } catch {
                  return line;
                }
              })
              .map((line) => line.slice(0, 200));
            return `${c?.operation_id} (attempt ${c?.attempt}) ${c?.status} for ${age} at ${c?.progress.percentage} % on ${c?.worker_id}, which the backend has ${worker?.status ?? 'not registered'} with ${worker?.current_operation_id ?? 'no operation'}; earlier attempts: ${
              c?.attempts
                .slice(0, -1)
                .map(
                  (a) =>
                    `${a.attempt} on ${a.worker_id} ended ${a.ended_at ? Date.parse(a.ended_at) - Date.parse(a.started_at) : '?'} ms after its start: ${a.outcome}`,
                )
                .join(', ') || 'none'
            }; the workers logged: ${logged.length ? logged.join(' / ') : 'nothing'}`;
          });
        return `no backtest ended for ${STALL_MS / 1000} s at ${done} of ${records.length} ended (${tally(records.map((r) => r?.status ?? 'missing')).join(', ')}): ${open.join('; ')}`;
      }
    }
    await sleep(2);
  }
}

/**
 * `backtests` short backtests as one parameter sweep (sma_crossover over fast × slow SMA
 * periods) through 1, 2, 4… real worker processes, a fresh backend (in this process) per
 * round; plus, through `separateWorkers` workers, the same backtests sent as separate start
 * requests (all at once), to show what the sweep's orchestration costs per child.
 */
export async function sweepScaling(
  backtests: number,
  workerCounts: readonly number[],
  separateWorkers: number | null,
): Promise<SweepBench> {
  const space = sweepSpace(backtests);
  const request: SweepStartRequest = {
    ...SHORT,
    parameters: space.parameters,
    mode: space.mode,
    ...(space.samples !== undefined ? { samples: space.samples, seed: space.seed } : {}),
    objective: 'sharpe_ratio',
    max_children: backtests,
  };
  const rounds: SweepRound[] = [];
  for (const workers of workerCounts) {
    rounds.push(await round('sweep', workers, request, space.sets));
    // next to the sweep round with as many workers, so both see about the same machine
    if (workers === separateWorkers)
      rounds.push(await round('separate', workers, request, space.sets));
  }
  if (separateWorkers !== null && !workerCounts.includes(separateWorkers))
    rounds.push(await round('separate', separateWorkers, request, space.sets));
  const base = rounds.find((r) => r.mode === 'sweep' && r.workers === 1)?.perSecond;
  for (const r of rounds)
    if (r.mode === 'sweep' && base) r.efficiency = r.perSecond / base / r.workers;
  return { backtests, parameters: space.parameters, rounds };
}

async function round(
  mode: SweepRound['mode'],
  workers: number,
  request: SweepStartRequest,
  sets: readonly Record<string, number>[],
): Promise<SweepRound> {
  const cluster = await new BenchCluster().start();
  try {
    await cluster.addWorkers(workers);
    const { operations } = cluster.backend.backend.ctx;
    // warm-up: one short backtest on every worker (bars cached, code compiled)
    await Promise.all(
      Array.from({ length: workers }, async () =>
        cluster.settle((await cluster.client.startBacktest(SHORT)).operation_id),
      ),
    );
    global.gc?.();
    const pids = cluster.workers.map((w) => w.child.pid!);
    const workerCpu0 = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const t0Epoch = Date.now();
    let ids: string[];
    let startMs: number;
    let firstRankedSeconds: number | null = null;
    let parentStatus: string | null = null;
    let itemsProcessed: number | null = null;
    let ranked: number | null = null;
    let parentId: string | null = null;
    let stalled: string | null = null;
    if (mode === 'sweep') {
      const id = (await cluster.client.startSweep(request)).operation_id;
      parentId = id;
      startMs = performance.now() - t0;
      let ended = false;
      // the first ranked row as a client sees it (polling stops there, so it costs little)
      const firstRanked = (async () => {
        for (;;) {
          const result = await cluster.client.getSweepResult(id);
          if (result.leaderboard[0]?.rank === 1) return (performance.now() - t0) / 1000;
          if (ended || operations.get(id)?.status !== 'running') return null;
          await sleep(10);
        }
      })();
      const children = operations.children(id).map((c) => c.operation_id);
      stalled = await untilEnded(
        cluster,
        () => children,
        () => isEnded(operations.get(id)?.status),
      );
      ended = true;
      parentStatus = operations.get(id)?.status ?? 'missing';
      firstRankedSeconds = await firstRanked;
      itemsProcessed = operations.get(id)?.progress.items_processed ?? null;
      ids = operations.children(id).map((c) => c.operation_id);
    } else {
      ids = (
        await Promise.all(
          sets.map((parameters) => cluster.client.startBacktest({ ...SHORT, parameters })),
        )
      ).map((s) => s.operation_id);
      startMs = performance.now() - t0;
      const all = ids;
      stalled = await untilEnded(
        cluster,
        () => all,
        () => all.every((id) => isEnded(operations.get(id)?.status)),
      );
    }
    let seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const workerCpu = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - workerCpu0;
    if (parentId)
      ranked = (await cluster.client.getSweepResult(parentId)).leaderboard.filter(
        (r) => r.rank !== null,
      ).length;
    const records = ids.map((id) => operations.get(id));
    // stalled: up to the last backtest that ended, not the minute spent waiting for the rest
    if (stalled !== null)
      seconds =
        (Math.max(...records.map((r) => (r?.completed_at ? Date.parse(r.completed_at) : t0Epoch))) -
          t0Epoch) /
        1000;
    const completed = records.filter((r) => r?.status === 'completed').length;
    // a backtest that did not complete is a finding to report, not a reason to lose the others
    const failures = tally(
      records
        .filter((r) => r?.status !== 'completed')
        .map((r) => `${r?.status} on ${r?.worker_id}: ${r?.error_message}`),
    );
    const used = new Set(records.map((r) => r?.worker_id).filter((w) => w)).size;
    return {
      mode,
      workers,
      backtests: ids.length,
      seconds,
      perSecond: completed / seconds,
      efficiency: null,
      startMs,
      firstRankedSeconds,
      parentStatus,
      stalled,
      itemsProcessed,
      ranked,
      completed,
      workersUsed: used,
      failures,
      backendCpuMsPerBacktest: (cpu.user + cpu.system) / 1000 / ids.length,
      workerCpuMsPerBacktest: (workerCpu * 1000) / ids.length,
    };
  } finally {
    await cluster.close();
  }
}

const ranges = (values: readonly (number | string | boolean)[]) =>
  values.length > 3
    ? `${values[0]}, ${values[1]}, … ${values[values.length - 1]}`
    : values.join(', ');

/** A swept dimension in words: `2…26 by 1` or `30, 35, … 125`. */
function dimension(value: SweepStartRequest['parameters'][string]): string {
  return Array.isArray(value) ? ranges(value) : `${value.from}…${value.to} by ${value.step}`;
}

/** The Summary row of docs/BENCHMARKS.md: measure and result. */
export function sweepSummary(bench: SweepBench): [string, string] {
  const sweeps = bench.rounds.filter((r) => r.mode === 'sweep');
  const first = sweeps.find((r) => r.workers === 1) ?? sweeps[0];
  return [
    `parameter sweep, ${bench.backtests} short backtests as one sweep: backtests/s with ${sweeps.map((r) => r.workers).join(' / ')} workers (scaling efficiency); start → first ranked row`,
    `${sweeps.map((r) => r.perSecond.toFixed(1)).join(' / ')} (${sweeps.map((r) => (r.efficiency === null ? '—' : r.efficiency.toFixed(2))).join(' / ')}); ${first?.firstRankedSeconds === null || first?.firstRankedSeconds === undefined ? 'no ranked row' : `${first.firstRankedSeconds.toFixed(2)} s`}`,
  ];
}

/** The "Parameter sweep" section of docs/BENCHMARKS.md (after its heading). */
export function sweepMarkdown(bench: SweepBench, cores: number): string {
  const sweeps = bench.rounds.filter((r) => r.mode === 'sweep');
  const separate = bench.rounds.find((r) => r.mode === 'separate');
  const twin = separate && sweeps.find((r) => r.workers === separate.workers);
  const sec = (v: number | null) => (v === null ? '—' : v.toFixed(2));
  const space = Object.entries(bench.parameters)
    .map(([path, value]) => `\`${path}\` ${dimension(value)}`)
    .join(' × ');
  const failures = bench.rounds
    .filter(
      (r) =>
        r.failures.length > 0 ||
        r.stalled !== null ||
        (r.parentStatus !== null && r.parentStatus !== 'completed'),
    )
    .map(
      (r) =>
        `\nWith ${r.workers} workers (${r.mode === 'sweep' ? 'the sweep' : 'separate backtests'}), ${r.backtests - r.completed} of ${r.backtests} did not complete${r.failures.length ? ` (${r.failures.join('; ')})` : ''}${r.parentStatus !== null && r.parentStatus !== 'completed' ? `; the sweep operation was ${r.parentStatus}` : ''}${r.stalled ? `; the round stopped waiting: ${r.stalled}` : ''}.`,
    )
    .join('');
  const one = sweeps.find((r) => r.workers === 1);
  const ceiling = one && {
    backend: one.backendCpuMsPerBacktest,
    worker: one.workerCpuMsPerBacktest,
    cpu: one.backendCpuMsPerBacktest + one.workerCpuMsPerBacktest,
    perSecond: (cores * 1000) / (one.backendCpuMsPerBacktest + one.workerCpuMsPerBacktest),
  };
  const lines = [
    `${bench.backtests} short backtests (sma_crossover on SP500 1d from 2018-09-01, 408 bars, as in the dispatch benchmark) as one sweep over ${space}, ranked by Sharpe ratio: one \`POST /api/v1/sweeps/start\`, one parent \`sweep\` operation and a child backtest per set. Each round is a fresh backend in the benchmark process with real \`ktrdr-worker\` processes, one warm-up backtest per worker; its time runs from the start request to the sweep operation \`completed\`.`,
    '',
    '| workers | seconds | completed | backtests/s | vs 1 worker | efficiency (speed-up / workers) | workers used | start request answered (ms) | first ranked row (s) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...sweeps.map(
      (r) =>
        `| ${r.workers} | ${r.seconds.toFixed(2)} | ${r.completed} of ${r.backtests} | ${r.perSecond.toFixed(1)} | ${r.efficiency === null ? '—' : `${(r.efficiency * r.workers).toFixed(2)}×`} | ${r.efficiency === null ? '—' : r.efficiency.toFixed(2)} | ${r.workersUsed} of ${r.workers} | ${r.startMs.toFixed(0)} | ${sec(r.firstRankedSeconds)} |`,
    ),
    ...(failures ? [failures] : []),
    '',
    `- *first ranked row*: start request sent → \`GET /api/v1/operations/{id}/result\` (polled every 10 ms) first has a row with rank 1.`,
    `- *start request*: the backend checks every set and creates the sweep and its ${bench.backtests} children before it answers.`,
    `- This machine has ${cores} cores shared by the backend, the benchmark client and every worker process: beyond ${cores} workers the figures show contention, not scaling.`,
    ...(ceiling
      ? [
          `- CPU bound: with 1 worker each backtest took ${ceiling.cpu.toFixed(0)} ms of CPU (${ceiling.backend.toFixed(0)} ms in the benchmark process, which holds the backend, ${ceiling.worker.toFixed(0)} ms in the worker), so ${cores} otherwise idle cores allow at most about ${ceiling.perSecond.toFixed(0)} backtests/s however many workers run them; the backend's share runs mostly on its one event loop (at most about ${(1000 / ceiling.backend).toFixed(0)}/s).`,
        ]
      : []),
    ...(bench.rounds.some((r) => r.stalled !== null)
      ? [
          '- A round in which some backtests never ended (see above) is timed to the last one that did; its rate counts only the completed ones.',
        ]
      : []),
  ];
  if (separate && twin) {
    const wall = ((twin.seconds - separate.seconds) / separate.backtests) * 1000;
    const cpu = twin.backendCpuMsPerBacktest - separate.backendCpuMsPerBacktest;
    lines.push(
      '',
      `What the sweep's orchestration costs: the same ${separate.backtests} parameter sets through ${separate.workers} workers, once as the sweep and once as ${separate.backtests} separate \`POST /api/v1/backtests/start\` requests sent at once (time to the last one completed). CPU per backtest: the benchmark process (backend and client) and the worker processes.`,
      '',
      '| submitted as | workers | seconds | completed | backtests/s | start request(s) answered (ms) | backend CPU per backtest (ms) | worker CPU per backtest (ms) |',
      '|---|---|---|---|---|---|---|---|',
      ...[twin, separate].map(
        (r) =>
          `| ${r.mode === 'sweep' ? 'one sweep' : `${r.backtests} separate backtests`} | ${r.workers} | ${r.seconds.toFixed(2)} | ${r.completed} of ${r.backtests} | ${r.perSecond.toFixed(1)} | ${r.startMs.toFixed(0)} | ${r.backendCpuMsPerBacktest.toFixed(1)} | ${r.workerCpuMsPerBacktest.toFixed(1)} |`,
      ),
      '',
      `Per child, the sweep takes ${wall >= 0 ? `${wall.toFixed(1)} ms more` : `${(-wall).toFixed(1)} ms less`} wall time and ${cpu >= 0 ? `${cpu.toFixed(1)} ms more` : `${(-cpu).toFixed(1)} ms less`} backend CPU than a separately submitted backtest.`,
    );
  }
  return lines.join('\n');
}
