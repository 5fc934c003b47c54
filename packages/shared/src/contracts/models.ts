import Type, { type Static } from 'typebox';
import { TimeframeSchema } from './enums.js';
import { IsoDateTime, JsonObject, Nullable } from './schema-helpers.js';

/** Model ids appear in URLs and file names. */
export const ModelIdSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  description: 'letters, digits and . _ - (starting with a letter or digit)',
});

const Period = Type.Object({
  start: Type.String({ description: 'ISO-8601, the first bar of the part' }),
  end: Type.String({ description: 'ISO-8601, the last bar of the part' }),
});

/** The bars each part of a model's time-ordered split covers, first and last labelled row. */
export const ModelSplitSchema = Type.Object({
  train: Period,
  validation: Nullable(Period),
  test: Nullable(Period),
});
/** See {@link ModelSplitSchema}. */
export type ModelSplit = Static<typeof ModelSplitSchema>;

/** A trained model as the model store lists it. */
export const ModelSummarySchema = Type.Object({
  model_id: Type.String(),
  strategy_name: Type.String(),
  /** The hash of the strategy version it was trained from. */
  strategy_hash: Type.String(),
  /** Two models with the same hash take the same inputs. */
  feature_spec_hash: Type.String(),
  created_at: IsoDateTime,
  /** The training operation that made it. */
  operation_id: Nullable(Type.String()),
  symbol: Type.String(),
  timeframe: TimeframeSchema,
  /** The training data range (ISO-8601). */
  start: Type.String(),
  end: Type.String(),
  seed: Type.Integer(),
  training_backend: Type.String(),
  size_bytes: Type.Integer({ minimum: 0 }),
  /** Headline figures: test accuracy, best validation loss, epochs. */
  metrics: JsonObject,
  /** Its split's dates; absent for models trained before they were kept. */
  split: Type.Optional(ModelSplitSchema),
});
/** See {@link ModelSummarySchema}. */
export type ModelSummary = Static<typeof ModelSummarySchema>;

/** `GET /api/v1/models` answer, newest first. */
export const ModelListSchema = Type.Object({ models: Type.Array(ModelSummarySchema) });
/** See {@link ModelListSchema}. */
export type ModelList = Static<typeof ModelListSchema>;

/** `GET /api/v1/models/{id}`: the summary plus everything but the weights. */
export const ModelDetailSchema = Type.Object({
  ...ModelSummarySchema.properties,
  /** The inputs, exactly (column names, fuzzy sets, indicators, lookback). */
  feature_spec: JsonObject,
  /** The full training result (per-class test figures, data summary). */
  training: JsonObject,
  /** Per-epoch figures. */
  history: Type.Array(JsonObject),
});
/** See {@link ModelDetailSchema}. */
export type ModelDetail = Static<typeof ModelDetailSchema>;

/**
 * The stored model file (`GET /api/v1/models/{id}/download`, `PUT /api/v1/models/{id}`):
 * TensorFlow.js layers topology and weights with what it was made from. `metadata` carries
 * the summary's fields.
 */
export const ModelDocumentSchema = Type.Object(
  {
    format: Type.Literal('ktrdr-tfjs-layers-v1'),
    model_id: Type.String(),
    modelTopology: JsonObject,
    weightSpecs: Type.Array(JsonObject),
    weightData: Type.String({ description: 'base64 of the concatenated weights' }),
    feature_spec: JsonObject,
    feature_spec_hash: Type.String({ minLength: 1 }),
    metadata: Type.Object(
      {
        strategy_name: Type.String(),
        strategy_hash: Type.String(),
        symbol: Type.String(),
        timeframe: TimeframeSchema,
        start: Type.String(),
        end: Type.String(),
        seed: Type.Integer(),
        training_backend: Type.String(),
        metrics: JsonObject,
        training: JsonObject,
        history: Type.Array(JsonObject),
        split: Type.Optional(ModelSplitSchema),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: false },
);
/** See {@link ModelDocumentSchema}. */
export type ModelDocumentWire = Static<typeof ModelDocumentSchema>;

/** `PUT /api/v1/models/{id}` query: the training operation (and attempt) the upload belongs to. */
export const ModelUploadQuerySchema = Type.Object(
  {
    worker_id: Type.String({ minLength: 1, maxLength: 128 }),
    operation_id: Type.String({ minLength: 1, maxLength: 100 }),
    attempt: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
/** See {@link ModelUploadQuerySchema}. */
export type ModelUploadQuery = Static<typeof ModelUploadQuerySchema>;

/** `PUT /api/v1/models/{id}` answer. */
export const ModelStoredSchema = Type.Object({
  model_id: Type.String(),
  /** False when this exact model was already stored (an upload retried). */
  created: Type.Boolean(),
  size_bytes: Type.Integer({ minimum: 0 }),
});
/** See {@link ModelStoredSchema}. */
export type ModelStored = Static<typeof ModelStoredSchema>;
