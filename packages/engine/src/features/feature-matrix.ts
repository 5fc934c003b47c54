import type { Bars } from '../data/bars.js';
import { computeOperands } from '../backtest/signals.js';
import { membershipSeries } from './fuzzy.js';
import type { FeatureSpec } from './feature-spec.js';

/** The network's inputs for every bar: row i uses bars up to i only (no look-ahead). */
export interface FeatureMatrix {
  /** Row-major, `rows × cols`, float32 (what the network takes). */
  values: Float32Array;
  rows: number;
  cols: number;
  /** 1 where every input of the row is defined. */
  valid: Uint8Array;
}

/**
 * Indicator values → fuzzy memberships → a window of `lookback` bars of memberships per
 * row. The one implementation of the inputs, used by training and by backtests.
 */
export function buildFeatures(spec: FeatureSpec, bars: Bars): FeatureMatrix {
  const n = bars.time.length;
  const operands = computeOperands(spec.indicators, bars);
  const columns = spec.sets.map(({ input, membership }) => {
    const series = operands.get(input);
    if (!series)
      throw new Error(`feature input "${input}" is not an indicator output or price field`);
    return membershipSeries(membership, series);
  });
  const width = columns.length;
  const cols = width * spec.lookback;
  const values = new Float32Array(n * cols);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (i < spec.lookback - 1) continue;
    let ok = 1;
    for (let lag = 0; lag < spec.lookback; lag++) {
      for (let c = 0; c < width; c++) {
        const v = (columns[c] as Float64Array)[i - lag] as number;
        if (Number.isNaN(v)) ok = 0;
        values[i * cols + lag * width + c] = v;
      }
    }
    valid[i] = ok;
  }
  return { values, rows: n, cols, valid };
}
