import * as tf from '@tensorflow/tfjs';
import type { NeuroFuzzyStrategyConfig } from '@ktrdr/shared';
import { LABELS } from '../features/zigzag.js';

// production mode: no debug checks, and no "install tfjs-node" banner on first use (the
// worker picks the fastest backend that loads and logs which)
tf.env().set('PROD', true);

type ModelSpec = NeuroFuzzyStrategyConfig['model'];
type TrainingSpec = NeuroFuzzyStrategyConfig['training'];

/**
 * The strategy's MLP in TensorFlow.js layers: dense hidden layers (with dropout after
 * each when set) and a softmax over BUY/HOLD/SELL. Every initializer and dropout is
 * seeded, so the same seed on the same backend trains the same network.
 */
export function buildModel(inputs: number, spec: ModelSpec, seed: number): tf.LayersModel {
  const model = tf.sequential();
  spec.hidden_layers.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        ...(i === 0 ? { inputShape: [inputs] } : {}),
        units,
        activation: spec.activation ?? 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i * 7 + 1 }),
        biasInitializer: 'zeros',
      }),
    );
    // seeded dropout repeats its mask for a given batch shape (TF.js layers), which keeps runs and resumes identical
    if (spec.dropout && spec.dropout > 0)
      model.add(tf.layers.dropout({ rate: spec.dropout, seed: seed + i * 7 + 3 }));
  });
  model.add(
    tf.layers.dense({
      units: LABELS.length,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 101 }),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}

/** The optimizer the strategy names, at its learning rate. */
export function buildOptimizer(spec: TrainingSpec): {
  optimizer: tf.Optimizer;
  learningRate: number;
} {
  const learningRate = spec.learning_rate ?? 0.001;
  switch (spec.optimizer ?? 'adam') {
    case 'sgd':
      return { optimizer: tf.train.sgd(learningRate), learningRate };
    case 'rmsprop':
      return { optimizer: tf.train.rmsprop(learningRate), learningRate };
    default:
      return { optimizer: tf.train.adam(learningRate), learningRate };
  }
}

/** Categorical cross-entropy with a weight per class (for imbalanced labels). */
export function weightedCrossEntropy(weights: readonly number[]) {
  const w = tf.tensor1d([...weights]);
  return (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar =>
    tf.tidy(() => {
      const clipped = tf.clipByValue(yPred, 1e-7, 1 - 1e-7);
      const perRow = tf.neg(tf.sum(tf.mul(yTrue, tf.log(clipped)), -1));
      const rowWeight = tf.sum(tf.mul(yTrue, w), -1);
      return tf.mean<tf.Scalar>(tf.mul(perRow, rowWeight));
    });
}
