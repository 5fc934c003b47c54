import { backtestingKind } from '@ktrdr/shared';
import { workerJobOf } from '../../runtime/job-definition.js';
import { workerModule } from '../../runtime/module-url.js';

/** Backtests (the `backtesting` kind), run by `./handler` in a worker thread. */
export const backtestJobDefinition = workerJobOf(
  backtestingKind,
  workerModule('jobs/backtest/handler'),
  (job) => ({
    strategy_name: job.strategy.name,
    symbol: job.data.symbol,
    timeframe: job.data.timeframe,
    start_date: job.data.start,
    end_date: job.data.end,
  }),
  // the handler prepares nothing: its thread starts with the first job
  { prepares: false },
);
