import type { Condition, RulesStrategyConfig } from '@ktrdr/shared';
import type { Bars } from '../data/bars.js';
import type { IndicatorCache } from '../indicators/cache.js';
import { INDICATORS, nameOutputs } from '../indicators/registry.js';
import { conditionFlags } from './condition-flags.js';

/** Entry and exit flags per bar, decided at each bar's close. */
export interface SignalSet {
  entryLong: Uint8Array;
  exitLong: Uint8Array;
  entryShort: Uint8Array;
  exitShort: Uint8Array;
  /** Bars before the slowest indicator is stable. */
  warmup: number;
}

type Series = Float64Array;

/**
 * Every indicator output of a strategy over `bars`, keyed as conditions name them, plus the
 * price fields. With a `cache` (built over these same bars), each distinct indicator is
 * computed once across calls; the values are the same either way.
 */
export function computeOperands(
  indicators: RulesStrategyConfig['indicators'],
  bars: Bars,
  cache?: IndicatorCache,
): Map<string, Series> {
  if (cache && cache.bars !== bars) {
    throw new Error('the indicator cache was built over other bars than the ones given');
  }
  const named = new Map<string, Series>([
    ['open', bars.open],
    ['high', bars.high],
    ['low', bars.low],
    ['close', bars.close],
    ['volume', bars.volume],
  ]);
  for (const [name, spec] of Object.entries(indicators)) {
    const computed = cache ? cache.outputs(spec) : INDICATORS[spec.type].compute(spec, bars);
    for (const [key, series] of nameOutputs(name, spec, computed)) named.set(key, series);
  }
  return named;
}

/**
 * Computes every indicator of the strategy and evaluates its conditions into per-bar
 * flags. Each flag at bar `i` uses only data up to bar `i`'s close, because every
 * indicator streams forward; the engine acts on it at bar `i + 1`'s open. A sweep passes
 * one `cache` for all its parameter sets over the same bars (see {@link computeOperands}).
 */
export function computeSignals(
  strategy: RulesStrategyConfig,
  bars: Bars,
  cache?: IndicatorCache,
): SignalSet {
  const n = bars.time.length;
  const named = computeOperands(strategy.indicators, bars, cache);
  const warmup = Object.values(strategy.indicators).reduce(
    (max, spec) => Math.max(max, INDICATORS[spec.type].warmup(spec)),
    0,
  );
  const none = new Uint8Array(n);
  const flag = (cond: Condition | undefined) => (cond ? conditionFlags(cond, named, n) : none);
  return {
    entryLong: flag(strategy.entry.long),
    exitLong: flag(strategy.exit?.long),
    entryShort: flag(strategy.entry.short),
    exitShort: flag(strategy.exit?.short),
    warmup,
  };
}
