/** A confirmed swing extreme. */
export interface Pivot {
  index: number;
  price: number;
  kind: 'high' | 'low';
}

/** Class labels, in the order of the network's outputs. */
export const LABELS = ['BUY', 'HOLD', 'SELL'] as const;
/** BUY = 0, HOLD = 1, SELL = 2. */
export const BUY = 0;
export const HOLD = 1;
export const SELL = 2;

/**
 * ZigZag pivots of a price series: an extreme becomes a pivot once price has moved
 * against it by at least `threshold` (a fraction: 0.04 = 4 %). Pivots alternate high/low.
 * (This is a labelling tool that looks ahead by design — never a feature.)
 */
export function zigzagPivots(close: Float64Array, threshold: number): Pivot[] {
  const pivots: Pivot[] = [];
  const n = close.length;
  if (n === 0) return pivots;
  let trend = 0; // 1 up, -1 down, 0 undecided
  let extremeIndex = 0;
  let extreme = close[0] as number;
  let low = extreme;
  let lowIndex = 0;
  let high = extreme;
  let highIndex = 0;
  for (let i = 1; i < n; i++) {
    const p = close[i] as number;
    if (trend === 0) {
      if (p > high) {
        high = p;
        highIndex = i;
      }
      if (p < low) {
        low = p;
        lowIndex = i;
      }
      if (high >= low * (1 + threshold)) {
        // the first clear move decides the first pivot: the extreme it started from
        trend = highIndex > lowIndex ? 1 : -1;
        pivots.push(
          trend === 1
            ? { index: lowIndex, price: low, kind: 'low' }
            : { index: highIndex, price: high, kind: 'high' },
        );
        extreme = trend === 1 ? high : low;
        extremeIndex = trend === 1 ? highIndex : lowIndex;
      }
      continue;
    }
    if (trend === 1) {
      if (p > extreme) {
        extreme = p;
        extremeIndex = i;
      } else if (p <= extreme * (1 - threshold)) {
        pivots.push({ index: extremeIndex, price: extreme, kind: 'high' });
        trend = -1;
        extreme = p;
        extremeIndex = i;
      }
    } else if (p < extreme) {
      extreme = p;
      extremeIndex = i;
    } else if (p >= extreme * (1 + threshold)) {
      pivots.push({ index: extremeIndex, price: extreme, kind: 'low' });
      trend = 1;
      extreme = p;
      extremeIndex = i;
    }
  }
  return pivots;
}

/**
 * One label per bar from the next ZigZag pivot: BUY when it is a high at least
 * `threshold` above this close within `lookahead` bars, SELL when it is such a low, else
 * HOLD. Bars too close to the end to see `lookahead` bars ahead get -1 (no label).
 */
export function zigzagLabels(close: Float64Array, threshold: number, lookahead: number): Int8Array {
  const n = close.length;
  const labels = new Int8Array(n).fill(HOLD);
  const pivots = zigzagPivots(close, threshold);
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (i + lookahead >= n) {
      labels[i] = -1;
      continue;
    }
    while (next < pivots.length && (pivots[next] as Pivot).index <= i) next++;
    const pivot = pivots[next];
    if (!pivot || pivot.index > i + lookahead) continue;
    const move = pivot.price / (close[i] as number) - 1;
    if (pivot.kind === 'high' && move >= threshold) labels[i] = BUY;
    else if (pivot.kind === 'low' && -move >= threshold) labels[i] = SELL;
  }
  return labels;
}
