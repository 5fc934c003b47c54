import {
  ApiError,
  ConnectionError,
  type JobKindRegistry,
  type NextJob,
  type WorkerType,
} from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';
import type { WorkerClients } from '../workers/worker-clients.js';
import type { WorkerRecord, WorkerRegistry } from '../workers/worker-registry.js';
import type { DispatchQueues } from './dispatch-queues.js';

/** What the dispatcher needs from the rest of the backend. */
export interface DispatcherDeps {
  /** The job kinds: which worker type runs each, its start route, GPU preference. */
  kinds: JobKindRegistry;
  /** The queues (shared with the operations service, which reads queue positions). */
  queues: DispatchQueues;
  registry: WorkerRegistry;
  operations: OperationsService;
  clients: WorkerClients;
  log: FastifyBaseLogger;
  /** Called with each successful dispatch's latency in ms (start request sent → worker accepted). */
  observeDispatch?: (ms: number) => void;
  /** Called for each job handed over in a report's answer (see {@link Dispatcher.handOver}). */
  observeHandOver?: () => void;
  now?: () => number;
  /** Whether a worker can be sent a job now (a reverse worker: once its channel is open). */
  reachable?: (worker: WorkerRecord) => boolean;
}

/**
 * How long queue-position changes are gathered before they are announced. Every start moves
 * each queued operation up one place: announcing each move at once would cost one event per
 * queued operation per start (quadratic under load), and a client needs only the latest place.
 */
export const QUEUE_ANNOUNCE_MS = 250;

/** The first places of a queue, announced at every move: those are the next to start. */
export const QUEUE_ANNOUNCE_HEAD = 100;

/**
 * Beyond the head, a move is announced once the place changed by this fraction since the
 * last announced one (#8,000 → #4,000 → #2,000 …): an operation queued at place p is
 * announced about log₂(p / {@link QUEUE_ANNOUNCE_HEAD}) times before it reaches the head,
 * six for #8,000. A tenth cost 40 events per operation there: 7 % of the backend's CPU
 * while 8,000 short backtests drained (perf, `shortBacktests 8000 1`). Asked, the place is
 * always exact.
 */
export const QUEUE_ANNOUNCE_STEP = 0.5;

/** The chosen worker and why. */
interface Pick {
  worker: WorkerRecord;
  reason: string;
}

/**
 * Sends pending operations to workers. One FIFO queue per worker type; a free worker
 * takes the head of its queue (least recently used first; GPU first for training). A
 * worker that answers 503 or cannot be reached is skipped and the operation stays at the
 * head of the queue for the next one.
 */
export class Dispatcher {
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly jobSources = new Map<string, (record: OperationRecord) => object>();
  private readonly now: () => number;
  private closed = false;
  /** Per worker type, the first queue index whose operations moved since the last announcement. */
  private readonly moved = new Map<WorkerType, number>();
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  /** The place last announced for each queued operation beyond the head. */
  private readonly announcedPlace = new Map<string, number>();
  /**
   * Workers whose final report is being answered (see {@link handOver}): the job the pump
   * gives one rides in that answer; null until it gets one.
   */
  private readonly handingOver = new Map<string, NextJob | null>();

  constructor(private readonly deps: DispatcherDeps) {
    this.now = deps.now ?? (() => Date.now());
  }

  /**
   * A kind whose job changes between attempts builds it here, just before each start (a
   * sweep shard sends only the sets it has not reported yet); others send the stored job.
   */
  jobSource(operationType: string, build: (record: OperationRecord) => object): void {
    this.jobSources.set(operationType, build);
  }

  private queue(type: WorkerType): string[] {
    return this.deps.queues.of(type);
  }

  /** The worker type that runs an operation (a clear error for backend-run kinds). */
  private workerTypeOf(record: OperationRecord): WorkerType {
    return this.deps.kinds.onWorkers(record.operation_type).runsOn;
  }

  /** 1-based place of a pending operation in its queue, or null. */
  queuePosition(id: string): number | null {
    return this.deps.queues.position(id);
  }

  /**
   * Puts pending operations (oldest first) back in their queues, e.g. after a restart;
   * those of kinds the backend runs itself are left to their services.
   */
  restore(records: readonly OperationRecord[]): void {
    for (const record of records)
      if (!this.deps.kinds.runsOnBackend(record.operation_type))
        this.queue(this.workerTypeOf(record)).push(record.operation_id);
    for (const type of this.deps.queues.types()) this.pump(type);
  }

