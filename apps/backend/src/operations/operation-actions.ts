import type { Readable } from 'node:stream';
import {
  INLINE_ARTIFACTS_MAX_BYTES,
  isTerminalStatus,
  outcomeDetails,
  type InlineArtifact,
  type ArtifactUploadQuery,
  type Operation,
  type OperationReport,
  type OperationReportResponse,
  type StartResponse,
  type SweepSetResults,
} from '@ktrdr/shared';
import { ConflictError, NotFoundError, ValidationError } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { ArtifactBody, ArtifactStore, StoredArtifact } from '../artifacts/artifact-store.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { requireWorkersOfType } from '../dispatch/worker-availability.js';
import type { WorkerClients } from '../workers/worker-clients.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import type { WorkerService } from '../workers/worker-service.js';
import {
  displayResultText,
  storedFullResult,
  type StoredFullResult,
} from './full-result-artifact.js';
import type { OperationRecord } from './operation-record.js';
import { RESULT_ARTIFACT } from './result-artifacts.js';
import type { OperationsService } from './operations-service.js';

/** What the operation actions need. */
export interface OperationActionsDeps {
  operations: OperationsService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  workers: WorkerService;
  clients: WorkerClients;
  artifacts: ArtifactStore;
  cancelTimeoutMs: number;
  log: FastifyBaseLogger;
  /** The URL a new worker would use, for the "start a worker" hint. */
  backendUrl: () => string;
  /**
   * The service that runs operations of a backend-run kind (`runsOn: 'backend'`). Looked up
   * when an action needs it: the sweep service is built after the actions, which it uses.
   */
  localRunner: (operationType: string) => LocalRunner | undefined;
  /** A sweep shard's batch of finished sets (the sweep service stores them). */
  reportedSets: (record: OperationRecord, sets: SweepSetResults) => void;
  /** Runs `fn` in one database transaction (one commit for a report's rows). */
  inTransaction: <T>(fn: () => T) => T;
}

// the display result's name, where the sweep and data services have always imported it
export { RESULT_ARTIFACT } from './result-artifacts.js';

/**
 * Runs operations of one type inside the backend instead of on workers (data downloads:
 * I/O, not computation). Cancel and retry of those operations go to it.
 */
export interface LocalRunner {
  cancel(id: string, reason: string): Promise<Operation>;
  retry(id: string): Promise<StartResponse>;
  /** Continues an ended operation (default: from its checkpoint, on a worker). */
  resume?(id: string): Promise<{ operation_id: string; status: OperationRecord['status'] }>;
  /** Its result as JSON text (default: the stored artifact of a completed operation). */
  resultText?(id: string): Promise<string>;
  /** After a restart: an operation of its kind the previous run left `running`. */
  interrupted?(record: OperationRecord): void;
}

/**
 * What users and workers do to an operation: cancel it, report on it, upload its
 * artifacts, read its result. Each checks the operation lifecycle rules (docs/architecture.md).
 */
export class OperationActions {
  constructor(private readonly deps: OperationActionsDeps) {}

  /** The runner of an operation the backend runs itself; undefined for worker-run kinds. */
  private localRunnerOf(record: OperationRecord): LocalRunner | undefined {
    if (!this.deps.operations.kinds.runsOnBackend(record.operation_type)) return undefined;
    const runner = this.deps.localRunner(record.operation_type);
    if (!runner)
      throw new Error(`no service runs ${record.operation_type} operations in this backend`);
    return runner;
  }

  /**
   * After a restart: each operation a backend-run kind left `running` goes to its runner;
   * the rest are returned (workers must claim them).
   */
  restoreInterrupted(running: readonly OperationRecord[]): OperationRecord[] {
    const onWorkers: OperationRecord[] = [];
    for (const record of running) {
      const local = this.localRunnerOf(record);
      if (local) local.interrupted?.(record);
      else onWorkers.push(record);
    }
    return onWorkers;
  }

