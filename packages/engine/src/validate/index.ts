/**
 * The engine's pure checks, for the backend: is a request runnable (strategy valid,
 * enough bars) — decided without running anything. The backend may import this entry
 * point and `data`, never the backtest code.
 */
import type {
  FieldIssue,
  IndicatorSpec,
  NeuroFuzzyStrategyConfig,
  StrategyConfig,
} from '@ktrdr/shared';
import { featureSpec, featureWarmup } from '../features/feature-spec.js';
import { INDICATORS } from '../indicators/registry.js';
import { DEFAULT_SPLIT, splitProblem } from '../training/split.js';

export { setIssues, sweptIndicators, withOverrides } from './set-overrides.js';
export {
  featureSpec,
  featureSpecHash,
  featureWarmup,
  type FeatureSpec,
} from '../features/feature-spec.js';

export {
  applyOverrides,
  canonicalJson,
  operandNames,
  parseStrategyConfig,
  strategyHash,
  strategyIssues,
  StrategyValidationError,
} from '../strategies/config.js';

/** The longest warm-up of a strategy's indicators, in bars. */
export function strategyWarmup(strategy: StrategyConfig): number {
  return Object.values(strategy.indicators).reduce(
    (max, spec) => Math.max(max, INDICATORS[spec.type].warmup(spec)),
    0,
  );
}

function describeIndicator(spec: IndicatorSpec): string {
  const params = Object.entries(spec)
    .filter(([key]) => key !== 'type' && key !== 'source')
    .map(([key, value]) => `${key} ${String(value)}`);
  return [spec.type, ...params].join(', ');
}

/** Why a strategy cannot run on a series of `barCount` bars in the range, or an empty list. */
export function feasibilityIssues(strategy: StrategyConfig, barCount: number): FieldIssue[] {
  if (barCount === 0) {
    return [
      {
        path: 'start_date',
        message: 'the date range holds no bars; widen it or pick another series',
      },
    ];
  }
  const warmup = strategyWarmup(strategy);
  if (barCount <= warmup + 1) {
    const slowest = Object.entries(strategy.indicators).sort(
      ([, a], [, b]) => INDICATORS[b.type].warmup(b) - INDICATORS[a.type].warmup(a),
    )[0];
    const what = slowest
      ? `indicator "${slowest[0]}" (${describeIndicator(slowest[1])}) needs ${warmup} bars`
      : `the strategy needs ${warmup} bars`;
    return [
      {
        path: 'start_date',
        message: `the range holds ${barCount} bars but ${what} to warm up and at least 2 more to trade; widen the range or shorten the period`,
      },
    ];
  }
  return [];
}

/** Why a `neuro_fuzzy` strategy cannot be trained on `barCount` bars, or an empty list. */
export function trainingIssues(strategy: NeuroFuzzyStrategyConfig, barCount: number): FieldIssue[] {
  const basic = feasibilityIssues(strategy, barCount);
  if (basic.length > 0) return basic;
  // the first complete input row waits for the indicators and the lookback; the last
  // `lookahead` bars cannot be labelled (ZigZag looks ahead by design)
  const warmup = featureWarmup(featureSpec(strategy));
  const rows = Math.max(0, barCount - warmup - strategy.training.labels.lookahead);
  if (rows === 0) {
    return [
      {
        path: 'start_date',
        message: `the range holds ${barCount} bars, but the inputs need ${warmup} to warm up and the labels look ${strategy.training.labels.lookahead} bars ahead; widen the range`,
      },
    ];
  }
  const problem = splitProblem(rows, strategy.training.split ?? DEFAULT_SPLIT);
  return problem ? [{ path: 'start_date', message: problem }] : [];
}
