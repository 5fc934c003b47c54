/**
 * The engine's pure checks, for the backend: is a request runnable (strategy valid,
 * enough bars) — decided without running anything. The backend may import this entry
 * point and `data`, never the backtest code.
 */
import type { FieldIssue, IndicatorSpec, StrategyConfig } from '@ktrdr/shared';
import { INDICATORS } from '../indicators/registry.js';

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
