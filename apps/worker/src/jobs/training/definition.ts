import { Routes, TrainingJobSchema, type TrainingJob } from '@ktrdr/shared';
import type { WorkerJobDefinition } from '../../runtime/job-definition.js';
import { workerModule } from '../../runtime/module-url.js';

/** Training: `POST /training/start`, run by `./handler` in a worker thread. */
export const trainingJobDefinition: WorkerJobDefinition = {
  workerType: 'training',
  operationType: 'training',
  startPath: Routes.worker.trainingStart,
  requestSchema: TrainingJobSchema,
  handlerModule: workerModule('jobs/training/handler'),
  describe(raw) {
    const job = raw as unknown as TrainingJob;
    return {
      strategy_name: job.strategy.name,
      symbol: job.data.symbol,
      timeframe: job.data.timeframe,
      start_date: job.data.start,
      end_date: job.data.end,
      model_id: job.model_id,
      epochs: job.epochs,
    };
  },
};
