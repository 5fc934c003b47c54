import { createHash } from 'node:crypto';
import type { NeuroFuzzyStrategyConfig } from '@ktrdr/shared';
import { INDICATORS } from '../indicators/registry.js';
import type { Membership } from './fuzzy.js';

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
