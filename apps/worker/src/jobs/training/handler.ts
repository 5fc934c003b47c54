import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { featureSpec, featureSpecHash } from '@ktrdr/engine/features';
import { parseStrategyConfig } from '@ktrdr/engine/strategies';
import {
  balancedClassWeights,
  buildDataset,
  classCounts,
  DEFAULT_SPLIT,
  serializeModel,
  splitByTime,
  splitPeriods,
  splitProblem,
  trainModel,
  type EpochMetrics,
  type TrainingCheckpoint,
} from '@ktrdr/engine/training';
import type {
  ModelDocumentWire,
  NeuroFuzzyStrategyConfig,
  TrainingJob,
  TrainingResult,
} from '@ktrdr/shared';
import { SeriesCache } from '../../data/series-cache.js';
import type { JobContext, JobHandler, JobPrepare } from '../../runtime/job-definition.js';
import {
  loadTrainingBackend,
  type LoadedBackend,
  type TrainingBackendPreference,
} from '../../training/backend-loader.js';
import { untilReachable } from '../../data/until-reachable.js';

let cache: SeriesCache | undefined;
let loaded: LoadedBackend | undefined;

/**
 * Loads the TensorFlow.js backend once, when the thread starts (before the worker
 * registers), so the roster shows the backend and GPU it really has.
 */
export const prepare: JobPrepare = async (settings) => {
  loaded = await loadTrainingBackend(settings.trainingBackend as TrainingBackendPreference);
  return {
    capabilities: {
      gpu: loaded.gpu,
      training_backend: loaded.name,
      ...(loaded.gpuName ? { gpu_name: loaded.gpuName } : {}),
      ...(loaded.gpuMemoryMb ? { gpu_memory_mb: loaded.gpuMemoryMb } : {}),
    },
    notes: loaded.attempts.map(
      (a) =>
        `training backend ${a.backend}: ${a.loaded ? `loaded${a.reason === 'loaded' ? '' : ` (${a.reason})`}` : `not loaded (${a.reason})`}`,
    ),
  };
};

function round(value: number | null | undefined, digits = 6): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function parseNeuroFuzzy(config: unknown): NeuroFuzzyStrategyConfig {
  const strategy = parseStrategyConfig(config);
  if (strategy.type !== 'neuro_fuzzy')
    throw new Error(
      `"${strategy.name}" is a ${strategy.type} strategy: only neuro_fuzzy ones train`,
    );
  return strategy;
}

async function loadCheckpoint(ctx: JobContext): Promise<TrainingCheckpoint> {
  return JSON.parse(new TextDecoder().decode(await ctx.loadCheckpoint())) as TrainingCheckpoint;
}

/**
 * Trains a `neuro_fuzzy` strategy's network: bars from the backend (or this worker's
 * cache), the engine's features and ZigZag labels, a time-ordered split, then epochs of
 * batches with progress per batch, a metric row and a checkpoint per epoch, cancellation
 * within one batch, and the model stored in the backend's model store at the end. A job
 * that carries a checkpoint continues from its epoch.
 */
