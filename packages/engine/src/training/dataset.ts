import type { NeuroFuzzyStrategyConfig } from '@ktrdr/shared';
import type { Bars } from '../data/bars.js';
import { buildFeatures } from '../features/feature-matrix.js';
import type { FeatureSpec } from '../features/feature-spec.js';
import { LABELS, zigzagLabels } from '../features/zigzag.js';
import { DEFAULT_SPLIT, splitSizes } from './split.js';

/** Labelled rows: inputs (row-major float32) and class labels (BUY 0, HOLD 1, SELL 2). */
export interface Dataset {
  x: Float32Array;
  y: Int8Array;
  rows: number;
  cols: number;
  /** The bar each row belongs to. */
  barIndex: Int32Array;
}

/** Train, validation and test rows, in time order: nothing of the future leaks into training. */
export interface SplitDataset {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/** The rows of a series that have every input and a label (ZigZag, which looks ahead by design). */
export function buildDataset(
  spec: FeatureSpec,
  strategy: NeuroFuzzyStrategyConfig,
  bars: Bars,
): Dataset {
  const features = buildFeatures(spec, bars);
  const labels = zigzagLabels(
    bars.close,
    strategy.training.labels.threshold,
    strategy.training.labels.lookahead,
  );
  const rows: number[] = [];
  for (let i = 0; i < features.rows; i++)
    if (features.valid[i] && (labels[i] as number) >= 0) rows.push(i);
  const cols = features.cols;
  const x = new Float32Array(rows.length * cols);
  const y = new Int8Array(rows.length);
  rows.forEach((bar, r) => {
    x.set(features.values.subarray(bar * cols, (bar + 1) * cols), r * cols);
    y[r] = labels[bar] as number;
  });
  return { x, y, rows: rows.length, cols, barIndex: Int32Array.from(rows) };
}

function slice(ds: Dataset, from: number, to: number): Dataset {
  return {
    x: ds.x.slice(from * ds.cols, to * ds.cols),
    y: ds.y.slice(from, to),
    rows: to - from,
    cols: ds.cols,
    barIndex: ds.barIndex.slice(from, to),
  };
}

/** Splits in time order: the first rows train, the next validate, the last test. */
export function splitByTime(ds: Dataset, split = DEFAULT_SPLIT): SplitDataset {
  const sizes = splitSizes(ds.rows, split);
  return {
    train: slice(ds, 0, sizes.train),
    validation: slice(ds, sizes.train, sizes.train + sizes.validation),
    test: slice(ds, sizes.train + sizes.validation, ds.rows),
  };
}

/** Rows per class. */
export function classCounts(y: Int8Array): [number, number, number] {
  const counts: [number, number, number] = [0, 0, 0];
  for (const label of y) counts[label as 0 | 1 | 2]++;
  return counts;
}

/** Balanced class weights (n / (classes × count)); a class with no rows weighs 1. */
export function balancedClassWeights(y: Int8Array): [number, number, number] {
  const counts = classCounts(y);
  const n = y.length;
  return counts.map((c) => (c > 0 ? n / (LABELS.length * c) : 1)) as [number, number, number];
}

/** The first and last bar (epoch ms) of each part of a split; null for an empty part. */
export interface SplitPeriods {
  train: { start: number; end: number };
  validation: { start: number; end: number } | null;
  test: { start: number; end: number } | null;
}

function period(ds: Dataset, time: ArrayLike<number>): { start: number; end: number } | null {
  if (ds.rows === 0) return null;
  return {
    start: time[ds.barIndex[0] as number] as number,
    end: time[ds.barIndex[ds.rows - 1] as number] as number,
  };
}

/**
 * The dates each part of a split covers (its first and last labelled row's bar), kept with
 * the model so a backtest knows which of its bars the model learnt from.
 */
export function splitPeriods(data: SplitDataset, time: ArrayLike<number>): SplitPeriods {
  const train = period(data.train, time);
  if (!train) throw new Error('the split has no training rows');
  return { train, validation: period(data.validation, time), test: period(data.test, time) };
}
