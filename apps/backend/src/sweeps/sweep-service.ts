import { Readable } from 'node:stream';
import {
  isTerminalStatus,
  sweepKind,
  type Operation,
  type StartResponse,
  type SweepResult,
  type SweepStartRequest,
} from '@ktrdr/shared';
import { ConflictError } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { BacktestService } from '../backtests/backtest-service.js';
import type { SeriesStore } from '../data/series-store.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { requireWorkersOfType } from '../dispatch/worker-availability.js';
import type { LocalRunner, OperationActions } from '../operations/operation-actions.js';
import { readFullResult } from '../operations/full-result-artifact.js';
import { RESULT_ARTIFACT } from '../operations/operation-actions.js';
import { newOperationId } from '../operations/operation-ids.js';
import { isOfKind, type OperationRecord } from '../operations/operation-record.js';
import type { NewOperation, OperationsService } from '../operations/operations-service.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import {
  backtestFields,
  phaseOf,
  sweepMetadata,
  sweepRequest,
  windowOf,
} from './sweep-metadata.js';
import { planSweep } from './sweep-plan.js';
import { sweepProgress } from './sweep-progress.js';
import { rankSweep } from './sweep-ranking.js';
import { stitchOutOfSample } from './walk-forward-summary.js';

/** What the sweep service needs. */
export interface SweepServiceDeps {
  operations: OperationsService;
  backtests: BacktestService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  actions: OperationActions;
  artifacts: ArtifactStore;
  series: SeriesStore;
  log: FastifyBaseLogger;
  /** The most children one sweep may make (a request's `max_children` can only lower it). */
  maxChildren: number;
  backendUrl: () => string;
}

/**
 * The lifecycle of parameter sweeps (planning, ranking, progress, walk-forward summaries
 * and the CSV export live in their own modules beside this one): one parent `sweep`
 * operation, run by the backend itself, and one
 * ordinary backtest per parameter set, queued for every free backtest worker. Every set is
 * checked before anything is queued. The parent's progress counts its children; it ends
 * when they all have (completed unless every one failed); cancelling it cancels the
 * children still to finish; resuming it queues only those that did not complete. Its
 * result — live while it runs — is the leaderboard: every set, ranked by the objective.
 */
export class SweepService implements LocalRunner {
  /** Sweeps being cancelled: their children's ends must not complete them. */
  private readonly cancelling = new Set<string>();
  /** When each running sweep started counting (for its ETA). */
  private readonly startedAt = new Map<string, number>();

  constructor(private readonly deps: SweepServiceDeps) {
    deps.operations.onEnd((record) => {
      if (record.parent_operation_id) this.childEnded(record.parent_operation_id, record);
    });
  }

  /** Checks the request and every parameter set, then creates the sweep and queues its children. */
  async start(body: SweepStartRequest): Promise<StartResponse> {
    const { operations, dispatcher, registry, maxChildren } = this.deps;
    const limit = Math.min(body.max_children ?? maxChildren, maxChildren);
    const parentId = newOperationId('sweep', new Date());
    const { children, first, metadata } = planSweep(body, parentId, limit, this.deps);
    requireWorkersOfType(registry, 'backtesting', this.deps.backendUrl());
    const parent = operations.create({
      operationId: parentId,
      type: 'sweep',
      metadata,
      provenance: first.provenance,
      job: { request: body },
    });
    operations.markRunning(parentId);
    this.startedAt.set(parentId, Date.now());
    const records = children.map((child) => operations.create(child));
    this.updateProgress(parentId);
    // queued in order; a worker frees, it takes the next (no waiting here for dispatches)
    for (const record of records) void dispatcher.submit(record);
    this.deps.log.info({ operation_id: parentId, children: records.length }, 'sweep started');
    return { success: true, operation_id: parent.operation_id, status: 'running' };
  }

  /** Done/total, ETA from the observed rate; ends the sweep when every child has. */
  private childEnded(parentId: string, child?: OperationRecord): void {
    const parent = this.deps.operations.get(parentId);
    if (!parent || !isOfKind(parent, sweepKind.operationType) || isTerminalStatus(parent.status))
      return;
    const window = child ? windowOf(child) : undefined;
    if (
      child &&
      phaseOf(child) === 'in_sample' &&
      window !== undefined &&
      !this.cancelling.has(parentId)
    )
      this.startOutOfSample(parent, window);
    const ended = this.updateProgress(parentId);
    if (!ended || this.cancelling.has(parentId)) return;
    void this.finishSweep(parentId);
  }

