import Type from 'typebox';
import {
  BacktestJobSchema,
  BacktestMetricsSchema,
  BacktestStartRequestSchema,
} from '../contracts/backtests.js';
import { Routes } from '../contracts/routes.js';
import { JsonObject } from '../contracts/schema-helpers.js';
import { defineJobKind } from './job-kind.js';

/** What a backtest operation records about itself (sweep children add their own fields). */
export const BacktestMetadataSchema = Type.Object({
  strategy_name: Type.String(),
  symbol: Type.String(),
  timeframe: Type.String(),
  start_date: Type.String(),
  end_date: Type.String(),
  initial_capital: Type.Number(),
  commission: Type.Number(),
  slippage: Type.Number(),
  parameters: JsonObject,
  model_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** A sweep's set opened as a full backtest: its index in the sweep. */
  set_index: Type.Optional(Type.Integer()),
  /** Walk-forward: the window, and whether it is that window's in-sample set or out-of-sample test. */
  window: Type.Optional(Type.Integer()),
  phase: Type.Optional(Type.String()),
  /** Out-of-sample test: the objective its set scored in sample, and that set's index. */
  in_sample_value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  in_sample_set_index: Type.Optional(Type.Integer()),
  /** A model backtest whose dates the backend chose (the model's test split, or not): why. */
  range_note: Type.Optional(Type.String()),
});

/** A completed backtest's summary: every metric (sweeps rank by any), final equity, bars. */
export const BacktestSummarySchema = Type.Object({
  ...BacktestMetricsSchema.properties,
  final_equity: Type.Number(),
  bars: Type.Integer(),
  resumed_from_bar: Type.Optional(Type.Integer()),
  model_id: Type.Optional(Type.String()),
});

/** Backtests: run on backtest workers, checkpoint every N bars. */
export const backtestingKind = defineJobKind({
  operationType: 'backtesting',
  runsOn: 'backtesting',
  startRoute: Routes.backend.backtestStart,
  workerStartPath: Routes.worker.backtestStart,
  schemas: {
    request: BacktestStartRequestSchema,
    job: BacktestJobSchema,
    resultSummary: BacktestSummarySchema,
    metadata: BacktestMetadataSchema,
  },
  preferGpu: false,
  checkpoints: true,
  backtestResult: true,
  reads: (job) => ({
    series: [{ symbol: job.data.symbol, timeframe: job.data.timeframe }],
    models: job.model_id ? [job.model_id] : [],
    // a strategy sent by reference (sweeps) is fetched once, by its version
    strategies: job.strategy.base_hash
      ? [{ name: job.strategy.name, hash: job.strategy.base_hash }]
      : [],
    writesModels: [],
  }),
  label: 'Backtest',
  describe: ({ metadata: m }) =>
    `${m.strategy_name} on ${m.symbol} ${m.timeframe} ${m.start_date.slice(0, 10)}..${m.end_date.slice(0, 10)}`,
});
