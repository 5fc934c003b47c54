import { sweepShardKind } from '@ktrdr/shared';
import { workerJobOf } from '../../runtime/job-definition.js';
import { workerModule } from '../../runtime/module-url.js';

/** Sweep shards (the `sweep_shard` kind), run by `./handler` in a worker thread. */
export const sweepShardJobDefinition = workerJobOf(
  sweepShardKind,
  workerModule('jobs/sweep-shard/handler'),
  (job) => ({
    sweep_id: job.sweep_id,
    strategy_name: job.strategy.name,
    symbol: job.data.symbol,
    timeframe: job.data.timeframe,
    sets: job.sets.set_index.length,
  }),
  // the handler prepares nothing: its thread starts with the first job
  { prepares: false },
);
