import * as tf from '@tensorflow/tfjs';
import type { NeuroFuzzyStrategyConfig } from '@ktrdr/shared';
import type { SignalSet } from '../backtest/signals.js';
import type { Bars } from '../data/bars.js';
import { buildFeatures } from '../features/feature-matrix.js';
import { featureWarmup, type FeatureSpec } from '../features/feature-spec.js';
import { BUY, SELL } from '../features/zigzag.js';

/** The network's class probabilities for every bar with complete inputs (row-major, 3 per bar; NaN elsewhere). */
export function predictProbabilities(
  model: tf.LayersModel,
  spec: FeatureSpec,
  bars: Bars,
  chunk = 8192,
): Float32Array {
  const features = buildFeatures(spec, bars);
  const rows: number[] = [];
  for (let i = 0; i < features.rows; i++) if (features.valid[i]) rows.push(i);
  const out = new Float32Array(bars.time.length * 3).fill(Number.NaN);
  for (let from = 0; from < rows.length; from += chunk) {
    const part = rows.slice(from, from + chunk);
    const x = new Float32Array(part.length * features.cols);
    part.forEach((bar, r) =>
      x.set(
        features.values.subarray(bar * features.cols, (bar + 1) * features.cols),
        r * features.cols,
      ),
    );
    const probabilities = tf.tidy(
      () =>
        (
          model.predict(tf.tensor2d(x, [part.length, features.cols])) as tf.Tensor
        ).dataSync() as Float32Array,
    );
    part.forEach((bar, r) => out.set(probabilities.subarray(r * 3, r * 3 + 3), bar * 3));
  }
  return out;
}

/**
 * Decisions of a `neuro_fuzzy` strategy as entry/exit flags: at each bar's close the most
 * probable class acts when its probability reaches the confidence threshold — BUY enters
 * long (and covers a short), SELL exits a long (and enters short when allowed). Inputs
 * use bars up to that close only, exactly as in training.
 */
export function neuroFuzzySignals(
  strategy: NeuroFuzzyStrategyConfig,
  spec: FeatureSpec,
  probabilities: Float32Array,
  barCount: number,
): SignalSet {
  const entryLong = new Uint8Array(barCount);
  const exitLong = new Uint8Array(barCount);
  const entryShort = new Uint8Array(barCount);
  const exitShort = new Uint8Array(barCount);
  const threshold = strategy.decisions.confidence_threshold;
  const allowShort = strategy.decisions.allow_short ?? false;
  for (let i = 0; i < barCount; i++) {
    const p = probabilities.subarray(i * 3, i * 3 + 3);
    if (Number.isNaN(p[0])) continue;
    let best = 0;
    for (let c = 1; c < 3; c++) if ((p[c] as number) > (p[best] as number)) best = c;
    if ((p[best] as number) < threshold) continue;
    if (best === BUY) {
      entryLong[i] = 1;
      exitShort[i] = 1;
    } else if (best === SELL) {
      exitLong[i] = 1;
      if (allowShort) entryShort[i] = 1;
    }
  }
  return { entryLong, exitLong, entryShort, exitShort, warmup: featureWarmup(spec) };
}
