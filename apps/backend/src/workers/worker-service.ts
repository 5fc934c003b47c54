import {
  ConnectionError,
  isTerminalStatus,
  type Heartbeat,
  type HeartbeatResponse,
  type WorkerRegistration,
  type WorkerRegistrationResponse,
} from '@ktrdr/shared';
import { NotFoundError, ValidationError } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { WorkerCredentials } from '../auth/worker-credentials.js';
import type { OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';
import { checkEndpointUrl, verifyReachBack } from './reach-back.js';
import type { WorkerClients } from './worker-clients.js';
import { judgeIdClaim, probeHolder, workerIdInUse } from './worker-identity.js';
import type { WorkerRecord, WorkerRegistry } from './worker-registry.js';

/** Timings of failure handling (docs/architecture.md, "Failure handling"). */
export interface FailurePolicy {
  heartbeatIntervalMs: number;
  missedHeartbeats: number;
  graceMs: number;
  removalMs: number;
  /** An operation whose worker was lost this many times stops (failed) instead of moving on. */
  maxLostAttempts: number;
}

/** What the worker service needs. */
export interface WorkerServiceDeps {
  registry: WorkerRegistry;
  credentials: WorkerCredentials;
  operations: OperationsService;
  dispatcher: Dispatcher;
  clients: WorkerClients;
  policy: FailurePolicy;
  log: FastifyBaseLogger;
  now?: () => number;
}

/**
 * Workers joining, beating and leaving, reconciled against the operations table: a
 * worker that re-registers after a backend restart keeps what it runs; an operation the
 * backend has moved on from is dropped; a lost worker's operation moves to another worker
 * (automatic failover, from its checkpoint or the start) — at once when the process is gone
 * or the work is checkpointed, after the grace period when a worker is only silent.
 */
export class WorkerService {
  private readonly now: () => number;
  /** Operations found `running` at start-up and when each must be claimed by. */
  private readonly unclaimed = new Map<string, number>();
  /** Registrations under way, per worker id: they run one after the other. */
  private readonly registering = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: WorkerServiceDeps) {
    this.now = deps.now ?? (() => Date.now());
  }

  /** Remembers operations left `running` by a previous backend: workers must claim them in time. */
  expectClaims(operationIds: readonly string[], withinMs: number): void {
    const deadline = this.now() + withinMs;
    for (const id of operationIds) this.unclaimed.set(id, deadline);
  }

  /**
   * Registers or re-registers a worker (idempotent per id). `ownCredential`: the worker
   * registered with its own (still valid) credential, which it keeps; otherwise (the join
   * or admin token) it gets a new one and any earlier one stops working. An id held by a
   * live worker at another endpoint is refused (409 `WORKER_ID_IN_USE`) and that worker is
   * left untouched; registrations of one id are handled one at a time, so two clones that
   * start together cannot both take it.
   */
  register(body: WorkerRegistration, ownCredential?: string): Promise<WorkerRegistrationResponse> {
    const id = body.worker_id;
    const before = this.registering.get(id) ?? Promise.resolve();
    const run = before.then(
      () => this.registerNow(body, ownCredential),
      () => this.registerNow(body, ownCredential),
    );
    this.registering.set(id, run);
    const done = () => {
      if (this.registering.get(id) === run) this.registering.delete(id);
    };
    run.then(done, done);
    return run;
  }

  private async registerNow(
    body: WorkerRegistration,
    ownCredential: string | undefined,
  ): Promise<WorkerRegistrationResponse> {
    const { registry, operations, clients, dispatcher, policy } = this.deps;
    const reverse = body.connection === 'reverse';
    let endpoint = `channel:${body.worker_id}`;
    if (!reverse) {
      if (!body.endpoint_url)
        throw new ValidationError(
          'endpoint_url',
          'is required for a direct connection; send the URL the backend can call, or connection "reverse" to be reached over a channel you open (GET /api/v1/workers/{id}/channel)',
        );
      endpoint = checkEndpointUrl(body.endpoint_url);
      await verifyReachBack(clients.for(endpoint), endpoint, body.worker_id);
    }

    const holder = registry.get(body.worker_id);
    if (holder) {
      const verdict = await judgeIdClaim(
        holder,
        {
          worker_id: body.worker_id,
          connection: reverse ? 'reverse' : 'direct',
          endpoint,
          callback_token: body.callback_token ?? null,
          ownCredential: ownCredential !== undefined,
        },
        {
          now: this.now(),
          silentAfterMs: policy.heartbeatIntervalMs * policy.missedHeartbeats,
          channelOpen: clients.channels.isOpen(holder.worker_id),
          channelClosedAt: clients.channels.closedSince(holder.worker_id),
          probe: () =>
            probeHolder(clients, holder, Math.min(2000, Math.max(500, policy.heartbeatIntervalMs))),
        },
      );
      if (!verdict.replace) {
        this.deps.log.warn(
          {
            worker_id: body.worker_id,
            live_endpoint: holder.endpoint_url,
            refused_endpoint: endpoint,
            why: verdict.why,
          },
          'registration refused: the worker id is in use by a live worker',
        );
        throw workerIdInUse(
          body.worker_id,
          holder,
          holder.connection === 'direct' && holder.endpoint_url === endpoint,
        );
      }
      if (holder.endpoint_url !== endpoint)
        this.deps.log.info(
          { worker_id: body.worker_id, from: holder.endpoint_url, to: endpoint, why: verdict.why },
          'worker registered again at another endpoint: its old registration is replaced',
        );
    }

    const now = this.now();
    const drop: string[] = [];
    let current: { id: string; attempt: number } | null = null;
    const held = body.current_operation_id ?? null;
    if (held) {
      const record = operations.get(held);
      if (
        record &&
        record.status === 'running' &&
        record.worker_id === body.worker_id &&
        record.attempt === (body.current_attempt ?? record.attempt)
      ) {
        current = { id: held, attempt: record.attempt };
        this.unclaimed.delete(held);
      } else {
        drop.push(held);
      }
    }
    const finishing = new Set<string>();
    for (const done of body.completed_operations ?? []) {
      const record = operations.get(done.operation_id);
      if (
        record &&
        record.status === 'running' &&
        record.worker_id === body.worker_id &&
        record.attempt === done.attempt
      ) {
        // its report follows the registration: keep the operation until it arrives
        finishing.add(done.operation_id);
        this.unclaimed.set(done.operation_id, now + policy.graceMs);
      } else if (
        !record ||
        record.worker_id !== body.worker_id ||
        record.attempt !== done.attempt ||
        isTerminalStatus(record.status)
      ) {
        drop.push(done.operation_id);
      }
    }
    // anything else this worker was running, it no longer has
    for (const record of operations.byStatus('running')) {
      if (
        record.worker_id === body.worker_id &&
        record.operation_id !== current?.id &&
        !finishing.has(record.operation_id)
      ) {
        this.unclaimed.delete(record.operation_id);
        this.loseOperation(
          record,
          `worker ${body.worker_id} restarted and no longer holds this operation`,
        );
      }
    }

    const previous = registry.get(body.worker_id);
    const record: WorkerRecord = {
      worker_id: body.worker_id,
      worker_type: body.worker_type,
      endpoint_url: endpoint,
      connection: reverse ? 'reverse' : 'direct',
      status: current ? 'busy' : 'available',
      capabilities: body.capabilities,
      callback_token: body.callback_token ?? null,
      current_operation_id: current?.id ?? null,
      current_attempt: current?.attempt ?? null,
      registered_at: previous?.registered_at ?? now,
      last_heard_at: now,
      last_heartbeat_at: now,
      last_dispatched_at: previous?.last_dispatched_at ?? 0,
      idle_mismatch_since: null,
      probing: false,
    };
    const credential = ownCredential ?? this.deps.credentials.issue(record.worker_id);
    registry.upsert(record);
    if (!current) dispatcher.pump(record.worker_type);
    this.deps.log.info(
      { worker_id: record.worker_id, endpoint, resumed: current?.id },
      'worker registered',
    );
    return {
      worker_id: record.worker_id,
      heartbeat_interval_ms: policy.heartbeatIntervalMs,
      drop_operations: drop,
      worker_credential: credential,
    };
  }

  /** A heartbeat: refreshes liveness, reconciles what the worker says it runs. */
  heartbeat(workerId: string, body: Heartbeat): HeartbeatResponse {
    const { registry, operations, dispatcher } = this.deps;
    const worker = registry.get(workerId);
    if (!worker) throw new NotFoundError('worker', workerId);
    registry.touch(worker, true);
    const drop: string[] = [];
    const held = body.current_operation_id ?? null;
    if (held && held !== worker.current_operation_id) {
      const record = operations.get(held);
      const stillOurs =
        record?.status === 'running' &&
        record.worker_id === workerId &&
        record.attempt === (body.current_attempt ?? record.attempt);
      if (!stillOurs) drop.push(held);
    }
    if (body.worker_status === 'idle' && worker.current_operation_id) {
      const record = operations.get(worker.current_operation_id);
      if (!record || isTerminalStatus(record.status) || record.worker_id !== workerId) {
        registry.setState(worker, 'available', { id: null, attempt: null });
        dispatcher.pump(worker.worker_type);
        return { drop_operations: drop };
      }
      // it says idle while we think it runs: a report may be on its way; give it three beats
      // a heartbeat sent before the job arrived says idle: only count it a while after dispatch
      if (this.now() - worker.last_dispatched_at < 2 * this.deps.policy.heartbeatIntervalMs)
        return { drop_operations: drop };
      worker.idle_mismatch_since ??= this.now();
      if (this.now() - worker.idle_mismatch_since > 3 * this.deps.policy.heartbeatIntervalMs) {
        this.loseOperation(
          record,
          `worker ${workerId} stopped running this operation without reporting an outcome`,
        );
        worker.idle_mismatch_since = null;
        registry.setState(worker, 'available', { id: null, attempt: null });
        dispatcher.pump(worker.worker_type);
      } else if (worker.status === 'temporarily_unavailable') {
        registry.setState(worker, 'busy');
      }
      return { drop_operations: drop };
    }
    worker.idle_mismatch_since = null;
    if (body.worker_status === 'idle') {
      if (worker.status !== 'available') {
        registry.setState(worker, 'available', { id: null, attempt: null });
        dispatcher.pump(worker.worker_type);
      }
    } else if (worker.status === 'temporarily_unavailable') {
      registry.setState(worker, 'busy');
    }
    return { drop_operations: drop };
  }

  /** A worker leaves gracefully. Its running operation (if any) fails, naming why. */
  leave(workerId: string): void {
    const worker = this.deps.registry.get(workerId);
    if (!worker) throw new NotFoundError('worker', workerId);
    this.deps.registry.remove(workerId, 'left the cluster');
    this.deps.credentials.revoke(workerId);
    this.loseHeldOperation(worker, `worker ${workerId} left the cluster while running it`, {
      restartWithoutCheckpoint: true,
    });
  }

  /**
   * The worker holding an operation is gone (or silent): the operation fails over — same
   * id, next attempt, on another worker, from its checkpoint or else from the start — unless
   * its workers were already lost `maxLostAttempts` times, then it stops (failed). Work
   * without a checkpoint moves only when `restartWithoutCheckpoint` (a dead process, the
   * grace period over); otherwise it waits, since a silent worker may still finish it.
   * Returns true when the worker no longer holds the operation.
   */
  loseHeldOperation(
    worker: WorkerRecord,
    why: string,
    options: { restartWithoutCheckpoint: boolean },
  ): boolean {
    const id = worker.current_operation_id;
    if (!id) return true;
    const record = this.deps.operations.get(id);
    if (!record || record.status !== 'running' || record.worker_id !== worker.worker_id)
      return true;
    if (!record.checkpoint_ref && !options.restartWithoutCheckpoint) return false;
    this.loseOperation(record, why);
    return true;
  }

  private loseOperation(record: OperationRecord, why: string): void {
    const { operations, policy, log, dispatcher } = this.deps;
    const id = record.operation_id;
    const lost = operations.lostAttempts(record) + 1;
    if (lost >= policy.maxLostAttempts) {
      operations.finish(id, 'failed', {
        error: `${why}; stopped after ${lost} attempts, each of which lost its worker (this job may be what kills them: check its data and parameters, then ${record.checkpoint_ref ? 'resume' : 'retry'} it by hand)`,
      });
      return;
    }
    const moved = operations.failOver(id, why);
    log.warn(
      {
        operation_id: id,
        attempt: moved.attempt,
        from_checkpoint: moved.checkpoint_ref,
        reason: why,
      },
      'worker lost: the operation moves to another worker',
    );
    void dispatcher.submit(moved, { front: true });
  }

  /** A finished operation frees its worker. */
  releaseWorker(workerId: string | null, operationId: string): void {
    if (!workerId) return;
    const worker = this.deps.registry.get(workerId);
    if (!worker || worker.current_operation_id !== operationId) return;
    this.deps.registry.setState(worker, 'available', { id: null, attempt: null });
    this.deps.dispatcher.pump(worker.worker_type);
  }

  /**
   * One pass of failure detection (run every few hundred ms): probe silent workers, mark
   * unavailable after the missed heartbeats, fail work after the grace, drop the long
   * silent, and fail operations no worker claimed after a restart.
   */
  sweep(): void {
    const { registry, policy } = this.deps;
    const now = this.now();
    for (const worker of registry.all()) {
      const silence = now - worker.last_heard_at;
      if (silence > policy.heartbeatIntervalMs * 1.5 && !worker.probing) void this.probe(worker);
      if (
        silence > policy.heartbeatIntervalMs * policy.missedHeartbeats &&
        worker.status !== 'temporarily_unavailable'
      ) {
        this.deps.log.warn(
          { worker_id: worker.worker_id, silence_ms: silence },
          'worker silent: temporarily unavailable',
        );
        registry.setState(worker, 'temporarily_unavailable');
      }
      if (worker.status === 'temporarily_unavailable' && worker.current_operation_id) {
        // checkpointed work moves on at once; the rest waits out the grace period
        const seconds = Math.round(silence / 1000);
        const graceOver = silence > policy.graceMs;
        const why = graceOver
          ? `worker ${worker.worker_id} (${worker.endpoint_url}) was silent for ${seconds} s, longer than the ${Math.round(policy.graceMs / 1000)} s grace period`
          : `worker ${worker.worker_id} (${worker.endpoint_url}) went silent (${policy.missedHeartbeats} heartbeats missed)`;
        if (this.loseHeldOperation(worker, why, { restartWithoutCheckpoint: graceOver }))
          registry.setState(worker, worker.status, { id: null, attempt: null });
      }
      if (silence > policy.removalMs) {
        registry.remove(worker.worker_id, `silent for ${Math.round(silence / 1000)} s`);
      }
    }
    for (const [id, deadline] of this.unclaimed) {
      if (now < deadline) continue;
      this.unclaimed.delete(id);
      const record = this.deps.operations.get(id);
      const holder = record?.worker_id ? registry.get(record.worker_id) : undefined;
      if (record?.status === 'running' && holder?.current_operation_id !== id) {
        this.loseOperation(
          record,
          `no worker reported holding this operation after the backend restarted (last on ${record.worker_id ?? 'unknown'})`,
        );
      }
    }
  }

  private async probe(worker: WorkerRecord): Promise<void> {
    worker.probing = true;
    try {
      const health = await this.deps.clients
        .forWorker(worker)
        .health({ timeoutMs: Math.max(500, this.deps.policy.heartbeatIntervalMs) });
      if (
        health.worker_id === worker.worker_id &&
        this.deps.registry.get(worker.worker_id) === worker
      ) {
        this.deps.registry.touch(worker, false);
      }
    } catch (error) {
      if (
        error instanceof ConnectionError &&
        error.kind === 'refused' &&
        this.deps.registry.get(worker.worker_id) === worker
      ) {
        this.deps.log.warn(
          { worker_id: worker.worker_id },
          'worker process gone (connection refused)',
        );
        this.deps.registry.remove(
          worker.worker_id,
          `process gone: ${worker.endpoint_url} refused the connection`,
        );
        const why = `worker ${worker.worker_id} died: ${worker.endpoint_url} refused the connection (the process is gone)`;
        this.loseHeldOperation(worker, why, { restartWithoutCheckpoint: true });
        // also what it had finished but not yet reported (its outbox died with it)
        for (const record of this.deps.operations.activeHeldBy(worker.worker_id))
          if (record.status === 'running') {
            this.unclaimed.delete(record.operation_id);
            this.loseOperation(record, why);
          }
      }
    } finally {
      worker.probing = false;
    }
  }
}
