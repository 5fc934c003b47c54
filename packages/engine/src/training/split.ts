// Pure arithmetic (no TensorFlow.js): the backend checks a request with it before any worker runs.

/** The default split when a strategy names none. */
export const DEFAULT_SPLIT = { train: 0.7, validation: 0.15, test: 0.15 };

/** Minimum rows per part, so each metric means something. */
export const MIN_ROWS = { train: 50, validation: 20, test: 20 };

/** Rows per part of a split of `rows`. */
export function splitSizes(
  rows: number,
  split = DEFAULT_SPLIT,
): { train: number; validation: number; test: number } {
  const train = Math.floor(rows * split.train);
  const validation = Math.floor(rows * split.validation);
  return { train, validation, test: rows - train - validation };
}

/** Why `rows` labelled rows are too few for the split, or null. */
export function splitProblem(rows: number, split = DEFAULT_SPLIT): string | null {
  const sizes = splitSizes(rows, split);
  const short = (['train', 'validation', 'test'] as const).filter(
    (part) => split[part] > 0 && sizes[part] < MIN_ROWS[part],
  );
  if (short.length === 0) return null;
  return `the range gives ${rows} labelled rows: ${sizes.train} / ${sizes.validation} / ${sizes.test} for train / validation / test, but each needs at least ${MIN_ROWS.train} / ${MIN_ROWS.validation} / ${MIN_ROWS.test}; widen the range`;
}
