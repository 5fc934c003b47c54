import {
  barsPerCandle,
  MAX_CANDLES,
  sampleAtCandles,
  type IndicatorSeries,
  type IndicatorType,
  type StrategyConfig,
} from '@ktrdr/shared';
import type { Bars } from '../data/bars.js';
import { IndicatorCache } from '../indicators/cache.js';

/** Indicators drawn over the price (same scale); every other kind gets its own pane. */
const ON_PRICE: ReadonlySet<IndicatorType> = new Set(['sma', 'ema', 'bollinger']);

/** Outputs that are not on the price's scale even when their indicator is (band width). */
const OFF_PRICE_OUTPUTS: ReadonlySet<string> = new Set(['width']);

/**
 * The strategy's indicators over the run's bars, for the result page's price chart.
 *
 * They are computed here, by the engine that ran the backtest, and carried in the display
 * result, so the chart shows exactly the values the strategy's conditions read (same
 * kernels, same warm-up) and neither the browser nor the backend recomputes the engine.
 * Each output is sampled at the candles the page draws (the same buckets as
 * `aggregateCandles` over the same bars), which keeps the result small for long runs.
 * A band's width is left out: it is not on the price's scale and no chart needs it.
 */
export function indicatorSeries(
  strategy: StrategyConfig,
  bars: Bars,
  maxCandles: number = MAX_CANDLES,
  cache: IndicatorCache = new IndicatorCache(bars),
): IndicatorSeries[] {
  const perCandle = barsPerCandle(bars.time.length, maxCandles);
  return Object.entries(strategy.indicators).map(([id, spec]) => {
    const outputs = cache.outputs(spec);
    return {
      id,
      type: spec.type,
      pane: ON_PRICE.has(spec.type) ? 'price' : 'separate',
      lines: Object.entries(outputs)
        .filter(([name]) => !(ON_PRICE.has(spec.type) && OFF_PRICE_OUTPUTS.has(name)))
        .map(([name, values]) => ({ name, ...sampleAtCandles(bars.time, values, perCandle) })),
    };
  });
}