  /**
   * Queues an operation (at the back; at the front with `front`) and tries to start it at
   * once. Resolves when it runs or waits in the queue.
   */
  async submit(record: OperationRecord, options: { front?: boolean } = {}): Promise<void> {
    const type = this.workerTypeOf(record);
    // work that was already running (failover) goes ahead of work that never started
    const queue = this.queue(type);
    if (options.front) queue.unshift(record.operation_id);
    else queue.push(record.operation_id);
    this.pump(type);
    if (!this.inflight.has(record.operation_id)) {
      // still queued: at the front, or at the back (searching a long queue for it cost more
      // than the rest of a start request)
      const place = options.front ? queue.indexOf(record.operation_id) + 1 : queue.length;
      if (queue[place - 1] === record.operation_id) this.announcePlace(record, place);
      else this.deps.operations.announce(record);
      return;
    }
    // a worker that answers 503 hands the operation to the next one: wait for the last try
    await this.settled(record.operation_id);
  }

  /** Resolves once no dispatch of `id` is under way (following retries on other workers). */
  async settled(id: string): Promise<void> {
    for (let running = this.inflight.get(id); running; running = this.inflight.get(id))
      await running;
  }

  /** Removes a queued operation; false if it was not queued. */
  dequeue(id: string): boolean {
    const removed = this.deps.queues.remove(id);
    this.announcedPlace.delete(id);
    if (removed) this.announceQueue(removed.type, removed.at);
    return removed !== undefined;
  }

  /** The dispatch of `id` under way, if any (cancel waits for it before acting). */
  inflightDispatch(id: string): Promise<void> | undefined {
    return this.inflight.get(id);
  }

  /** Starts as many queued operations of `type` as there are free workers. */
  pump(type: WorkerType): void {
    if (this.closed) return;
    const queue = this.queue(type);
    let started = false;
    while (queue.length > 0) {
      const id = queue[0] as string;
      const record = this.deps.operations.get(id);
      if (!record || record.status !== 'pending') {
        queue.shift();
        this.announcedPlace.delete(id);
        started = true;
        continue;
      }
      const kind = this.deps.kinds.onWorkers(record.operation_type);
      const pick = this.pick(type, kind.preferGpu);
      if (!pick) break;
      queue.shift();
      this.announcedPlace.delete(id);
      started = true;
      this.deps.registry.setState(pick.worker, 'busy', { id, attempt: record.attempt });
      pick.worker.last_dispatched_at = this.now();
      // training records the TensorFlow.js backend it ran on, for reproducibility
      const trainingBackend = kind.recordsTrainingBackend
        ? (pick.worker.capabilities.training_backend ?? null)
        : undefined;
      this.deps.operations.assignWorker(id, pick.worker.worker_id, pick.reason, trainingBackend);
      if (this.handingOver.get(pick.worker.worker_id) === null) {
        // the worker asked for it in its report: it is running there once the answer goes
        this.handingOver.set(pick.worker.worker_id, {
          operation_type: record.operation_type,
          job: this.jobFor(record),
        });
        this.deps.operations.markRunning(id);
        this.deps.observeHandOver?.();
        continue;
      }
      const dispatch: Promise<void> = this.dispatch(pick, record).finally(() => {
        // a retry may already have started the next attempt: only forget our own
        if (this.inflight.get(id) === dispatch) this.inflight.delete(id);
      });
      this.inflight.set(id, dispatch);
    }
    if (started) this.announceQueue(type, 0);
  }

  private pick(type: WorkerType, preferGpu: boolean): Pick | undefined {
    const all = this.deps.registry.ofType(type);
    const free = all
      // reverse workers are reached down their channel, through the same client
      .filter((w) => w.status === 'available' && (this.deps.reachable?.(w) ?? true))
      .sort(
        (a, b) => a.last_dispatched_at - b.last_dispatched_at || a.registered_at - b.registered_at,
      );
    if (free.length === 0) return undefined;
    const lru = (n: number, what: string) => `least recently used of ${n} available ${what}`;
    if (preferGpu) {
      const gpu = free.filter((w) => w.capabilities.gpu);
      if (gpu.length > 0) {
        const worker = gpu[0] as WorkerRecord;
        return {
          worker,
          reason: `GPU worker preferred (${worker.capabilities.gpu_name ?? 'GPU'}); ${lru(gpu.length, 'GPU workers')}`,
        };
      }
      const worker = free[0] as WorkerRecord;
      const anyGpu = all.some((w) => w.capabilities.gpu);
      const on = worker.capabilities.training_backend
        ? ` (${worker.capabilities.training_backend})`
        : '';
      return {
        worker,
        reason: anyGpu
          ? `no GPU worker free, fell back to CPU${on}`
          : `no GPU worker registered; ${lru(free.length, `${type} workers`)}${on}`,
      };
    }
    return { worker: free[0] as WorkerRecord, reason: lru(free.length, `${type} workers`) };
  }

