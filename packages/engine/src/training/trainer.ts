import * as tf from '@tensorflow/tfjs';
import type { NeuroFuzzyStrategyConfig } from '@ktrdr/shared';
import { seededRandom } from '../data/random-walk.js';
import { LABELS } from '../features/zigzag.js';
import {
  majorityBaseline,
  perClassFigures,
  type ClassFigures,
  type MajorityBaseline,
} from './class-report.js';
import type { Dataset, SplitDataset } from './dataset.js';
import { buildModel, buildOptimizer, weightedCrossEntropy } from './model.js';
import { deserializeTensor, serializeTensor, type SerializedTensor } from './tensors.js';

/** One epoch's figures, as the metrics route serves them. */
export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss: number | null;
  val_accuracy: number | null;
  learning_rate: number;
  duration_ms: number;
}

/** Everything needed to continue training after `epoch` completed epochs. */
export interface TrainingCheckpoint {
  version: 1;
  epoch: number;
  weights: SerializedTensor[];
  optimizer: SerializedTensor[];
  best: { epoch: number; value: number; weights: SerializedTensor[] } | null;
  waited: number;
  history: EpochMetrics[];
}

/** How a model scored on held-out rows. */
export interface EvaluationMetrics {
  loss: number;
  accuracy: number;
  rows: number;
  /** confusion[actual][predicted], in BUY, HOLD, SELL order. */
  confusion: number[][];
  per_class: Record<string, ClassFigures>;
  majority_baseline: MajorityBaseline;
}

/** What training leaves. */
export interface TrainingOutcome {
  /** The network with the best epoch's weights. */
  model: tf.LayersModel;
  history: EpochMetrics[];
  bestEpoch: number;
  epochsTrained: number;
  stoppedEarly: boolean;
  test: EvaluationMetrics | null;
}

/** Hooks into training. Throwing from `onBatch` (e.g. a `CancelledError`) stops it within one batch. */
export interface TrainingHooks {
  onBatch?: (progress: { epoch: number; epochs: number; batch: number; batches: number }) => void;
  onEpoch?: (metrics: EpochMetrics) => void;
  onCheckpoint?: (checkpoint: TrainingCheckpoint) => void;
  resumeFrom?: TrainingCheckpoint;
}

/** Settings resolved from the strategy (and the request's overrides). */
export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  classWeights: [number, number, number];
}

function oneHot(y: Int8Array): tf.Tensor2D {
  return tf.tidy(
    () => tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), LABELS.length) as tf.Tensor2D,
  );
}

