import type { ClusterActivity, Worker, WorkerActivity as WireWorkerActivity } from '@ktrdr/shared';
import type { OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';
import {
  ActivityTracker,
  type ClusterThroughput,
  type RunningJob,
  type WorkerActivityFigures,
} from './activity-tracker.js';
import { toWireWorker, type WorkerRecord, type WorkerRegistry } from './worker-registry.js';

/** When the current attempt of an operation was assigned to its worker (epoch ms), if known. */
function attemptStart(record: OperationRecord): number | undefined {
  const attempts = record.attempts;
  // the current attempt is the last one: look from the end
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i]!;
    if (a.attempt === record.attempt) return Date.parse(a.started_at);
  }
  return undefined;
}

const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * How busy each worker is and how fast the cluster completes work, fed by the operations'
 * lifecycle: every operation that ends on a worker adds its time (from assignment to end)
 * as busy and, completed, one job; a worker leaving the roster takes its record with it.
 * Costs a few microseconds per operation end (see `bench/src/activity-bench.ts`).
 */
export class WorkerActivity {
  readonly tracker: ActivityTracker;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly deps: {
      operations: OperationsService;
      registry: WorkerRegistry;
      now?: () => number;
    },
  ) {
    this.tracker = new ActivityTracker(deps.now);
    this.unsubscribe.push(
      deps.operations.onEnd((record) => this.operationEnded(record)),
      deps.registry.onRemove((workerId) => this.tracker.forget(workerId)),
    );
  }

  /** Counts an ended operation against the worker that held it (none: the backend ran it). */
  operationEnded(record: OperationRecord): void {
    const workerId = record.worker_id;
    if (workerId === null) return;
    const start = attemptStart(record);
    if (start === undefined || Number.isNaN(start)) return;
    this.tracker.jobEnded(workerId, start, record.status === 'completed');
  }

  /**
   * `n` items of a job done on `workerId` — a sweep shard's parameter sets, say — counted
   * as that worker's items per minute (each batch report of a shard's finished sets).
   */
  recordItems(workerId: string, n: number): void {
    this.tracker.recordItems(workerId, n);
  }

  /** The job a worker holds now and since when it holds it, if any. */
  private running(worker: WorkerRecord): RunningJob | null {
    const id = worker.current_operation_id;
    if (id === null) return null;
    const record = this.deps.operations.get(id);
    if (!record || record.worker_id !== worker.worker_id) return null;
    if (record.status !== 'pending' && record.status !== 'running') return null;
    const startedAtMs = attemptStart(record);
    return startedAtMs === undefined || Number.isNaN(startedAtMs) ? null : { startedAtMs };
  }

  /** A worker's figures, unrounded (for `/metrics`). */
  figures(worker: WorkerRecord): WorkerActivityFigures {
    return this.tracker.figures(worker.worker_id, worker.registered_at, this.running(worker));
  }

  /** The cluster's throughput, unrounded. */
  throughput(): ClusterThroughput {
    return this.tracker.throughput();
  }

  /** A worker's wire form with its activity (the roster's GET answers). */
  wireWorker(worker: WorkerRecord): Worker {
    const f = this.figures(worker);
    const activity: WireWorkerActivity = {
      busy_fraction: round(f.busy_fraction, 4),
      completed_per_minute: round(f.completed_per_minute, 2),
      window_seconds: round(f.window_seconds, 1),
    };
    return { ...toWireWorker(worker), activity };
  }

  /** The cluster's throughput as the roster answer carries it. */
  wireCluster(): ClusterActivity {
    const t = this.throughput();
    return {
      completed_per_minute: round(t.completed_per_minute, 2),
      completed_per_second: round(t.completed_per_second, 3),
      window_seconds: round(t.window_seconds, 1),
    };
  }

  /** Stops listening (the backend is closing). */
  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }
}
