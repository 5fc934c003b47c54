import Type, { type Static } from 'typebox';
import { ParameterOverridesSchema, SeriesRefSchema } from './backtests.js';
import { TimeframeSchema } from './enums.js';
import { ModelSplitSchema } from './models.js';
import { OperationIdSchema } from './operations.js';
import { DateInput, JsonObject, Nullable } from './schema-helpers.js';
import { StrategyNameSchema } from './strategies.js';

/** `POST /api/v1/training/start` body. Omitted data fields default to the strategy's own. */
export const TrainingStartRequestSchema = Type.Object(
  {
    strategy_name: StrategyNameSchema,
    symbol: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    timeframe: Type.Optional(TimeframeSchema),
    start_date: Type.Optional(DateInput),
    end_date: Type.Optional(DateInput),
    epochs: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, description: "overrides the strategy's epochs" }),
    ),
    seed: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2 ** 31 - 1,
        description: "overrides the strategy's seed",
      }),
    ),
    parameters: Type.Optional(ParameterOverridesSchema),
  },
  { additionalProperties: false },
);
/** See {@link TrainingStartRequestSchema}. */
export type TrainingStartRequest = Static<typeof TrainingStartRequestSchema>;

/** The body the backend POSTs to a training worker's `/training/start`. */
export const TrainingJobSchema = Type.Object(
  {
    /** The backend's operation id; the worker names its result files after it. */
    task_id: OperationIdSchema,
    attempt: Type.Integer({ minimum: 1 }),
    strategy: Type.Object({ name: Type.String(), hash: Type.String(), config: JsonObject }),
    data: SeriesRefSchema,
    /** The id the trained model is stored under (derived from the operation id). */
    model_id: Type.String({ minLength: 1, maxLength: 128 }),
    epochs: Type.Integer({ minimum: 1 }),
    seed: Type.Integer({ minimum: 0 }),
    checkpoint_ref: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false },
);
/** See {@link TrainingJobSchema}. */
export type TrainingJob = Static<typeof TrainingJobSchema>;

/** Held-out figures of a trained model. */
export const EvaluationSchema = Type.Object({
  loss: Nullable(Type.Number()),
  accuracy: Nullable(Type.Number()),
  rows: Type.Integer({ minimum: 0 }),
  /** confusion[actual][predicted], in BUY, HOLD, SELL order. */
  confusion: Type.Array(Type.Array(Type.Integer({ minimum: 0 }))),
  per_class: Type.Record(
    Type.String(),
    Type.Object({ precision: Type.Number(), recall: Type.Number(), support: Type.Integer() }),
  ),
  /** Always answering the most frequent class of these rows (docs/metrics.md). */
  majority_baseline: Type.Optional(
    Type.Object({ label: Type.String(), accuracy: Nullable(Type.Number()) }),
  ),
});
/** See {@link EvaluationSchema}. */
export type Evaluation = Static<typeof EvaluationSchema>;

/** `GET /api/v1/operations/{id}/result` of a training operation. */
export const TrainingResultSchema = Type.Object({
  model_id: Type.String(),
  training_metrics: Type.Object({
    epochs_trained: Type.Integer({ minimum: 0 }),
    best_epoch: Type.Integer({ minimum: 0 }),
    stopped_early: Type.Boolean(),
    final_loss: Nullable(Type.Number()),
    final_accuracy: Nullable(Type.Number()),
    final_val_loss: Nullable(Type.Number()),
    final_val_accuracy: Nullable(Type.Number()),
    best_val_loss: Nullable(Type.Number()),
    best_val_accuracy: Nullable(Type.Number()),
    samples_per_second: Nullable(Type.Number()),
  }),
  test_metrics: Nullable(EvaluationSchema),
  model_info: Type.Object({
    inputs: Type.Integer({ minimum: 1 }),
    hidden_layers: Type.Array(Type.Integer()),
    parameters: Type.Integer({ minimum: 0 }),
    feature_spec_hash: Type.String(),
    training_backend: Type.String(),
  }),
  data_summary: Type.Object({
    symbol: Type.String(),
    timeframe: TimeframeSchema,
    start: Type.String(),
    end: Type.String(),
    bars: Type.Integer({ minimum: 0 }),
    rows: Type.Object({
      train: Type.Integer(),
      validation: Type.Integer(),
      test: Type.Integer(),
    }),
    /** Training rows per class, BUY / HOLD / SELL. */
    class_counts: Type.Array(Type.Integer()),
    class_weights: Type.Array(Type.Number()),
    /** The dates each part of the split covers (absent in models trained before it was kept). */
    split: Type.Optional(ModelSplitSchema),
  }),
});
/** See {@link TrainingResultSchema}. */
export type TrainingResult = Static<typeof TrainingResultSchema>;

/**
 * The id a training operation's model is stored under: the strategy name and the
 * operation id's stamp, so a retry (a new operation) never collides with its original.
 */
export function modelIdForOperation(strategyName: string, operationId: string): string {
  return `${strategyName}_${operationId.replace(/^op_training_/, '')}`;
}