  /**
   * Cancels a pending operation (dequeued at once) or a running one (the worker is told
   * and waited for, up to its forced-stop deadline). Resolves with the final state.
   */
  async cancel(id: string, reason: string | undefined): Promise<Operation> {
    const { operations, dispatcher, registry, clients, workers, log } = this.deps;
    let record = operations.require(id);
    const why = reason?.trim() ? `cancelled: ${reason.trim()}` : 'cancelled by user';
    this.assertCancellable(record);
    const local = this.localRunnerOf(record);
    if (local) return local.cancel(id, why);
    if (dispatcher.inflightDispatch(id)) {
      await dispatcher.settled(id);
      record = operations.require(id);
      this.assertCancellable(record);
    }
    if (record.status === 'pending' && record.worker_id === null) {
      dispatcher.dequeue(id);
      return operations.toWire(operations.finish(id, 'cancelled', { reason: why }));
    }
    const worker = record.worker_id ? registry.get(record.worker_id) : undefined;
    if (worker) {
      try {
        await clients
          .forWorker(worker)
          .cancel(id, reason, { timeoutMs: this.deps.cancelTimeoutMs });
      } catch (error) {
        // unreachable or already done: the backend's record is what counts, and the worker
        // is told to drop the job if it ever reports on it again
        log.warn(
          { operation_id: id, worker_id: worker.worker_id, err: (error as Error).message },
          'worker did not confirm cancel',
        );
      }
    }
    const final = operations.finish(id, 'cancelled', { reason: why });
    workers.releaseWorker(record.worker_id, id);
    if (final.status !== 'cancelled') {
      throw new ConflictError(
        `operation ${id} ${final.status} before the cancel reached its worker`,
        { status: final.status },
      );
    }
    return operations.toWire(final);
  }

  private assertCancellable(record: OperationRecord): void {
    if (isTerminalStatus(record.status)) {
      throw new ConflictError(
        `operation ${record.operation_id} is already ${record.status}; there is nothing to cancel`,
        {
          status: record.status,
        },
      );
    }
  }

  /** The record if `worker_id`/`attempt` hold it now; otherwise a 409 telling the worker to drop it. */
  requireHolder(id: string, workerId: string, attempt: number): OperationRecord {
    const record = this.deps.operations.require(id);
    if (record.worker_id !== workerId || record.attempt !== attempt) {
      throw new ConflictError(
        `stale: operation ${id} is at attempt ${record.attempt} on ${record.worker_id ?? 'no worker'}, not attempt ${attempt} on ${workerId}; drop it`,
        outcomeDetails('ATTEMPT_SUPERSEDED', {
          attempt: record.attempt,
          worker_id: record.worker_id,
        }),
      );
    }
    return record;
  }

  /** A worker's progress or outcome report. */
  report(id: string, body: OperationReport): OperationReportResponse {
    const { operations, registry, workers } = this.deps;
    const record = this.requireHolder(id, body.worker_id, body.attempt);
    const worker = registry.get(body.worker_id);
    if (worker) registry.touch(worker, false);
    // a shard's finished sets count even when it was cancelled meanwhile: they ran
    if (body.sets) this.deps.reportedSets(record, body.sets);
    if (isTerminalStatus(record.status)) {
      if (body.status === record.status) return { accepted: true, status: record.status };
      throw new ConflictError(
        `operation ${id} is already ${record.status}; drop it`,
        outcomeDetails('STALE_REPORT', { status: record.status }),
      );
    }
    if (body.metrics && body.metrics.length > 0) operations.appendMetrics(id, body.metrics);
    if (body.checkpoint_ref) operations.setCheckpoint(record, body.checkpoint_ref);
    const ending =
      body.status === 'completed' || body.status === 'failed' || body.status === 'cancelled'
        ? body.status
        : undefined;
    // a final report's progress is stored with its outcome, in the same write
    if (body.progress) operations.recordProgress(record, body.progress, { store: !ending });
    if (body.status === 'running' && record.status === 'pending') operations.markRunning(id);
    if (ending) {
      // the result files and the outcome in one commit: nobody sees it completed without them
      const final = this.deps.inTransaction(() => {
        if (body.artifacts) this.storeInline(id, ending, body.artifacts);
        return operations.finish(id, ending, {
          error:
            body.error ??
            (ending === 'failed' ? 'the worker reported a failure without a message' : null),
          resultSummary: body.result_summary ?? null,
          reason: ending === 'cancelled' ? 'cancelled on the worker' : undefined,
        });
      });
      if (!body.take_next) {
        workers.releaseWorker(body.worker_id, id);
        return { accepted: true, status: final.status };
      }
      const next = this.deps.dispatcher.handOver(body.worker_id, () =>
        workers.releaseWorker(body.worker_id, id),
      );
      return { accepted: true, status: final.status, ...(next ? { next_job: next } : {}) };
    }
    return { accepted: true, status: record.status };
  }

