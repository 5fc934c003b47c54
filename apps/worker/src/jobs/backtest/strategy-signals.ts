import { join } from 'node:path';
import { computeSignals, type SignalSet, type SplitBoundaries } from '@ktrdr/engine/backtest';
import type { Bars } from '@ktrdr/engine/data';
import { featureSpec, featureSpecHash } from '@ktrdr/engine/features';
import type { IndicatorCache } from '@ktrdr/engine/indicators';
import type { ModelSplit, StrategyConfig } from '@ktrdr/shared';
import { ModelCache } from '../../data/model-cache.js';
import type { JobContext } from '../../runtime/job-definition.js';
import {
  loadTrainingBackend,
  type LoadedBackend,
  type TrainingBackendPreference,
} from '../../training/backend-loader.js';

let models: ModelCache | undefined;
let tfBackend: Promise<LoadedBackend> | undefined;

/**
 * The entry and exit flags of a strategy: its rule conditions, or its trained model's
 * decisions (the model downloaded once, run on the same features as in training).
 */
export async function strategySignals(
  strategy: StrategyConfig,
  modelId: string | null | undefined,
  bars: Bars,
  ctx: JobContext,
  indicators?: IndicatorCache,
): Promise<SignalSet> {
  if (strategy.type === 'rules') return computeSignals(strategy, bars, indicators);
  if (!modelId)
    throw new Error(`"${strategy.name}" is a neuro_fuzzy strategy and needs a model_id`);
  ctx.reportProgress({
    current_step: `loading model ${modelId}`,
    items_processed: 0,
    items_total: bars.time.length,
  });
  models ??= new ModelCache(join(ctx.cacheDir, 'models'));
  const { doc } = await models.get(modelId, ctx.backend, ctx.signal);
  const spec = featureSpec(strategy);
  if (featureSpecHash(spec) !== doc.feature_spec_hash) {
    throw new Error(
      `model ${modelId} was trained on other inputs than "${strategy.name}" asks for (feature spec ${doc.feature_spec_hash}, strategy ${featureSpecHash(spec)})`,
    );
  }
  // TensorFlow.js is loaded only by backtests that run a model
  tfBackend ??= loadTrainingBackend(ctx.settings.trainingBackend as TrainingBackendPreference);
  await tfBackend;
  const { loadModel, predictProbabilities, neuroFuzzySignals } =
    await import('@ktrdr/engine/training');
  const model = await loadModel(doc);
  try {
    ctx.cancel.throwIfCancelled();
    ctx.reportProgress({
      current_step: `running model ${modelId} over ${bars.time.length} bars`,
      items_processed: 0,
      items_total: bars.time.length,
    });
    const probabilities = predictProbabilities(model, spec, bars);
    return neuroFuzzySignals(strategy, spec, probabilities, bars.time.length);
  } finally {
    model.dispose();
  }
}

/**
 * The dates of a model's data split, as epoch ms (the model is cached by then), or null for
 * a model trained before they were kept.
 */
export async function modelSplitOf(
  modelId: string,
  ctx: JobContext,
): Promise<SplitBoundaries | null> {
  models ??= new ModelCache(join(ctx.cacheDir, 'models'));
  const { doc } = await models.get(modelId, ctx.backend, ctx.signal);
  const split = doc.metadata.split as ModelSplit | undefined;
  if (!split?.train) return null;
  const ms = (p: { start: string; end: string } | null) =>
    p ? { start: Date.parse(p.start), end: Date.parse(p.end) } : null;
  return {
    train: ms(split.train) as { start: number; end: number },
    validation: ms(split.validation),
    test: ms(split.test),
  };
}
