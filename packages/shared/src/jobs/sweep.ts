import Type from 'typebox';
import { Routes } from '../contracts/routes.js';
import { JsonObject } from '../contracts/schema-helpers.js';
import { SweepStartRequestSchema } from '../contracts/sweeps.js';
import { EMPTY_SCOPE, defineJobKind } from './job-kind.js';

/**
 * What a sweep keeps to resume and retry: its request, and the job its shards share (the
 * strategy version, series, range and costs; each shard adds its sets).
 */
export const SweepJobSchema = Type.Object({
  request: SweepStartRequestSchema,
  shard: Type.Optional(JsonObject),
});

/** What a sweep records about itself (its first child's fields, plus the search). */
export const SweepMetadataSchema = Type.Object({
  strategy_name: Type.String(),
  symbol: Type.String(),
  timeframe: Type.String(),
  parameters: JsonObject,
  mode: Type.String(),
  objective: Type.String(),
  constraints: JsonObject,
  dimensions: Type.Array(Type.String()),
  total: Type.Integer(),
  walk_forward: Type.Optional(JsonObject),
});

/** A finished sweep's summary: counts per status, and the best set. */
export const SweepSummarySchema = Type.Object({
  total: Type.Integer(),
  objective: Type.String(),
  best_value: Type.Union([Type.Number(), Type.Null()]),
  best_parameters: Type.Union([JsonObject, Type.Null()]),
  /** The full backtest of the best set, once opened. */
  best_operation_id: Type.Union([Type.String(), Type.Null()]),
  best_set_index: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  sets_per_second: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
});

/** Sweeps: orchestrated by the backend; their parameter sets run in `sweep_shard` operations on backtest workers. */
export const sweepKind = defineJobKind({
  operationType: 'sweep',
  runsOn: 'backend',
  startRoute: Routes.backend.sweepStart,
  workerStartPath: null,
  schemas: {
    request: SweepStartRequestSchema,
    job: SweepJobSchema,
    resultSummary: SweepSummarySchema,
    metadata: SweepMetadataSchema,
  },
  preferGpu: false,
  // a sweep resumes by running its unfinished children again
  checkpoints: false,
  reads: () => EMPTY_SCOPE,
  label: 'Sweep',
  describe: ({ metadata: m }) =>
    `${m.strategy_name} on ${m.symbol} ${m.timeframe}: ${m.total} sets by ${m.objective}`,
});
