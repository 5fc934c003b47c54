import Type from 'typebox';
import { Routes } from '../contracts/routes.js';
import {
  TrainingJobSchema,
  TrainingStartRequestSchema,
  modelIdForOperation,
} from '../contracts/training.js';
import { defineJobKind } from './job-kind.js';

/** What a training operation records about itself. */
export const TrainingMetadataSchema = Type.Object({
  strategy_name: Type.String(),
  symbol: Type.String(),
  timeframe: Type.String(),
  start_date: Type.String(),
  end_date: Type.String(),
  epochs: Type.Integer(),
  seed: Type.Integer(),
  model_id: Type.String(),
  /** The request's strategy overrides by path (absent when there were none). */
  parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** A completed training run's summary. */
export const TrainingSummarySchema = Type.Object({
  model_id: Type.String(),
  epochs_trained: Type.Integer(),
  best_epoch: Type.Integer(),
  stopped_early: Type.Boolean(),
  test_accuracy: Type.Union([Type.Number(), Type.Null()]),
  /** Always answering the test rows' most frequent class: its accuracy and that class. */
  baseline_accuracy: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  baseline_label: Type.Optional(Type.String()),
  best_val_loss: Type.Union([Type.Number(), Type.Null()]),
  training_backend: Type.String(),
  resumed_from_epoch: Type.Optional(Type.Integer()),
});

/** Training: runs on training workers (a GPU one first), checkpoints every epoch. */
export const trainingKind = defineJobKind({
  operationType: 'training',
  runsOn: 'training',
  startRoute: Routes.backend.trainingStart,
  workerStartPath: Routes.worker.trainingStart,
  schemas: {
    request: TrainingStartRequestSchema,
    job: TrainingJobSchema,
    resultSummary: TrainingSummarySchema,
    metadata: TrainingMetadataSchema,
  },
  preferGpu: true,
  checkpoints: true,
  recordsTrainingBackend: true,
  storesModels: true,
  reads: (job) => ({
    series: [{ symbol: job.data.symbol, timeframe: job.data.timeframe }],
    models: [job.model_id],
    // the strategy travels inline
    strategies: [],
    writesModels: [job.model_id],
  }),
  // a model id is never reused: the retry's model is named after the retry
  retry: ({ job, metadata }, newOperationId) => {
    const modelId = modelIdForOperation(metadata.strategy_name, newOperationId);
    return {
      job: { ...job, model_id: modelId },
      metadata: { ...metadata, model_id: modelId },
      provenance: { model_id: modelId },
    };
  },
  label: 'Training',
  describe: ({ metadata: m }) =>
    `${m.strategy_name} on ${m.symbol} ${m.timeframe}, ${m.epochs} epochs → ${m.model_id}`,
});
