/**
 * The shards of running sweeps: made as workers need them (two in flight per backtest
 * worker, each sized to run about half a second at the speed seen so far), and their sets
 * put back in line, or ended, when a shard ends.
 */
import type { SweepShardJob } from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { newOperationId } from '../operations/operation-ids.js';
import type { OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import { nextShardSize, observeSpeed, shardsInFlight } from './shard-sizing.js';
import type { SweepSetStore } from './sweep-set-store.js';
import { setColumns, type SweepRun } from './sweep-run.js';

/** What the feeder needs. */
export interface ShardFeederDeps {
  operations: OperationsService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  sets: SweepSetStore;
  log: FastifyBaseLogger;
  /** Sets per shard when fixed (`KTRDR_SWEEP_SHARD_SETS`); else sized from observed speed. */
  shardSets?: number | undefined;
  now: () => number;
}

/** Makes a sweep's shards and settles their sets when they end. */
export class ShardFeeder {
  /** Shards made but not yet sent: their stored job holds exactly their sets. */
  private readonly unsent = new Set<string>();

  constructor(private readonly deps: ShardFeederDeps) {}

  /**
   * Whether this is a shard's first dispatch (then its job's sets are its sets as made, and
   * need not be read back); any later one runs only what the store says is unfinished.
   */
  firstDispatch(shardId: string): boolean {
    return this.unsent.delete(shardId);
  }

  /** Makes shards until two per worker are in flight or no set waits. */
  topUp(run: SweepRun): void {
    if (run.cancelling || run.finishing) return;
    const { operations, dispatcher, sets, shardSets } = this.deps;
    const workers = this.workerCount();
    while (run.open.size < shardsInFlight(workers) && run.counts.pending > 0) {
      const size = nextShardSize({
        remaining: run.counts.pending,
        workers,
        msPerSet: run.msPerSet,
        fixed: shardSets,
      });
      const shardId = newOperationId('sweep_shard', new Date(this.deps.now()));
      const { window, sets: batch } = sets.assignNext(run.id, shardId, size, run.cursor);
      if (batch.length === 0) break;
      run.cursor = batch.at(-1)!.set_index + 1;
      run.counts.pending -= batch.length;
      run.counts.running += batch.length;
      const job: Omit<SweepShardJob, 'task_id' | 'attempt'> = {
        ...run.base,
        ...(window !== null ? { window, data: windowData(run, window) } : {}),
        sets: setColumns(batch),
      };
      const shard = operations.create<'sweep_shard'>({
        operationId: shardId,
        type: 'sweep_shard',
        parentOperationId: run.id,
        metadata: {
          sweep_id: run.id,
          strategy_name: run.base.strategy.name,
          symbol: run.base.data.symbol,
          timeframe: run.base.data.timeframe,
          sets: batch.length,
          first_set: batch[0]!.set_index,
          last_set: batch.at(-1)!.set_index,
          ...(window !== null ? { window } : {}),
        },
        provenance: operations.require(run.id).provenance,
        job,
      });
      run.open.add(shardId);
      this.unsent.add(shardId);
      void dispatcher.submit(shard);
    }
  }

  /**
   * A shard ended: the sets it did not report go back in line (completed without them, or
   * stopped on its worker), or end with it (cancelled by the trader, failed); a completed
   * shard's speed sizes the next ones.
   */
  shardEnded(run: SweepRun, shard: OperationRecord): void {
    run.open.delete(shard.operation_id);
    this.unsent.delete(shard.operation_id);
    const { sets, log } = this.deps;
    let moved: number;
    if (shard.status === 'completed') {
      // a worker that ends a shard without reporting some sets: they run again elsewhere
      moved = sets.release(shard.operation_id, 'pending');
      if (moved > 0) {
        log.warn({ operation_id: shard.operation_id, sets: moved }, 'shard left sets unreported');
        run.cursor = 0;
      }
      run.counts.running -= moved;
      run.counts.pending += moved;
      const summary = shard.result_summary as { completed?: number; failed?: number } | null;
      const ran = (summary?.completed ?? 0) + (summary?.failed ?? 0);
      const ms = Date.parse(shard.completed_at ?? '') - Date.parse(shard.started_at ?? '');
      if (ran > 0) run.msPerSet = observeSpeed(run.msPerSet, ran, ms);
    } else if (shard.status === 'cancelled' && run.cancelling) {
      run.counts.running -= moved = sets.release(shard.operation_id, 'cancelled', 'cancelled');
      run.counts.cancelled += moved;
    } else if (shard.status === 'cancelled') {
      // stopped on its worker (a worker shutting down), not by the trader: run them elsewhere
      moved = sets.release(shard.operation_id, 'pending');
      if (moved > 0) run.cursor = 0;
      run.counts.running -= moved;
      run.counts.pending += moved;
    } else {
      const why = shard.error_message ?? 'its shard failed';
      run.counts.running -= moved = sets.release(shard.operation_id, 'failed', why);
      run.counts.failed += moved;
    }
  }

  /** Backtest workers that can take shards now (registered, not unreachable). */
  private workerCount(): number {
    return this.deps.registry
      .ofType('backtesting')
      .filter((w) => w.status === 'available' || w.status === 'busy').length;
  }
}

/** The in-sample range of a walk-forward window, on the sweep's series. */
function windowData(run: SweepRun, window: number): SweepShardJob['data'] {
  const span = run.meta.walk_forward!.windows[window]!.in_sample;
  return { ...run.base.data, start: span.start, end: span.end };
}