function permutation(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

function gather(
  ds: Dataset,
  order: Int32Array,
  from: number,
  to: number,
): { x: Float32Array; y: Int8Array } {
  const x = new Float32Array((to - from) * ds.cols);
  const y = new Int8Array(to - from);
  for (let r = from; r < to; r++) {
    const row = order[r] as number;
    x.set(ds.x.subarray(row * ds.cols, (row + 1) * ds.cols), (r - from) * ds.cols);
    y[r - from] = ds.y[row] as number;
  }
  return { x, y };
}

/** Loss, accuracy and a confusion matrix of `model` on `ds`. */
export function evaluate(
  model: tf.LayersModel,
  ds: Dataset,
  loss: (a: tf.Tensor, b: tf.Tensor) => tf.Scalar,
): EvaluationMetrics {
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  if (ds.rows === 0)
    return {
      loss: Number.NaN,
      accuracy: Number.NaN,
      rows: 0,
      confusion,
      per_class: {},
      majority_baseline: majorityBaseline(confusion),
    };
  const { lossValue, predicted } = tf.tidy(() => {
    const x = tf.tensor2d(ds.x, [ds.rows, ds.cols]);
    const probabilities = model.predict(x) as tf.Tensor2D;
    return {
      lossValue: loss(oneHot(ds.y), probabilities).dataSync()[0] as number,
      predicted: tf.argMax(probabilities, 1).dataSync() as Int32Array,
    };
  });
  let correct = 0;
  for (let i = 0; i < ds.rows; i++) {
    const actual = ds.y[i] as number;
    const guess = predicted[i] as number;
    (confusion[actual] as number[])[guess] = ((confusion[actual] as number[])[guess] as number) + 1;
    if (actual === guess) correct++;
  }
  return {
    loss: lossValue,
    accuracy: correct / ds.rows,
    rows: ds.rows,
    confusion,
    per_class: perClassFigures(confusion),
    majority_baseline: majorityBaseline(confusion),
  };
}

/**
 * Trains the strategy's MLP on time-ordered splits: each epoch visits the training rows
 * in a seeded order (derived from the seed and the epoch, so a resumed run repeats it),
 * reports every batch and every epoch, checkpoints after every epoch (weights, optimizer
 * state, best so far), stops early when the monitored validation figure has not improved
 * for `patience` epochs, and returns the network with its best epoch's weights.
 */
export async function trainModel(
  strategy: NeuroFuzzyStrategyConfig,
  data: SplitDataset,
  settings: TrainingSettings,
  hooks: TrainingHooks = {},
): Promise<TrainingOutcome> {
  const spec = strategy.training;
  const model = buildModel(data.train.cols, strategy.model, settings.seed);
  const { optimizer, learningRate } = buildOptimizer(spec);
  const loss = weightedCrossEntropy(settings.classWeights);
  model.compile({ optimizer, loss, metrics: ['accuracy'] });

  const monitor = spec.early_stopping?.monitor ?? 'val_loss';
  const minDelta = spec.early_stopping?.min_delta ?? 0;
  const patience = spec.early_stopping?.patience;
  let history: EpochMetrics[] = [];
  let best: TrainingCheckpoint['best'] = null;
  let waited = 0;
  let startEpoch = 0;

  const resume = hooks.resumeFrom;
  if (resume) {
    model.setWeights(resume.weights.map(deserializeTensor));
    // the optimizer's slots exist only after a step: take one on nothing, then overwrite them
    if (resume.optimizer.length > 0) {
      const probe = gather(data.train, Int32Array.from([0]), 0, 1);
      await model.trainOnBatch(tf.tensor2d(probe.x, [1, data.train.cols]), oneHot(probe.y));
      model.setWeights(resume.weights.map(deserializeTensor));
      await optimizer.setWeights(
        resume.optimizer.map((s) => ({ name: s.name, tensor: deserializeTensor(s) })),
      );
    }
    history = [...resume.history];
    best = resume.best;
    waited = resume.waited;
    startEpoch = resume.epoch;
  }

  const batches = Math.ceil(data.train.rows / settings.batchSize);
  let stoppedEarly = false;
  const yValidation = data.validation.rows > 0 ? oneHot(data.validation.y) : null;
  const xValidation =
    data.validation.rows > 0
      ? tf.tensor2d(data.validation.x, [data.validation.rows, data.validation.cols])
      : null;
  for (let epoch = startEpoch + 1; epoch <= settings.epochs; epoch++) {
    const started = performance.now();
    const order = permutation(data.train.rows, settings.seed * 1009 + epoch);
    let lossSum = 0;
    let accuracySum = 0;
    for (let b = 0; b < batches; b++) {
      const from = b * settings.batchSize;
      const to = Math.min(data.train.rows, from + settings.batchSize);
      const batch = gather(data.train, order, from, to);
      const x = tf.tensor2d(batch.x, [to - from, data.train.cols]);
      const y = oneHot(batch.y);
      const [batchLoss, batchAccuracy] = (await model.trainOnBatch(x, y)) as number[];
      x.dispose();
      y.dispose();
      lossSum += (batchLoss as number) * (to - from);
      accuracySum += (batchAccuracy as number) * (to - from);
      hooks.onBatch?.({ epoch, epochs: settings.epochs, batch: b + 1, batches });
    }
    let valLoss: number | null = null;
    let valAccuracy: number | null = null;
    if (xValidation && yValidation) {
      const [l, a] = model.evaluate(xValidation, yValidation, { batchSize: 1024 }) as tf.Scalar[];
      valLoss = (await (l as tf.Scalar).data())[0] as number;
      valAccuracy = (await (a as tf.Scalar).data())[0] as number;
      l?.dispose();
      a?.dispose();
    }
    const metrics: EpochMetrics = {
      epoch,
      loss: lossSum / data.train.rows,
      accuracy: accuracySum / data.train.rows,
      val_loss: valLoss,
      val_accuracy: valAccuracy,
      learning_rate: learningRate,
      duration_ms: Math.round(performance.now() - started),
    };
    history.push(metrics);
    hooks.onEpoch?.(metrics);

    const value =
      monitor === 'val_accuracy' ? (valAccuracy ?? metrics.accuracy) : (valLoss ?? metrics.loss);
    const improved =
      !best ||
      (monitor === 'val_accuracy' ? value > best.value + minDelta : value < best.value - minDelta);
    if (improved) {
      best = {
        epoch,
        value,
        weights: model.getWeights().map((w, i) => serializeTensor(`w${i}`, w)),
      };
      waited = 0;
    } else {
      waited++;
    }
    const done = epoch === settings.epochs || (patience !== undefined && waited >= patience);
    if (hooks.onCheckpoint && !done) {
      hooks.onCheckpoint({
        version: 1,
        epoch,
        weights: model.getWeights().map((w, i) => serializeTensor(`w${i}`, w)),
        optimizer: (await optimizer.getWeights()).map((w) => serializeTensor(w.name, w.tensor)),
        best,
        waited,
        history: [...history],
      });
    }
    if (patience !== undefined && waited >= patience && epoch < settings.epochs) {
      stoppedEarly = true;
      break;
    }
  }
  xValidation?.dispose();
  yValidation?.dispose();
  if (best) model.setWeights(best.weights.map(deserializeTensor));
  const test = data.test.rows > 0 ? evaluate(model, data.test, loss) : null;
  return {
    model,
    history,
    bestEpoch: best?.epoch ?? history.length,
    epochsTrained: history.length,
    stoppedEarly,
    test,
  };
}