  /** Stores an artifact uploaded by the worker that holds the operation. */
  async putArtifact(
    id: string,
    name: string,
    who: ArtifactUploadQuery,
    body: Readable,
  ): Promise<StoredArtifact> {
    const record = this.requireHolder(id, who.worker_id, who.attempt);
    if (isTerminalStatus(record.status) && record.status !== 'completed') {
      throw new ConflictError(
        `operation ${id} is ${record.status}; its artifacts are closed`,
        outcomeDetails('STALE_REPORT', { status: record.status }),
      );
    }
    return this.deps.artifacts.write(id, name, body);
  }

  /** Writes a completed report's inline result files (each whole, renamed into place). */
  private storeInline(id: string, status: string, files: InlineArtifact[]): void {
    if (status !== 'completed')
      throw new ValidationError(
        'artifacts',
        `only a completed report carries result files, not a ${status} one`,
      );
    const decoded = files.map((file) => ({
      name: file.name,
      bytes: Buffer.from(file.data_base64, 'base64'),
    }));
    const total = decoded.reduce((sum, file) => sum + file.bytes.length, 0);
    if (total > INLINE_ARTIFACTS_MAX_BYTES)
      throw new ValidationError(
        'artifacts',
        `${total} bytes of result files is more than the ${INLINE_ARTIFACTS_MAX_BYTES} a report may carry: upload them (PUT …/artifacts/{name})`,
      );
    this.deps.artifacts.writeSmall(id, decoded);
  }

  private requireCompleted(id: string): void {
    const record = this.deps.operations.require(id);
    if (record.status !== 'completed') {
      const why =
        record.status === 'failed' ? ` (${record.error_message ?? 'no reason recorded'})` : '';
      throw new ConflictError(
        `operation ${id} is ${record.status}${why}; a result exists only once it has completed`,
        {
          status: record.status,
        },
      );
    }
  }

  /**
   * The stored result of a completed operation, as JSON text: its display result, or, for
   * a backtest that stored only its full result, the display result made from that.
   */
  async resultText(id: string): Promise<string> {
    const local = this.localRunnerOf(this.deps.operations.require(id));
    if (local?.resultText) return local.resultText(id);
    this.requireCompleted(id);
    const text =
      (await this.deps.artifacts.readText(id, RESULT_ARTIFACT)) ??
      (await displayResultText(this.deps.artifacts, id));
    if (text === undefined) throw new NotFoundError('result of operation', id);
    return text;
  }

  /**
   * The stored full result of a completed operation: the binary artifact, the JSON one of
   * an operation stored before it, or (kinds without a full result) the display result.
   */
  fullResultFile(id: string): StoredFullResult {
    this.requireCompleted(id);
    const stored = storedFullResult(this.deps.artifacts, id);
    if (!stored) throw new NotFoundError('result of operation', id);
    return stored;
  }

  /** Any stored artifact of an operation (checkpoints, results): its bytes or its file. */
  artifact(id: string, name: string): ArtifactBody {
    this.deps.operations.require(id);
    const body = this.deps.artifacts.read(id, name);
    if (!body) throw new NotFoundError(`artifact ${name} of operation`, id);
    return body;
  }

  private requireWorkersFor(id: string): void {
    const { operations } = this.deps;
    const operationType = operations.require(id).operation_type;
    if (operations.kinds.runsOnBackend(operationType)) return;
    const type = operations.kinds.onWorkers(operationType).runsOn;
    requireWorkersOfType(this.deps.registry, type, this.deps.backendUrl());
  }

  /** Continues a failed or cancelled operation from its checkpoint on any free worker. */
  async resume(id: string): Promise<{ operation_id: string; status: OperationRecord['status'] }> {
    const local = this.localRunnerOf(this.deps.operations.require(id));
    if (local?.resume) return local.resume(id);
    this.requireWorkersFor(id);
    const record = this.deps.operations.prepareResume(id);
    await this.deps.dispatcher.submit(record);
    return { operation_id: id, status: record.status };
  }

  /** Runs an ended operation again from scratch as a new operation. */
  async retry(id: string): Promise<{ operation_id: string; status: OperationRecord['status'] }> {
    const local = this.localRunnerOf(this.deps.operations.require(id));
    if (local) return local.retry(id);
    this.requireWorkersFor(id);
    const record = this.deps.operations.prepareRetry(id);
    await this.deps.dispatcher.submit(record);
    return { operation_id: record.operation_id, status: record.status };
  }
}