  /**
   * Frees a worker that reported its outcome and asked for its next job (`take_next`):
   * `release` frees it and pumps its queue, and a job the pump gives this worker is returned,
   * to ride in the report's answer, instead of going out as a start request. The pump's
   * choice is unchanged: a free worker idle for longer still gets the head of the queue.
   */
  handOver(workerId: string, release: () => void): NextJob | undefined {
    this.handingOver.set(workerId, null);
    try {
      release();
      return this.handingOver.get(workerId) ?? undefined;
    } finally {
      this.handingOver.delete(workerId);
    }
  }

  /** The start body of an operation's current attempt. */
  private jobFor(record: OperationRecord): Record<string, unknown> {
    const stored = this.jobSources.get(record.operation_type)?.(record) ?? record.job ?? {};
    return { ...stored, task_id: record.operation_id, attempt: record.attempt };
  }

  private async dispatch(pick: Pick, record: OperationRecord): Promise<void> {
    const { worker } = pick;
    const { registry, operations, clients, log } = this.deps;
    const definition = this.deps.kinds.onWorkers(record.operation_type);
    const id = record.operation_id;
    const job = this.jobFor(record);
    const started = performance.now();
    try {
      await clients.forWorker(worker).start(definition.workerStartPath, job, { timeoutMs: 10_000 });
      this.deps.observeDispatch?.(performance.now() - started);
      operations.markRunning(id);
      return;
    } catch (error) {
      operations.unassignWorker(id);
      if (error instanceof ApiError && error.status === 503) {
        // busy with something we did not give it (a job from before a restart): skip it
        registry.setState(worker, 'busy', { id: null, attempt: null });
        this.queue(definition.runsOn).unshift(id);
      } else if (error instanceof ConnectionError) {
        log.warn(
          { worker_id: worker.worker_id, err: error.message },
          'dispatch could not reach worker',
        );
        registry.setState(worker, 'temporarily_unavailable', { id: null, attempt: null });
        this.queue(definition.runsOn).unshift(id);
      } else {
        const message = error instanceof ApiError ? error.message : String(error);
        operations.finish(id, 'failed', {
          error: `worker ${worker.worker_id} rejected the job: ${message}`,
        });
        registry.setState(worker, 'available', { id: null, attempt: null });
      }
    }
    this.pump(definition.runsOn);
  }

  /** Announces, within {@link QUEUE_ANNOUNCE_MS}, the new places of the operations from `fromIndex` on. */
  private announceQueue(type: WorkerType, fromIndex: number): void {
    if (this.closed) return;
    this.moved.set(type, Math.min(fromIndex, this.moved.get(type) ?? fromIndex));
    this.announceTimer ??= setTimeout(() => this.announceMoved(), QUEUE_ANNOUNCE_MS);
    this.announceTimer.unref?.();
  }

  private announceMoved(): void {
    this.announceTimer = undefined;
    for (const [type, fromIndex] of this.moved) {
      const queue = this.queue(type);
      for (let at = fromIndex; at < queue.length; at++) {
        const record = this.deps.operations.get(queue[at] as string);
        if (record?.status === 'pending') this.announcePlace(record, at + 1);
      }
    }
    this.moved.clear();
  }

  /** Announces a queued operation at `place`, unless it is beyond the head and barely moved. */
  private announcePlace(record: OperationRecord, place: number): void {
    const id = record.operation_id;
    if (place > QUEUE_ANNOUNCE_HEAD) {
      const last = this.announcedPlace.get(id);
      if (last !== undefined && Math.abs(last - place) < last * QUEUE_ANNOUNCE_STEP) return;
      this.announcedPlace.set(id, place);
    } else this.announcedPlace.delete(id);
    this.deps.operations.announce(record, place);
  }

  /** Waits for dispatches under way and stops starting new ones. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.announceTimer) clearTimeout(this.announceTimer);
    this.announceTimer = undefined;
    this.moved.clear();
    this.announcedPlace.clear();
    await Promise.allSettled([...this.inflight.values()]);
  }
}
