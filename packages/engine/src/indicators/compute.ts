import type { IndicatorSpec, IndicatorType } from '@ktrdr/shared';
import { EMA, RSI, SMA } from 'trading-signals';
import type { Bars } from '../data/bars.js';

/** The streaming shape every `trading-signals` indicator used here shares. */
interface StreamingIndicator {
  add(value: number): unknown;
  getResult(): number | null;
  readonly isStable: boolean;
}

const FACTORIES: Record<IndicatorType, (spec: IndicatorSpec) => StreamingIndicator> = {
  sma: (spec) => new SMA(spec.period),
  ema: (spec) => new EMA(spec.period),
  rsi: (spec) => new RSI(spec.period),
};

/** Bars an indicator needs before its first stable value (its warm-up). */
export function warmupBars(spec: IndicatorSpec): number {
  switch (spec.type) {
    case 'rsi':
      return spec.period + 1;
    default:
      return spec.period;
  }
}

/**
 * Runs one indicator over the whole series, streaming bar by bar so that the value at
 * bar `i` depends only on bars `0..i` (no look-ahead). Values before the indicator is
 * stable are `NaN`, so no condition can fire during warm-up.
 */
export function computeIndicator(spec: IndicatorSpec, bars: Bars): Float64Array {
  const input = bars[spec.source ?? 'close'];
  const out = new Float64Array(input.length).fill(Number.NaN);
  const indicator = FACTORIES[spec.type](spec);
  for (let i = 0; i < input.length; i++) {
    indicator.add(input[i] as number);
    if (indicator.isStable) {
      const value = indicator.getResult();
      if (value !== null) out[i] = value;
    }
  }
  return out;
}
