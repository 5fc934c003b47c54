import { Readable } from 'node:stream';
import {
  isTerminalStatus,
  sweepKind,
  sweepShardKind,
  type Operation,
  type StartResponse,
  type SweepResult,
  type SweepSetResults,
  type SweepShardJob,
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
import type { OperationsService } from '../operations/operations-service.js';
import type { StrategyStore } from '../strategies/strategy-store.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import { phaseOf, rankingOf, sweepMetadata, sweepRequest, windowOf } from './sweep-metadata.js';
import { sweepOutcome } from './sweep-outcome.js';
import { planSweep, yieldToEventLoop } from './sweep-plan.js';
import { setsPerSecond } from './sweep-progress.js';
import { SetStoring } from './set-storing.js';
import {
  INSERT_SLICE,
  type NewSweepSet,
  type SweepSetStore,
  type Ranking,
} from './sweep-set-store.js';
import {
  allEnded,
  currentResult,
  liveTop,
  outOfSampleRuns,
  runProgress,
  storedProgress,
} from './sweep-standing.js';
import { startOutOfSample, stitchOutOfSample } from './walk-forward-summary.js';
import { ShardFeeder } from './shard-feeder.js';
import { followSweep, setColumns, shardBaseOf, type SweepRun } from './sweep-run.js';

/** What the sweep service needs. */
export interface SweepServiceDeps {
  operations: OperationsService;
  backtests: BacktestService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  actions: OperationActions;
  artifacts: ArtifactStore;
  series: SeriesStore;
  strategies: StrategyStore;
  sets: SweepSetStore;
  log: FastifyBaseLogger;
  /** The most parameter sets one sweep may have (a request's `max_sets` can only lower it). */
  maxSets: number;
  /** Sets per shard when fixed (`KTRDR_SWEEP_SHARD_SETS`); else sized from observed speed. */
  shardSets?: number | undefined;
  backendUrl: () => string;
  now?: () => number;
}

/**
 * Parameter sweeps at scale (DESIGN §4): one parent `sweep` operation, run by the backend;
 * its parameter sets are rows ({@link SweepSetStore}), run in `sweep_shard` operations on
 * backtest workers. Shards are made as workers need them ({@link ShardFeeder}: two in
 * flight per worker, each sized to run about half a second at the speed observed so far),
 * so the tail stays short and cancelling stops at most those few. A shard reports its
 * finished sets in batches; each batch is one transaction and one progress event; the best
 * sets are kept as results arrive ({@link SweepRun}'s board: no re-rank per result). A shard that ends with sets unreported (its
 * worker died: the failover sends only those) or a resumed sweep never reruns a finished
 * set. Walk-forward: each window's sets are sets too; once a window's sets have ended, its
 * best set is backtested out of sample as an ordinary child backtest.
 */
export class SweepService implements LocalRunner {
  private readonly runs = new Map<string, SweepRun>();
  /** Sets of started sweeps still being stored. */
  private readonly storing: SetStoring;
  private readonly now: () => number;
  private readonly shards: ShardFeeder;
  /** Sets finished since the backend started, by outcome (for /metrics). */
  readonly setsFinished = { completed: 0, failed: 0 };

  constructor(private readonly deps: SweepServiceDeps) {
    this.now = deps.now ?? (() => Date.now());
    this.shards = new ShardFeeder({ ...deps, now: this.now });
    this.storing = new SetStoring(deps.sets);
    deps.operations.onEnd((record) => {
      const parentId = record.parent_operation_id;
      if (!parentId) return;
      if (isOfKind(record, sweepShardKind.operationType)) this.shardEnded(parentId, record);
      else if (phaseOf(record) === 'out_of_sample') this.settle(parentId);
    });
    // a shard's next attempt runs only the sets it has not reported yet
    deps.dispatcher.jobSource(sweepShardKind.operationType, (record) => {
      const job = record.job as SweepShardJob;
      if (this.shards.firstDispatch(record.operation_id)) return job;
      return { ...job, sets: setColumns(this.deps.sets.unfinishedOf(record.operation_id)) };
    });
  }

  /** Checks the request and every parameter set, stores the sweep and its sets, starts shards. */
  async start(body: SweepStartRequest): Promise<StartResponse> {
    const { operations, registry, maxSets, sets } = this.deps;
    const requested = body.max_sets ?? body.max_children;
    const limit = Math.min(requested ?? maxSets, maxSets);
    requireWorkersOfType(registry, 'backtesting', this.deps.backendUrl());
    const plan = await planSweep(body, limit, this.deps);
    const id = newOperationId('sweep', new Date(this.now()));
    const base = shardBaseOf(plan.first.job!, id);
    // the first slice of sets, then the sweep: its first shards run while the rest are
    // stored (storing 100,000 sets takes ~0.2 s of the backend; workers need not wait)
    const first = plan.sets.slice(0, INSERT_SLICE);
    await sets.insert(id, first, yieldToEventLoop);
    operations.create({
      operationId: id,
      type: 'sweep',
      metadata: { ...plan.metadata, set_count: plan.sets.length },
      provenance: plan.first.provenance,
      job: { request: body, shard: base },
    });
    operations.markRunning(id);
    if (plan.sets.length > first.length) this.storeRest(id, plan.sets, first.length);
    const run = this.attach(operations.require(id));
    this.shards.topUp(run);
    this.publishProgress(run);
    this.deps.log.info({ operation_id: id, sets: plan.sets.length }, 'sweep started');
    return { success: true, operation_id: id, status: 'running' };
  }

  /**
   * Stores a started sweep's other sets while it runs ({@link SetStoring}): each slice is
   * offered to its shards as it lands, and they count as pending from the start, so the
   * sweep cannot end before they run. Sets stored after the sweep was cancelled are stored
   * cancelled (a resume runs them). If storing fails, the sweep is cancelled, saying why; a
   * backend that stops meanwhile fails the sweep when it starts again ({@link reattach}).
   */
  private storeRest(sweepId: string, all: readonly NewSweepSet[], from: number): void {
    const running = () => {
      const run = this.runs.get(sweepId);
      return run && !run.cancelling ? run : undefined;
    };
    this.storing.start(sweepId, all, from, {
      live: () => running() !== undefined,
      stored: () => {
        const run = running();
        if (run) this.shards.topUp(run);
      },
      ended: async (error) => {
        try {
          if (error) {
            this.deps.log.error({ operation_id: sweepId, err: error.message }, 'storing sets');
            if (this.runs.has(sweepId))
              await this.cancel(sweepId, `storing its sets failed: ${error.message}`);
          }
          // a walk-forward window's out-of-sample run waited for its last sets (see below)
          else if (this.runs.has(sweepId)) this.settle(sweepId);
          else this.recount(sweepId);
        } catch (failure) {
          this.deps.log.error(
            { operation_id: sweepId, err: (failure as Error).message },
            'after storing sets',
          );
        }
      },
    });
  }

  /** Waits until every sweep's sets are stored (a backend closing lets them finish). */
  async close(): Promise<void> {
    await this.storing.close();
  }

  /**
   * A shard's batch of finished sets (from its worker's report): stored in one transaction,
   * counted incrementally. Sets that finish while a cancel is under way still count.
   */
  recordSets(shard: OperationRecord, results: SweepSetResults): void {
    const sweepId = shard.parent_operation_id;
    if (!sweepId || !shard.worker_id) return;
    const { completed, failed, ranked } = this.deps.sets.record(
      sweepId,
      shard.operation_id,
      shard.worker_id,
      results,
      this.rankingOf(sweepId),
    );
    this.setsFinished.completed += completed;
    this.setsFinished.failed += failed;
    const run = this.runs.get(sweepId);
    if (run) {
      const window = typeof shard.metadata.window === 'number' ? shard.metadata.window : null;
      for (const key of ranked) run.board.offer(window, key);
    }
    if (run && !run.cancelling) {
      run.counts.running -= completed + failed;
      run.counts.completed += completed;
      run.counts.failed += failed;
      this.publishProgress(run);
    } else if (completed + failed > 0) this.recount(sweepId);
  }

  /** How a sweep ranks (its run's, or read from its record). */
  private rankingOf(sweepId: string): Ranking {
    return (
      this.runs.get(sweepId)?.ranking ??
      rankingOf(sweepMetadata(this.deps.operations.require(sweepId)))
    );
  }

  /** A sweep not running (cancelled): its progress from the stored counts. */
  private recount(sweepId: string): void {
    const record = this.deps.operations.get(sweepId);
    if (!record) return;
    this.deps.operations.recordProgress(record, storedProgress(this.deps, record, this.now));
  }

  /** Follows a stored sweep from now on (see {@link followSweep}). */
  private attach(record: OperationRecord): SweepRun {
    const run = followSweep(record, this.deps, this.now());
    // sets not stored yet wait all the same
    run.counts.pending += this.storing.left(run.id);
    this.runs.set(run.id, run);
    return run;
  }

  /** A shard ended: its sets settle, then the sweep goes on (or ends). */
  private shardEnded(sweepId: string, shard: OperationRecord): void {
    const run = this.runs.get(sweepId);
    if (!run) return;
    this.shards.shardEnded(run, shard);
    this.settle(sweepId);
  }

  /** After any end under a sweep: out-of-sample runs due, more shards, progress, the end. */
  private settle(sweepId: string): void {
    const run = this.runs.get(sweepId);
    if (!run || run.cancelling) return;
    if (run.meta.walk_forward) this.startDueOutOfSample(run);
    this.shards.topUp(run);
    this.publishProgress(run);
    if (allEnded(this.deps.operations, run)) void this.finishSweep(run);
  }

  /** Walk-forward: each window whose sets have all ended tests its best set out of sample (once). */
  private startDueOutOfSample(run: SweepRun): void {
    // a window whose stored sets have all ended may still have sets to store
    if (this.storing.has(run.id)) return;
    const { operations, sets } = this.deps;
    const parent = operations.require(run.id);
    const tests = outOfSampleRuns(operations, run.id);
    run.meta.walk_forward!.windows.forEach((_, k) => {
      if (tests.some((c) => windowOf(c) === k)) return;
      if (sets.openInWindow(run.id, k) > 0) return;
      const best = liveTop(sets, run, k, 1)[0];
      if (!best) return;
      const record = startOutOfSample(parent, k, best, run.meta, this.deps);
      if (record) void this.deps.dispatcher.submit(record, { front: true });
    });
  }

  private publishProgress(run: SweepRun): void {
    const { operations } = this.deps;
    const parent = operations.get(run.id);
    if (!parent || isTerminalStatus(parent.status)) return;
    operations.recordProgress(parent, runProgress(this.deps, run, this.now));
  }

  private async finishSweep(run: SweepRun): Promise<void> {
    if (run.finishing) return;
    run.finishing = true;
    const { operations, artifacts } = this.deps;
    const result = this.result(run.id);
    await stitchOutOfSample(result, (id) => readFullResult(artifacts, id));
    await artifacts.write(run.id, RESULT_ARTIFACT, Readable.from([JSON.stringify(result)]));
    const { status, error, resultSummary } = sweepOutcome(result, run.counts);
    this.runs.delete(run.id);
    operations.finish(run.id, status, { error, resultSummary });
  }

  /** The sweep now: counts, the top rows, the best set, speed, shards (live while it runs). */
  result(sweepId: string): SweepResult {
    return currentResult(this.deps, sweepId, this.runs.get(sweepId), this.now);
  }

  /** The sweeps running now, each with its sets per second so far (for /metrics). */
  running(): {
    sweep_id: string;
    sets_per_second: number;
    sets_done: number;
    sets_total: number;
  }[] {
    return [...this.runs.values()].map((run) => {
      const done = run.counts.completed + run.counts.failed;
      return {
        sweep_id: run.id,
        sets_per_second: setsPerSecond(done - run.endedBefore, run.startedAt, this.now()) ?? 0,
        sets_done: done,
        sets_total: run.meta.total,
      };
    });
  }

  /** Cancels the sets no shard holds, every open shard (within the cancel deadline), then the sweep. */
  async cancel(id: string, reason: string): Promise<Operation> {
    const { operations, actions, sets } = this.deps;
    const parent = operations.require(id);
    if (isTerminalStatus(parent.status))
      throw new ConflictError(
        `operation ${id} is already ${parent.status}; there is nothing to cancel`,
        { status: parent.status },
      );
    const run = this.runs.get(id) ?? this.attach(parent);
    run.cancelling = true;
    try {
      const cancelled = sets.cancelPending(id, 'cancelled');
      run.counts.pending -= cancelled;
      run.counts.cancelled += cancelled;
      const open = operations.children(id).filter((c) => !isTerminalStatus(c.status));
      // all at once: each waits for its worker, and the sweep's deadline is one deadline
      await Promise.all(
        open.map(async (child) => {
          try {
            await actions.cancel(child.operation_id, reason.replace(/^cancelled: /, ''));
          } catch (error) {
            // it ended on its own meanwhile: nothing to cancel
            if (!(error instanceof ConflictError)) throw error;
          }
        }),
      );
      // whatever a shard still held when it stopped (or had left when it ended on its own)
      for (const shard of open) sets.release(shard.operation_id, 'cancelled', 'cancelled');
      // sets still being stored are stored cancelled: the answer shows every set
      await this.storing.stored(id);
      sets.cancelPending(id, 'cancelled');
      this.runs.delete(id);
      this.recount(id);
      return operations.toWire(operations.finish(id, 'cancelled', { reason }));
    } finally {
      run.cancelling = false;
    }
  }

  /** Runs only the sets that did not complete (and failed out-of-sample runs) again. */
  async resume(id: string): Promise<{ operation_id: string; status: OperationRecord['status'] }> {
    const { operations, dispatcher, registry, sets } = this.deps;
    const parent = operations.require(id);
    if (parent.status !== 'failed' && parent.status !== 'cancelled')
      throw new ConflictError(
        `operation ${id} is ${parent.status}; only a failed or cancelled sweep can be resumed`,
        { status: parent.status },
      );
    if (this.storing.has(id))
      throw new ConflictError(
        `sweep ${id} is still storing its parameter sets; resume it in a moment`,
      );
    const missing = this.unstoredSets(parent);
    if (missing)
      throw new ConflictError(
        `sweep ${id} ${missing}; retry it to run a new sweep of the same request`,
      );
    requireWorkersOfType(registry, 'backtesting', this.deps.backendUrl());
    sets.reopen(id);
    const tests = outOfSampleRuns(operations, id).filter(
      (c) => c.status === 'failed' || c.status === 'cancelled',
    );
    operations.reopen(id);
    this.attach(operations.require(id));
    for (const test of tests) void dispatcher.submit(operations.requeue(test.operation_id));
    this.settle(id);
    return { operation_id: id, status: 'running' };
  }

  /** A new sweep from the same request. */
  async retry(id: string): Promise<StartResponse> {
    const record = this.deps.operations.require(id);
    if (!isTerminalStatus(record.status))
      throw new ConflictError(
        `operation ${id} is still ${record.status}; cancel it first or wait for it to end`,
        { status: record.status },
      );
    const request = sweepRequest(record);
    if (!request) throw new ConflictError(`operation ${id} kept no request to run again`);
    return this.start(request);
  }

  /** The sweep's result as JSON text (the result route; live while it runs). */
  async resultText(id: string): Promise<string> {
    const record = this.deps.operations.require(id);
    if (record.status === 'completed') {
      const stored = await this.deps.artifacts.readText(id, RESULT_ARTIFACT);
      if (stored !== undefined) return stored;
    }
    return JSON.stringify(this.result(id));
  }

  /**
   * Why a sweep cannot go on (some of its sets were never stored: the backend stopped
   * while it stored them), or undefined.
   */
  private unstoredSets(record: OperationRecord): string | undefined {
    const wanted = record.metadata.set_count;
    if (typeof wanted !== 'number' || this.storing.has(record.operation_id)) return undefined;
    const counts = this.deps.sets.counts(record.operation_id);
    const stored = Object.values(counts).reduce((n, c) => n + c, 0);
    return stored < wanted
      ? `has only ${stored} of its ${wanted} parameter sets stored (the backend stopped while storing them)`
      : undefined;
  }

  /**
   * After a restart: running sweeps are followed again. Sets held by a shard that ended
   * while the backend was down go back in line; one whose sets all ended ends now.
   */
  reattach(): void {
    const { operations, sets, log } = this.deps;
    for (const parent of operations.byStatus('running')) {
      if (!isOfKind(parent, sweepKind.operationType)) continue;
      const missing = this.unstoredSets(parent);
      if (missing) {
        log.warn({ operation_id: parent.operation_id, err: missing }, 'sweep');
        for (const shard of operations.children(parent.operation_id))
          if (!isTerminalStatus(shard.status))
            void this.deps.actions.cancel(shard.operation_id, 'its sweep failed').catch(() => {});
        operations.finish(parent.operation_id, 'failed', {
          error: `the sweep ${missing}; retry it`,
        });
        continue;
      }
      let run: SweepRun;
      try {
        run = this.attach(parent);
      } catch (error) {
        log.warn({ operation_id: parent.operation_id, err: (error as Error).message }, 'sweep');
        operations.finish(parent.operation_id, 'failed', { error: (error as Error).message });
        continue;
      }
      for (const shard of operations.children(parent.operation_id))
        if (isOfKind(shard, sweepShardKind.operationType) && isTerminalStatus(shard.status))
          sets.release(shard.operation_id, 'pending');
      run.counts = sets.counts(run.id);
      this.settle(run.id);
    }
  }
}
