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
import { INDICATORS } from '../indicators/registry.js';

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
    const { at, outputs } = INDICATORS[spec.type];
    const lines =
      at && !cache.has(spec)
        ? sampledAt(bars, perCandle, outputs, (i) => at(spec, bars, i))
        : Object.entries(cache.outputs(spec)).map(([name, values]) => ({
            name,
            ...sampleAtCandles(bars.time, values, perCandle),
          }));
    return {
      id,
      type: spec.type,
      pane: ON_PRICE.has(spec.type) ? 'price' : 'separate',
      lines: lines.filter(({ name }) => !(ON_PRICE.has(spec.type) && OFF_PRICE_OUTPUTS.has(name))),
    };
  });
}

/**
 * An indicator's lines read at the bars {@link sampleAtCandles} reads (each candle's last),
 * one value at a time: for an indicator not computed yet whose value is one window's
 * (SMA), 10,000 windows instead of a million.
 */
function sampledAt(
  bars: Bars,
  perCandle: number,
  outputs: readonly string[],
  valuesAt: (i: number) => Record<string, number>,
): { name: string; time: number[]; value: (number | null)[] }[] {
  const n = bars.time.length;
  const lines = outputs.map((name) => ({
    name,
    time: [] as number[],
    value: [] as (number | null)[],
  }));
  for (let from = 0; from < n; from += perCandle) {
    const values = valuesAt(Math.min(n, from + perCandle) - 1);
    for (const line of lines) {
      const v = values[line.name] as number;
      line.time.push(bars.time[from] as number);
      line.value.push(Number.isFinite(v) ? v : null);
    }
  }
  return lines;
}

/**
 * Whether charting the strategy's indicators ({@link indicatorSeries}) reads their whole
 * series: false when every one can be read at a bar alone, so a lone run need not keep its
 * series for the chart (its conditions may then take the engine's cheaper paths).
 */
export function chartReadsSeries(strategy: StrategyConfig): boolean {
  return Object.values(strategy.indicators).some((spec) => !INDICATORS[spec.type].at);
}
