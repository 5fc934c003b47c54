import type { NeuroFuzzyStrategyConfig } from '@ktrdr/shared';
import { createHash } from 'node:crypto';
import type { Bars } from '../data/bars.js';
import { computeOperands } from '../backtest/signals.js';
import { INDICATORS } from '../indicators/registry.js';
import { membershipSeries, type Membership } from './fuzzy.js';

/** What a network's inputs are, exactly: stored with a model and checked against a strategy. */
export interface FeatureSpec {
  /** One column per fuzzy set, in this order, repeated for each lookback step. */
  sets: { input: string; set: string; membership: Membership }[];
  /** Steps of history per row (1 = only the bar itself). */
  lookback: number;
  /** The indicators the inputs are computed from. */
  indicators: NeuroFuzzyStrategyConfig['indicators'];
  /** Column names, e.g. `rsi.oversold[t-1]`. */
  columns: string[];
}

/** The feature spec of a strategy. */
export function featureSpec(strategy: NeuroFuzzyStrategyConfig): FeatureSpec {
  const sets = Object.entries(strategy.fuzzy_sets).flatMap(([input, memberships]) =>
    Object.entries(memberships).map(([set, m]) => ({
      input,
      set,
      membership: { type: m.type, parameters: m.parameters },
    })),
  );
  const lookback = strategy.model.lookback ?? 1;
  const columns: string[] = [];
  for (let lag = 0; lag < lookback; lag++)
    for (const s of sets) columns.push(`${s.input}.${s.set}[t${lag === 0 ? '' : `-${lag}`}]`);
  return { sets, lookback, indicators: strategy.indicators, columns };
}

/** A short hash of a feature spec: two specs with the same hash compute the same inputs. */
export function featureSpecHash(spec: FeatureSpec): string {
  const canonical = JSON.stringify({
    sets: spec.sets,
    lookback: spec.lookback,
    // only the indicators the inputs read matter
    indicators: Object.fromEntries(
      Object.entries(spec.indicators)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, Object.fromEntries(Object.entries(v).sort())]),
    ),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Bars before the first row with every input defined. */
export function featureWarmup(spec: FeatureSpec): number {
  const indicatorWarmup = Object.values(spec.indicators).reduce(
    (max, s) => Math.max(max, INDICATORS[s.type].warmup(s)),
    0,
  );
  return indicatorWarmup + spec.lookback - 1;
}

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