const trainingHandler: JobHandler<TrainingJob> = async (job, ctx) => {
  const { symbol, timeframe } = job.data;
  if (!loaded) throw new Error('no TensorFlow.js backend is loaded on this worker');
  const backendName = loaded.name;
  cache ??= new SeriesCache(join(ctx.cacheDir, 'series'));
  ctx.reportProgress({
    current_step: `loading ${symbol} ${timeframe}`,
    items_processed: 0,
    items_total: 0,
  });
  const { bars } = await cache.get(job.data, ctx.backend, ctx.signal);
  ctx.cancel.throwIfCancelled();

  const strategy = parseNeuroFuzzy(job.strategy.config);
  const spec = featureSpec(strategy);
  const specHash = featureSpecHash(spec);
  ctx.reportProgress({
    current_step: 'computing features and labels',
    items_processed: 0,
    items_total: 0,
  });
  const split = strategy.training.split ?? DEFAULT_SPLIT;
  const dataset = buildDataset(spec, strategy, bars);
  const problem = splitProblem(dataset.rows, split);
  if (problem) throw new Error(problem);
  const data = splitByTime(dataset, split);
  const classWeights: [number, number, number] =
    strategy.training.class_weights === 'none' ? [1, 1, 1] : balancedClassWeights(data.train.y);
  const settings = {
    epochs: job.epochs,
    batchSize: strategy.training.batch_size ?? 32,
    seed: job.seed,
    classWeights,
  };

  const resumeFrom = job.checkpoint_ref ? await loadCheckpoint(ctx) : undefined;
  const resumedFrom = resumeFrom?.epoch;
  let last: EpochMetrics | undefined = resumeFrom?.history.at(-1);
  let trainedHere = 0;
  let trainingMs = 0;
  const started = performance.now();
  const outcome = await trainModel(strategy, data, settings, {
    ...(resumeFrom ? { resumeFrom } : {}),
    onBatch: ({ epoch, epochs, batch, batches }) => {
      ctx.cancel.throwIfCancelled();
      const elapsed = (performance.now() - started) / 1000;
      const done =
        (epoch - 1 - (resumedFrom ?? 0)) * data.train.rows +
        Math.min(batch * settings.batchSize, data.train.rows);
      ctx.reportProgress({
        current_step: `Epoch ${epoch}/${epochs} · batch ${batch}/${batches}`,
        items_processed: (epoch - 1) * batches + batch,
        items_total: epochs * batches,
        steps_completed: epoch - 1,
        steps_total: epochs,
        context: {
          epoch,
          epochs,
          batch,
          batches,
          loss: round(last?.loss, 5),
          accuracy: round(last?.accuracy, 4),
          val_loss: round(last?.val_loss, 5),
          val_accuracy: round(last?.val_accuracy, 4),
          samples_per_second: elapsed > 0 ? Math.round(done / elapsed) : null,
          training_backend: backendName,
          ...(resumedFrom !== undefined ? { resumed_from_epoch: resumedFrom } : {}),
        },
      });
    },
    onEpoch: (metrics) => {
      last = metrics;
      trainedHere++;
      trainingMs += metrics.duration_ms;
      ctx.reportMetrics([{ ...metrics, attempt: job.attempt }]);
    },
    onCheckpoint: (checkpoint) => {
      const bytes = new TextEncoder().encode(JSON.stringify(checkpoint));
      ctx.checkpoint(bytes, `epoch${checkpoint.epoch}`);
    },
  });

  try {
    ctx.reportProgress({
      current_step: 'storing the model',
      items_processed: 1,
      items_total: 1,
    });
    const history = outcome.history;
    const final = history.at(-1);
    const best = history.find((m) => m.epoch === outcome.bestEpoch);
    const counts = classCounts(data.train.y);
    // kept with the model: a backtest of it defaults to the test part and names the
    // segments of its range the model learnt from
    const periods = splitPeriods(data, bars.time);
    const isoPeriod = (p: { start: number; end: number } | null) =>
      p ? { start: new Date(p.start).toISOString(), end: new Date(p.end).toISOString() } : null;
    const splitDates = {
      train: isoPeriod(periods.train) as { start: string; end: string },
      validation: isoPeriod(periods.validation),
      test: isoPeriod(periods.test),
    };
    const result: TrainingResult = {
      model_id: job.model_id,
      training_metrics: {
        epochs_trained: outcome.epochsTrained,
        best_epoch: outcome.bestEpoch,
        stopped_early: outcome.stoppedEarly,
        final_loss: round(final?.loss),
        final_accuracy: round(final?.accuracy),
        final_val_loss: round(final?.val_loss),
        final_val_accuracy: round(final?.val_accuracy),
        best_val_loss: round(best?.val_loss),
        best_val_accuracy: round(best?.val_accuracy),
        samples_per_second:
          trainingMs > 0 ? Math.round((trainedHere * data.train.rows) / (trainingMs / 1000)) : null,
      },
      test_metrics: outcome.test
        ? {
            loss: round(outcome.test.loss),
            accuracy: round(outcome.test.accuracy),
            rows: outcome.test.rows,
            confusion: outcome.test.confusion,
            per_class: outcome.test.per_class,
            majority_baseline: {
              label: outcome.test.majority_baseline.label,
              accuracy: round(outcome.test.majority_baseline.accuracy),
            },
          }
        : null,
      model_info: {
        inputs: data.train.cols,
        hidden_layers: strategy.model.hidden_layers,
        parameters: outcome.model.countParams(),
        feature_spec_hash: specHash,
        training_backend: backendName,
      },
      data_summary: {
        symbol,
        timeframe,
        start: job.data.start,
        end: job.data.end,
        bars: bars.time.length,
        rows: { train: data.train.rows, validation: data.validation.rows, test: data.test.rows },
        class_counts: counts,
        class_weights: classWeights.map((w) => round(w) ?? 0),
        split: splitDates,
      },
    };
    const doc = await serializeModel(outcome.model, {
      model_id: job.model_id,
      feature_spec: spec,
      feature_spec_hash: specHash,
      metadata: {
        strategy_name: job.strategy.name,
        strategy_hash: job.strategy.hash,
        symbol,
        timeframe,
        start: job.data.start,
        end: job.data.end,
        seed: job.seed,
        training_backend: backendName,
        operation_id: job.task_id,
        split: splitDates,
        metrics: {
          test_accuracy: result.test_metrics?.accuracy ?? null,
          test_loss: result.test_metrics?.loss ?? null,
          majority_baseline: result.test_metrics?.majority_baseline ?? null,
          best_val_loss: result.training_metrics.best_val_loss,
          best_val_accuracy: result.training_metrics.best_val_accuracy,
          epochs_trained: outcome.epochsTrained,
          best_epoch: outcome.bestEpoch,
        },
        training: result,
        history: history,
      },
    });
    ctx.cancel.throwIfCancelled();
    // a backend restarting right now must not cost the whole training run
    await untilReachable(
      () =>
        ctx.backend.putModel(
          job.model_id,
          { worker_id: ctx.workerId, operation_id: job.task_id, attempt: job.attempt },
          doc as unknown as ModelDocumentWire,
          { signal: ctx.signal },
        ),
      ctx.signal,
    );
    const path = await ctx.resultPath('.json');
    await writeFile(path, JSON.stringify(result));
    return {
      artifacts: [{ name: 'result.json', path }],
      summary: {
        model_id: job.model_id,
        epochs_trained: outcome.epochsTrained,
        best_epoch: outcome.bestEpoch,
        stopped_early: outcome.stoppedEarly,
        test_accuracy: result.test_metrics?.accuracy ?? null,
        ...(result.test_metrics?.majority_baseline
          ? {
              baseline_accuracy: result.test_metrics.majority_baseline.accuracy,
              baseline_label: result.test_metrics.majority_baseline.label,
            }
          : {}),
        best_val_loss: result.training_metrics.best_val_loss,
        training_backend: backendName,
        ...(resumedFrom !== undefined ? { resumed_from_epoch: resumedFrom } : {}),
      },
    };
  } finally {
    outcome.model.dispose();
  }
};

export default trainingHandler;
