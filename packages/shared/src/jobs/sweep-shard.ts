import Type from 'typebox';
import { Routes } from '../contracts/routes.js';
import { Nullable } from '../contracts/schema-helpers.js';
import { SweepShardJobSchema } from '../contracts/sweeps.js';
import { defineJobKind } from './job-kind.js';

/** What a shard records about itself: its sweep and its sets. */
export const SweepShardMetadataSchema = Type.Object({
  sweep_id: Type.String(),
  strategy_name: Type.String(),
  symbol: Type.String(),
  timeframe: Type.String(),
  /** How many sets it was given, and the first and last of them. */
  sets: Type.Integer(),
  first_set: Type.Integer(),
  last_set: Type.Integer(),
  window: Type.Optional(Type.Integer()),
});

/** A finished shard's summary: how its sets ended on this attempt. */
export const SweepShardSummarySchema = Type.Object({
  completed: Type.Integer(),
  failed: Type.Integer(),
  /** Distinct indicators computed, shared by the sets (indicator sharing at work). */
  indicators_computed: Type.Optional(Type.Integer()),
  seconds: Type.Optional(Nullable(Type.Number())),
});

/**
 * Sweep shards: a batch of one sweep's parameter sets on one backtest worker. Made by the
 * sweep service only (no start route), listed under their sweep; they resume by set (the
 * backend sends only the sets not yet reported), not from a checkpoint.
 */
export const sweepShardKind = defineJobKind({
  operationType: 'sweep_shard',
  runsOn: 'backtesting',
  startRoute: null,
  workerStartPath: Routes.worker.sweepShardStart,
  schemas: {
    request: Type.Never(),
    job: SweepShardJobSchema,
    resultSummary: SweepShardSummarySchema,
    metadata: SweepShardMetadataSchema,
  },
  preferGpu: false,
  checkpoints: false,
  reads: (job) => ({
    series: [{ symbol: job.data.symbol, timeframe: job.data.timeframe }],
    models: job.model_id ? [job.model_id] : [],
    strategies: [{ name: job.strategy.name, hash: job.strategy.base_hash }],
    writesModels: [],
  }),
  label: 'Sweep shard',
  describe: ({ metadata: m }) =>
    `sets ${m.first_set + 1}–${m.last_set + 1} (${m.sets}) of sweep ${m.sweep_id}${m.window !== undefined ? `, window ${m.window + 1}` : ''}`,
});
