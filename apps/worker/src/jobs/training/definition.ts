import { trainingKind } from '@ktrdr/shared';
import { workerJobOf } from '../../runtime/job-definition.js';
import { workerModule } from '../../runtime/module-url.js';

/** Training (the `training` kind), run by `./handler` in a worker thread. */
export const trainingJobDefinition = workerJobOf(
  trainingKind,
  workerModule('jobs/training/handler'),
  (job) => ({
    strategy_name: job.strategy.name,
    symbol: job.data.symbol,
    timeframe: job.data.timeframe,
    start_date: job.data.start,
    end_date: job.data.end,
    model_id: job.model_id,
    epochs: job.epochs,
  }),
);
