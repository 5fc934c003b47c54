import { seededRandom } from '@ktrdr/engine/data';
import { BackendClient, type FullResult, type Operation } from '@ktrdr/shared';
import { fullResultDifference } from './full-result-difference.js';
import { freePort } from './ports.js';
import {
  startBackendProcess,
  startWorkerProcess,
  type BackendProcess,
  type WorkerProcess,
} from './processes.js';
import { waitFor } from './wait.js';

/** What a chaos run does. */
export interface ChaosOptions {
  /** A fresh folder for the data dir and the workers' caches. */
  dir: string;
  token: string;
  /** How long work is submitted and processes are killed. */
  seconds: number;
  /** Worker processes kept alive (a killed one is replaced). */
  workers: number;
  /** SIGKILLs of the backend (restarted on the same port and data dir), spread over the run. */
  backendKills: number;
  /** SIGKILLs of a random busy worker, spread over the run. */
  workerKills: number;
  /** Seeds the choice of victims and the requests. */
  seed?: number;
  /** Progress lines (one per kill). */
  log?: (line: string) => void;
}

/** What a chaos run found. Every list should be empty. */
export interface ChaosReport {
  /** Operations the backend acknowledged (202 with an id). */
  acknowledged: number;
  /** All operations in the database at the end (may include ones whose 202 the kill swallowed). */
  stored: number;
  byStatus: Record<string, number>;
  /** Acknowledged operations missing at the end. */
  lost: string[];
  /** Operations with more than one completed attempt. */
  duplicated: string[];
  /** Operations still pending or running after the settle time. */
  stuck: string[];
  /** Operations that did not complete, with their reasons. */
  notCompleted: { id: string; status: string; error: string | null }[];
  /** Completed operations whose full result differs from an uninterrupted run's. */
  wrongResults: string[];
  /** For each wrong result: its attempts and where the result first differs. */
  wrongDetails: string[];
  /** Operations that needed more than one attempt (failover or restart). */
  movedOperations: number;
  backendKills: number;
  workerKills: number;
  /** Per backend restart: process started → every live worker registered again (ms). */
  reRegisterMs: number[];
  /** Per worker kill of a busy worker: kill → its operation running elsewhere (ms). */
  resumeMs: number[];
  durationMs: number;
}

