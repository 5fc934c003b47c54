import { BacktestJobSchema, Routes, type BacktestJob } from '@ktrdr/shared';
import type { WorkerJobDefinition } from '../../runtime/job-definition.js';
import { workerModule } from '../../runtime/module-url.js';

/** Backtests: `POST /backtests/start`, run by `./handler` in a worker thread. */
export const backtestJobDefinition: WorkerJobDefinition = {
  workerType: 'backtesting',
  operationType: 'backtesting',
  startPath: Routes.worker.backtestStart,
  requestSchema: BacktestJobSchema,
  handlerModule: workerModule('jobs/backtest/handler'),
  describe(raw) {
    const job = raw as unknown as BacktestJob;
    return {
      strategy_name: job.strategy.name,
      symbol: job.data.symbol,
      timeframe: job.data.timeframe,
      start_date: job.data.start,
      end_date: job.data.end,
    };
  },
};