  /**
   * Walk-forward: once every in-sample run of window `k` has ended, its best set is
   * backtested on the window's out-of-sample bars (once).
   */
  private startOutOfSample(parent: OperationRecord, k: number): void {
    const { operations, backtests, dispatcher } = this.deps;
    const meta = sweepMetadata(parent);
    const span = meta.walk_forward?.windows[k];
    if (!span) return;
    const inWindow = operations.children(parent.operation_id).filter((c) => windowOf(c) === k);
    if (inWindow.some((c) => phaseOf(c) === 'out_of_sample')) return;
    const inSample = inWindow.filter((c) => phaseOf(c) === 'in_sample');
    if (inSample.some((c) => !isTerminalStatus(c.status))) return;
    const best = this.rank(parent, inSample).leaderboard[0];
    if (!best || best.rank === null) return;
    const request = sweepRequest(parent);
    if (!request) return;
    const metadata = {
      window: k,
      phase: 'out_of_sample',
      in_sample_value: best.metrics?.[meta.objective] ?? null,
    };
    let child: NewOperation;
    try {
      child = backtests.prepare(
        {
          ...backtestFields(request),
          start_date: span.out_of_sample.start,
          end_date: span.out_of_sample.end,
          parameters: best.parameters,
        },
        parent.operation_id,
        { strategyByReference: true },
      );
    } catch (error) {
      // e.g. too few out-of-sample bars for the indicators' warm-up: visible, not silent
      const failed = operations.create({
        type: 'backtesting',
        parentOperationId: parent.operation_id,
        metadata: { parameters: best.parameters, ...metadata },
        provenance: parent.provenance,
        job: null,
      });
      operations.finish(failed.operation_id, 'failed', {
        error: `window ${k + 1} out of sample: ${(error as Error).message}`,
      });
      return;
    }
    const record = operations.create({ ...child, metadata: { ...child.metadata, ...metadata } });
    void dispatcher.submit(record, { front: true });
  }

  /** True when nothing is left to run: every child ended, and every walk-forward window is settled. */
  private allEnded(parent: OperationRecord, children: OperationRecord[]): boolean {
    if (children.some((c) => !isTerminalStatus(c.status))) return false;
    const windows = sweepMetadata(parent).walk_forward?.windows.length ?? 0;
    for (let k = 0; k < windows; k++) {
      const inWindow = children.filter((c) => windowOf(c) === k);
      const tested = inWindow.some((c) => phaseOf(c) === 'out_of_sample');
      const anyCompleted = inWindow.some((c) => c.status === 'completed');
      if (!tested && anyCompleted) return false;
    }
    return true;
  }

  /** Updates the parent's progress; true when every child has ended. */
  private updateProgress(parentId: string): boolean {
    const { operations } = this.deps;
    const parent = operations.require(parentId);
    const children = operations.children(parentId);
    const total = Math.max(children.length, sweepMetadata(parent).total);
    const since = this.startedAt.get(parentId) ?? Date.now();
    operations.recordProgress(
      parent,
      sweepProgress(children, total, since, this.rank(parent, children)),
    );
    return this.allEnded(parent, children);
  }

  private async finishSweep(parentId: string): Promise<void> {
    const { operations, artifacts } = this.deps;
    const result = this.result(parentId);
    await stitchOutOfSample(result, (id) => readFullResult(this.deps.artifacts, id));
    await artifacts.write(parentId, RESULT_ARTIFACT, Readable.from([JSON.stringify(result)]));
    const best = result.leaderboard[0];
    const allFailed = (result.counts.completed ?? 0) === 0 && (result.counts.failed ?? 0) > 0;
    operations.finish(parentId, allFailed ? 'failed' : 'completed', {
      error: allFailed ? `every one of the ${result.total} backtests failed` : null,
      resultSummary: {
        total: result.total,
        ...result.counts,
        objective: result.objective,
        best_value: best?.metrics?.[result.objective] ?? null,
        best_parameters: best?.rank === 1 ? best.parameters : null,
        best_operation_id: best?.rank === 1 ? best.operation_id : null,
        ...(result.walk_forward
          ? {
              // what to trade next: the latest window's winner, and how the method did out of sample
              best_parameters:
                result.walk_forward.windows.findLast((w) => w.best_parameters)?.best_parameters ??
                null,
              out_of_sample_total_return: result.walk_forward.metrics?.total_return ?? null,
              out_of_sample_max_drawdown: result.walk_forward.metrics?.max_drawdown ?? null,
              windows: result.walk_forward.windows.length,
            }
          : {}),
      },
    });
    this.startedAt.delete(parentId);
  }

