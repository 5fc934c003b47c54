import {
  defaultBackendConfig,
  startBackend,
  WorkerActivity,
  type BackendHandle,
  type OperationRecord,
} from '@ktrdr/backend';
import { initialProgress } from '@ktrdr/shared';
import { tempDir } from '@ktrdr/testkit';
import { median } from './proc-stats.js';

/** What keeping the Workers view's activity figures costs the backend. */
export interface ActivityCost {
  /** The listener alone: µs per operation end (median of `runs` loops of `ops` ends). */
  listenerUs: number;
  /** `finish()` through the real operations service, µs per operation, without / with one more activity listener (medians of 2 × `runs` interleaved rounds). */
  finishUs: { without: number; with: number };
  /** The roster's figures for `workers` workers and the cluster (one `GET /workers`'s extra work), µs. */
  readUs: number;
  workers: number;
  ops: number;
  runs: number;
}

const T0 = Date.UTC(2026, 0, 1);

/** An ended operation as the listener sees it: one attempt on `workerId`, 5 ms long. */
function endedRecord(i: number, workerId: string, at: number): OperationRecord {
  const start = new Date(at - 5).toISOString();
  const end = new Date(at).toISOString();
  return {
    operation_id: `op_backtesting_${i}`,
    operation_type: 'backtesting',
    status: 'completed',
    attempt: 1,
    worker_id: workerId,
    parent_operation_id: null,
    retry_of: null,
    created_at: start,
    started_at: start,
    completed_at: end,
    progress: { ...initialProgress(), percentage: 100, current_step: 'completed' },
    metadata: {},
    error_message: null,
    result_summary: null,
    routing_reason: 'least recently used',
    attempts: [
      { attempt: 1, worker_id: workerId, started_at: start, ended_at: end, outcome: 'completed' },
    ],
    provenance: { strategy_hash: 'h', data_etag: 'e', code_version: '0.1.0' },
    job: { strategy_name: 'sma_crossover' },
    checkpoint_ref: null,
  };
}

/** The listener alone, on a clock that moves 1 ms per operation (1,000 operations/s over the workers). */
function listenerCost(ops: number, workers: number): number {
  let now = T0;
  const activity = new WorkerActivity({
    operations: { onEnd: () => () => {} } as never,
    registry: { onRemove: () => () => {} } as never,
    now: () => now,
  });
  const records = Array.from({ length: ops }, (_, i) =>
    endedRecord(i, `worker-${i % workers}`, T0 + i),
  );
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    now = T0 + i;
    activity.operationEnded(records[i]!);
  }
  return ((performance.now() - t0) * 1000) / ops;
}

/** `ops` operations created, assigned, running and finished through the real service, µs each. */
function finishCost(backend: BackendHandle, ops: number, workers: number): number {
  const { operations } = backend.backend.ctx;
  const ids: string[] = [];
  for (let i = 0; i < ops; i++) {
    const op = operations.create({
      type: 'backtesting',
      metadata: {},
      provenance: { strategy_hash: 'h', data_etag: 'e', code_version: '0.1.0' },
      job: { strategy_name: 'sma_crossover' },
    });
    operations.assignWorker(op.operation_id, `worker-${i % workers}`, 'bench');
    operations.markRunning(op.operation_id);
    ids.push(op.operation_id);
  }
  const t0 = performance.now();
  for (const id of ids) operations.finish(id, 'completed', { resultSummary: { total_return: 0 } });
  return ((performance.now() - t0) * 1000) / ops;
}

/**
 * What the activity record costs: the `onEnd` listener alone (in a loop), `finish()` on a
 * real in-process backend with and without one more listener (rounds interleaved, so the
 * machine's noise falls on both), and the read side that `GET /workers` adds.
 */
export async function activityCost(ops = 20_000, runs = 5, workers = 8): Promise<ActivityCost> {
  const listener: number[] = [];
  for (let r = 0; r < runs; r++) listener.push(listenerCost(ops, workers));

  const dir = tempDir();
  const backend = await startBackend({
    ...defaultBackendConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir: `${dir.path}/data`,
    clusterToken: 'bench-token-0123456789abcdef',
    logLevel: 'silent',
  });
  const without: number[] = [];
  const withOne: number[] = [];
  let readUs = Number.NaN;
  try {
    const { ctx } = backend.backend;
    const finishOps = Math.min(ops, 2_000);
    finishCost(backend, 200, workers); // warm-up
    // the store grows as the rounds go: alternate which measure goes first
    const measureWith = () => {
      const extra = new WorkerActivity({ operations: ctx.operations, registry: ctx.registry });
      withOne.push(finishCost(backend, finishOps, workers));
      extra.close();
    };
    for (let r = 0; r < runs * 2; r++) {
      if (r % 2) measureWith();
      without.push(finishCost(backend, finishOps, workers));
      if (!(r % 2)) measureWith();
    }
    // the read side: figures for `workers` registered workers and the cluster
    const now = Date.now();
    for (let w = 0; w < workers; w++)
      ctx.registry.upsert({
        worker_id: `worker-${w}`,
        worker_type: 'backtesting',
        endpoint_url: 'http://127.0.0.1:1',
        connection: 'direct',
        status: 'available',
        capabilities: { gpu: false, cpu_cores: 2, memory_mb: 1024, version: '0.1.0' },
        callback_token: null,
        current_operation_id: null,
        current_attempt: null,
        registered_at: now - 3_600_000,
        last_heard_at: now,
        last_heartbeat_at: now,
        last_dispatched_at: 0,
        idle_mismatch_since: null,
        probing: false,
      });
    const reads: number[] = [];
    for (let r = 0; r < 200; r++) {
      const t0 = performance.now();
      for (const worker of ctx.registry.all()) ctx.activity.wireWorker(worker);
      ctx.activity.wireCluster();
      reads.push((performance.now() - t0) * 1000);
    }
    readUs = median(reads);
  } finally {
    await backend.close();
    dir.remove();
  }
  return {
    listenerUs: median(listener),
    finishUs: { without: median(without), with: median(withOne) },
    readUs,
    workers,
    ops,
    runs,
  };
}
