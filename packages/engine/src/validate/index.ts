/**
 * The engine's pure checks, for the backend: is a request runnable (strategy valid,
 * enough bars) — decided without running anything. The backend may import this entry
 * point and `data`, never the backtest code.
 */
import type { FieldIssue, StrategyConfig } from '@ktrdr/shared';
import { warmupBars } from '../indicators/compute.js';

export {
  applyOverrides,
  canonicalJson,
  parseStrategyConfig,
  strategyHash,
  strategyIssues,
  StrategyValidationError,
} from '../strategies/config.js';

/** The longest warm-up of a strategy's indicators, in bars. */
export function strategyWarmup(strategy: StrategyConfig): number {
  return Object.values(strategy.indicators).reduce(
    (max, spec) => Math.max(max, warmupBars(spec)),
    0,
  );
}

/** Why a strategy cannot run on a series of `barCount` bars, or an empty list. */
export function feasibilityIssues(strategy: StrategyConfig, barCount: number): FieldIssue[] {
  const warmup = strategyWarmup(strategy);
  if (barCount === 0) {
    return [
      {
        path: 'start_date',
        message: 'the date range holds no bars; widen it or pick another series',
      },
    ];
  }
  if (barCount <= warmup + 1) {
    const slowest = Object.entries(strategy.indicators).sort(
      ([, a], [, b]) => warmupBars(b) - warmupBars(a),
    )[0];
    const what = slowest
      ? `indicator "${slowest[0]}" (${slowest[1].type} ${slowest[1].period})`
      : 'the strategy';
    return [
      {
        path: 'start_date',
        message: `the range holds ${barCount} bars but ${what} needs ${warmup} to warm up and at least 2 more to trade; widen the range or shorten the period`,
      },
    ];
  }
  return [];
}