const REQUESTS = [
  { strategy_name: 'macd_trend' },
  { strategy_name: 'sma_crossover' },
  { strategy_name: 'macd_trend', start_date: '2008-01-01' },
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The chaos suite: real `ktrdr-backend` and `ktrdr-worker` processes run a stream of
 * checkpointed backtests while the backend and the workers are SIGKILLed at random moments
 * (mid-dispatch, mid-report, mid-checkpoint). At the end every acknowledged operation must
 * exist, have ended, have completed exactly once, and carry the same full result as an
 * uninterrupted run of its request.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = seededRandom(options.seed ?? 1);
  const log = options.log ?? (() => {});
  const started = Date.now();
  const port = await freePort();
  const dataDir = `${options.dir}/data`;
  const backendEnv = { KTRDR_RESTART_CLAIM_SECONDS: '5', KTRDR_LOG_LEVEL: 'warn' };
  let backend: BackendProcess = await startBackendProcess({
    dataDir,
    port,
    token: options.token,
    env: backendEnv,
  });
  const client = new BackendClient({ baseUrl: backend.url, token: options.token });
  const workers: WorkerProcess[] = [];
  let workerCount = 0;
  const addWorker = async () => {
    const worker = await startWorkerProcess({
      backendUrl: backend.url,
      token: options.token,
      cacheDir: `${options.dir}/worker-${++workerCount}`,
      env: { KTRDR_CHECKPOINT_SECONDS: '0.3', KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '4000' },
    });
    workers.push(worker);
    return worker;
  };
  const alive = () => workers.filter((w) => w.child.exitCode === null && !w.child.signalCode);
  const report: ChaosReport = {
    acknowledged: 0,
    stored: 0,
    byStatus: {},
    lost: [],
    duplicated: [],
    stuck: [],
    notCompleted: [],
    wrongResults: [],
    wrongDetails: [],
    movedOperations: 0,
    backendKills: 0,
    workerKills: 0,
    reRegisterMs: [],
    resumeMs: [],
    durationMs: 0,
  };
  const fullResult = (id: string) => client.fullResult(id);

  try {
    for (let i = 0; i < options.workers; i++) await addWorker();
    await waitFor(
      'workers registered',
      async () => (await client.listWorkers()).total_count === options.workers,
    );

    // the references: each request run once, undisturbed
    const expected: FullResult[] = [];
    for (const request of REQUESTS) {
      const { operation_id } = await client.startBacktest(request);
      await waitFor(
        'reference run',
        async () => (await client.getOperation(operation_id)).status === 'completed',
        { timeoutMs: 30_000 },
      );
      expected.push(await fullResult(operation_id));
    }

    const acknowledged = new Map<string, number>();
    const deadline = Date.now() + options.seconds * 1000;
    const spread = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => Date.now() + ((i + 0.3 + 0.4 * random()) * options.seconds * 1000) / n,
      );
    const backendAt = spread(options.backendKills);
    const workerAt = spread(options.workerKills);
    let backendDown = false;

    const submitter = (async () => {
      while (Date.now() < deadline) {
        try {
          const active = await client.listOperations({ active_only: true, limit: 1 });
          if (active.total_count >= options.workers * 2) {
            await sleep(100);
            continue;
          }
          const index = Math.floor(random() * REQUESTS.length);
          const { operation_id } = await client.startBacktest(REQUESTS[index]!);
          acknowledged.set(operation_id, index);
        } catch {
          // the backend is down (or restarting): try again shortly
          await sleep(backendDown ? 200 : 50);
        }
      }
    })();

    const killWorker = async () => {
      const ops = await client.listOperations({ status: 'running', limit: 50 });
      const busy = ops.operations.filter((o) => alive().some((w) => w.workerId === o.worker_id));
      if (busy.length === 0) {
        log(`no busy worker to kill (${ops.operations.length} running)`);
        return;
      }
      const target = busy[Math.floor(random() * busy.length)] as Operation;
      const victim = alive().find((w) => w.workerId === target.worker_id)!;
      const killedAt = Date.now();
      await victim.stop('SIGKILL');
      report.workerKills++;
      log(`killed worker ${victim.workerId} running ${target.operation_id}`);
      await addWorker();
      try {
        // it moved to another worker — or it had finished just before the kill landed
        const op = await waitFor(
          'moved or finished',
          async () => {
            const now = await client.getOperation(target.operation_id);
            const moved = now.attempt > target.attempt && now.status !== 'pending';
            const finished = now.attempt === target.attempt && now.status === 'completed';
            return moved || finished ? now : undefined;
          },
          { timeoutMs: 20_000, intervalMs: 50 },
        );
        if (op.attempt > target.attempt) report.resumeMs.push(Date.now() - killedAt);
      } catch {
        // reported below: the operation will show up as stuck or not completed
        const now = await client.getOperation(target.operation_id).catch(() => undefined);
        log(
          `${target.operation_id} neither moved nor finished within 20 s of the kill: ${now ? `${now.status}, attempt ${now.attempt} on ${now.worker_id ?? 'no worker'}` : 'not readable'}`,
        );
      }
    };

    const killBackend = async () => {
      backendDown = true;
      await backend.stop('SIGKILL');
      report.backendKills++;
      log('killed the backend');
      backend = await startBackendProcess({
        dataDir,
        port,
        token: options.token,
        env: backendEnv,
      });
      const restartedAt = Date.now();
      backendDown = false;
      const live = alive().length;
      await waitFor(
        'workers registered again',
        async () => (await client.listWorkers()).total_count >= live,
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      report.reRegisterMs.push(Date.now() - restartedAt);
    };

    // every planned kill happens, even when a slow machine pushes some past the deadline
    while (Date.now() < deadline || backendAt.length > 0 || workerAt.length > 0) {
      const now = Date.now();
      if (backendAt.length > 0 && now >= backendAt[0]!) {
        backendAt.shift();
        await killBackend();
      } else if (workerAt.length > 0 && now >= workerAt[0]!) {
        workerAt.shift();
        await killWorker();
      } else await sleep(50);
    }
    await submitter;

    // settle: everything acknowledged must end
    try {
      await waitFor(
        'every operation ended',
        async () =>
          (await client.listOperations({ active_only: true, limit: 1 })).total_count === 0,
        { timeoutMs: 90_000, intervalMs: 250 },
      );
    } catch {
      // listed below as stuck
    }

    const all: Operation[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await client.listOperations({ limit: 200, offset });
      all.push(...page.operations);
      if (page.operations.length < 200) break;
    }
    const byId = new Map(all.map((o) => [o.operation_id, o]));
    report.acknowledged = acknowledged.size;
    report.stored = all.length;
    for (const op of all) report.byStatus[op.status] = (report.byStatus[op.status] ?? 0) + 1;
    for (const op of all) {
      if (op.status === 'pending' || op.status === 'running') report.stuck.push(op.operation_id);
      if (op.attempts.filter((a) => a.outcome === 'completed').length > 1)
        report.duplicated.push(op.operation_id);
      if (op.attempt > 1) report.movedOperations++;
    }
    for (const [id, index] of acknowledged) {
      const op = byId.get(id);
      if (!op) {
        report.lost.push(id);
        continue;
      }
      if (op.status !== 'completed') {
        if (op.status !== 'pending' && op.status !== 'running')
          report.notCompleted.push({ id, status: op.status, error: op.error_message });
        continue;
      }
      const got = await fullResult(id);
      const difference = fullResultDifference(got, expected[index]!);
      if (difference) {
        report.wrongResults.push(id);
        report.wrongDetails.push(
          `${id}: request ${index}, attempts ${op.attempts.map((a) => `${a.attempt} on ${a.worker_id}: ${a.outcome}`).join(' | ')}, resumed_from_bar ${JSON.stringify(op.result_summary?.resumed_from_bar ?? null)}; differs at ${difference}`,
        );
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await backend.stop('SIGKILL');
    report.durationMs = Date.now() - started;
  }
  return report;
}
