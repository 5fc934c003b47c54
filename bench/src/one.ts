#!/usr/bin/env node
/**
 * Runs one benchmark scenario and prints its result as JSON (after `npm run build`):
 * `node --expose-gc bench/dist/one.js <scenario> [numbers…]`, e.g.
 * `node bench/dist/one.js deadWorker 7`. Without a scenario, lists them. `npm run bench`
 * runs them all with the defaults shown here and writes docs/BENCHMARKS.md.
 */
import { activityCost } from './activity-bench.js';
import { engineThroughput, memoryPerMillionBars } from './engine-bench.js';
import {
  backendRestart,
  checkpointResume,
  deadWorkerDetection,
  silentHostDetection,
} from './failure-bench.js';
import { httpClientCost } from './http-client-bench.js';
import { ibDownload } from './ib-bench.js';
import { clusterLoad } from './load-cluster.js';
import { operationsList } from './load-operations.js';
import { idleRss } from './rss-bench.js';
import { shardSweep, shardSweeps } from './shard-sweep-bench.js';
import { shortBacktests } from './short-backtests.js';
import { storeWrites } from './store-writes-bench.js';
import { leaderboardReads } from './leaderboard-bench.js';
import {
  cancelLatency,
  dispatchLatency,
  endToEndMillion,
  progressLatency,
  throughput,
} from './scenarios.js';
import { trainingRoundTrip, trainingThroughput } from './training-bench.js';
import { uiSmoothness, uiTimeToReady } from './ui-bench.js';

/** Each scenario with its defaults (those `npm run bench` uses) and what its numbers mean. */
export const SCENARIOS: Record<string, { args: string; run: (a: number[]) => unknown }> = {
  engine: { args: 'bars=1000000 runs=5', run: ([b = 1e6, r = 5]) => engineThroughput(b, r) },
  engineMemory: { args: '', run: () => memoryPerMillionBars() },
  training: { args: '', run: () => trainingThroughput() },
  trainingRoundTrip: { args: '', run: () => trainingRoundTrip() },
  dispatch: { args: 'runs=200', run: ([r = 200]) => dispatchLatency(r) },
  progress: { args: 'runs=200', run: ([r = 200]) => progressLatency(r) },
  cancel: { args: 'runs=200', run: ([r = 200]) => cancelLatency(r) },
  throughput: {
    args: 'jobs=40 workers…=1 2 4 8 20',
    run: ([jobs = 40, ...counts]) => throughput(jobs, counts.length ? counts : [1, 2, 4, 8, 20]),
  },
  shardSweep: {
    args: 'sets=10000 full=0 workers=2',
    run: ([sets = 10_000, full = 0, workers = 2]) =>
      shardSweep(sets, full ? 'full' : 'short', workers),
  },
  shardSweeps: { args: '', run: () => shardSweeps() },
  million: {
    args: 'bars=1000000 warmRuns=3',
    run: ([b = 1e6, w = 3]) => endToEndMillion(b, w),
  },
  storeWrites: {
    args: 'operations=5000 sets=100000',
    run: ([o = 5000, s = 100_000]) => storeWrites(o, s),
  },
  leaderboard: {
    args: 'sets=100000 runs=5',
    run: ([s = 100_000, r = 5]) => leaderboardReads(s, r),
  },
  shortBacktests: {
    args: 'backtests=2000 workers…=1 2',
    run: ([n = 2000, ...counts]) => shortBacktests(n, counts.length ? counts : [1, 2]),
  },
  ib: { args: 'bars=1000000', run: ([b = 1e6]) => ibDownload(b) },
  httpClient: { args: 'requests=2000', run: ([n = 2000]) => httpClientCost(n) },
  uiSmoothness: {
    args: 'operations=100 intervalMs=200 seconds=5',
    run: ([n = 100, i = 200, s = 5]) => uiSmoothness(n, i, s),
  },
  deadWorker: { args: 'runs=7', run: ([r = 7]) => deadWorkerDetection(r) },
  silentHost: { args: 'runs=7', run: ([r = 7]) => silentHostDetection(r) },
  resume: { args: 'runs=5', run: ([r = 5]) => checkpointResume(r) },
  restart: { args: 'workers=8 runs=5', run: ([w = 8, r = 5]) => backendRestart(w, r) },
  idleRss: { args: 'runs=5 settleMs=8000', run: ([r = 5, s = 8000]) => idleRss(r, s) },
  workerActivity: {
    args: 'ops=20000 runs=5 workers=8',
    run: ([o = 20_000, r = 5, w = 8]) => activityCost(o, r, w),
  },
  uiReady: { args: 'loads=7', run: ([l = 7]) => uiTimeToReady(l) },
  // the two parts of `npm run load`
  clusterLoad: {
    args: 'seconds=60 workers=1000 sse=200',
    run: ([seconds = 60, w = 1000, sse = 200]) =>
      clusterLoad({
        seconds,
        simulatedWorkers: w,
        sseClients: sse,
        realWorkers: 2,
        baselineSeconds: 10,
      }),
  },
  operationsList: {
    args: 'operations=100000 samples=200',
    run: ([n = 100_000, samples = 200]) => operationsList(n, samples),
  },
};

/** The command that runs one scenario alone, for the tables. */
export function commandOf(name: keyof typeof SCENARIOS, args: readonly number[] = []): string {
  return `node --expose-gc bench/dist/one.js ${[name, ...args].join(' ')}`;
}

const isMain = process.argv[1]?.endsWith('/one.js') === true;
if (isMain) {
  const [name, ...rest] = process.argv.slice(2);
  const scenario = name ? SCENARIOS[name] : undefined;
  if (!scenario) {
    console.log(
      `usage: node --expose-gc bench/dist/one.js <scenario> [numbers…]\n${Object.entries(SCENARIOS)
        .map(([n, s]) => `  ${n} ${s.args}`)
        .join('\n')}`,
    );
    process.exit(name ? 2 : 0);
  }
  const result = await scenario.run(rest.map(Number));
  console.log(JSON.stringify(result, null, 1));
  process.exit(0);
}