  /** The leaderboard now: completed sets ranked by the objective (constraints first), then the rest. */
  result(parentId: string): SweepResult {
    const { operations } = this.deps;
    return this.rank(operations.require(parentId), operations.children(parentId));
  }

  private rank(parent: OperationRecord, children: OperationRecord[]): SweepResult {
    return rankSweep(sweepMetadata(parent), children);
  }

  /** Cancels every child that has not finished, then the sweep. */
  async cancel(id: string, reason: string): Promise<Operation> {
    const { operations, actions } = this.deps;
    const parent = operations.require(id);
    if (isTerminalStatus(parent.status))
      throw new ConflictError(
        `operation ${id} is already ${parent.status}; there is nothing to cancel`,
        {
          status: parent.status,
        },
      );
    this.cancelling.add(id);
    try {
      const open = operations.children(id).filter((c) => !isTerminalStatus(c.status));
      // queued children first (they leave at once), so no worker frees up and takes one
      open.sort((a, b) => (a.status === 'pending' ? -1 : 0) - (b.status === 'pending' ? -1 : 0));
      for (const child of open) {
        try {
          await actions.cancel(child.operation_id, reason.replace(/^cancelled: /, ''));
        } catch (error) {
          // it ended on its own meanwhile: nothing to cancel
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      this.updateProgress(id);
      return operations.toWire(operations.finish(id, 'cancelled', { reason }));
    } finally {
      this.cancelling.delete(id);
    }
  }

  /** Queues again only the children that did not complete; the sweep runs again. */
  async resume(id: string): Promise<{ operation_id: string; status: OperationRecord['status'] }> {
    const { operations, dispatcher, registry } = this.deps;
    const parent = operations.require(id);
    if (parent.status !== 'failed' && parent.status !== 'cancelled')
      throw new ConflictError(
        `operation ${id} is ${parent.status}; only a failed or cancelled sweep can be resumed`,
        { status: parent.status },
      );
    requireWorkersOfType(registry, 'backtesting', this.deps.backendUrl());
    const unfinished = operations
      .children(id)
      .filter((c) => c.status === 'failed' || c.status === 'cancelled');
    operations.reopen(id);
    this.startedAt.set(id, Date.now());
    const again = unfinished.map((child) => operations.requeue(child.operation_id));
    this.updateProgress(id);
    for (const record of again) void dispatcher.submit(record);
    if (again.length === 0) await this.finishSweep(id);
    return { operation_id: id, status: 'running' };
  }

  /** A new sweep from the same request. */
  async retry(id: string): Promise<StartResponse> {
    const record = this.deps.operations.require(id);
    if (!isTerminalStatus(record.status))
      throw new ConflictError(
        `operation ${id} is still ${record.status}; cancel it first or wait for it to end`,
        {
          status: record.status,
        },
      );
    const request = sweepRequest(record);
    if (!request) throw new ConflictError(`operation ${id} kept no request to run again`);
    return this.start(request);
  }

  /** The leaderboard as JSON text (the result route; live while the sweep runs). */
  async resultText(id: string): Promise<string> {
    const record = this.deps.operations.require(id);
    if (record.status === 'completed') {
      const stored = await this.deps.artifacts.readText(id, RESULT_ARTIFACT);
      if (stored !== undefined) return stored;
    }
    return JSON.stringify(this.result(id));
  }

  /**
   * After a restart: sweeps that were running follow their children again; one whose
   * children all ended while the backend was down ends now.
   */
  reattach(): void {
    for (const parent of this.deps.operations.byStatus('running')) {
      if (!isOfKind(parent, sweepKind.operationType)) continue;
      this.startedAt.set(parent.operation_id, Date.now());
      this.childEnded(parent.operation_id);
    }
  }
}
