// Pure arithmetic over a confusion matrix (no TensorFlow.js), so it is checked by hand in tests.
import { LABELS } from '../features/zigzag.js';

/** Precision, recall and support of one class. */
export interface ClassFigures {
  precision: number;
  recall: number;
  support: number;
}

/**
 * Per class (BUY, HOLD, SELL) of `confusion[actual][predicted]`: precision = correct
 * predictions of the class over all predictions of it (0 when it was never predicted),
 * recall = correct over its rows (0 when it has none), support = its rows.
 */
export function perClassFigures(
  confusion: readonly (readonly number[])[],
): Record<string, ClassFigures> {
  return Object.fromEntries(
    LABELS.map((label, c) => {
      const tp = confusion[c]?.[c] ?? 0;
      const predicted = confusion.reduce((sum, row) => sum + (row[c] ?? 0), 0);
      const support = (confusion[c] ?? []).reduce((a, b) => a + b, 0);
      return [
        label,
        {
          precision: predicted > 0 ? tp / predicted : 0,
          recall: support > 0 ? tp / support : 0,
          support,
        },
      ];
    }),
  );
}

/** What always answering one class scores. */
export interface MajorityBaseline {
  /** The most frequent actual class (a tie goes to the first in BUY, HOLD, SELL order). */
  label: string;
  /** Its rows over all rows: the accuracy of always predicting it; null with no rows. */
  accuracy: number | null;
}

/**
 * The majority-class baseline of `confusion[actual][predicted]`: a model that always
 * answers the most frequent actual class is right on exactly that class's rows. A model's
 * accuracy means something only above it.
 */
export function majorityBaseline(confusion: readonly (readonly number[])[]): MajorityBaseline {
  const supports = LABELS.map((_, c) => (confusion[c] ?? []).reduce((a, b) => a + b, 0));
  const rows = supports.reduce((a, b) => a + b, 0);
  let best = 0;
  for (let c = 1; c < supports.length; c++)
    if ((supports[c] as number) > (supports[best] as number)) best = c;
  return {
    label: LABELS[best] as string,
    accuracy: rows > 0 ? (supports[best] as number) / rows : null,
  };
}
