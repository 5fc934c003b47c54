import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  LineSeries,
  type IChartApi,
  type SeriesMarker,
  type Time,
} from 'lightweight-charts';
import {
  aggregateCandles,
  barsPerCandle,
  candleTimeOf,
  MARKER_TEXT_LIMIT,
  tradeMarkers,
  type ColumnarFloatBars,
  type IndicatorSeries,
  type Trade,
} from '@ktrdr/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import { joinResultPage, type ShadedRange } from './chart-bands';
import { ChartFigure } from './chart-figure';
import { chartOptions, chartTime, dayOf, type TimeSync } from './chart-sync';

const NO_INDICATORS: readonly IndicatorSeries[] = [];
const NO_BANDS: readonly ShadedRange[] = [];
const PALETTE = ['#f08c00', '#7048e8', '#0ca678', '#d6336c', '#1098ad', '#5c940d'];
const MAIN_HEIGHT = 360;
const PANE_HEIGHT = 120;
/** Candles shown either side of a trade the trader zooms to. */
const ZOOM_MARGIN = 5;

/** A trade to zoom to: its entry and exit (ISO times). */
export interface TradeFocus {
  entry_time: string;
  exit_time: string;
  /** Changes on every click, so clicking the same trade again zooms again. */
  seq: number;
}

/** What the price chart's figure says: "Price SP500 1d, 2000-01-03 → 2020-04-17, 57 trades marked". */
export function priceCaption(o: {
  series: string;
  from: string;
  to: string;
  trades: number;
  bars: number;
  perCandle: number;
  indicators: readonly IndicatorSeries[];
}): string {
  const parts = [
    `Price ${o.series}, ${o.from} → ${o.to}, ${o.trades.toLocaleString('en-US')} trade${o.trades === 1 ? '' : 's'} marked`,
  ];
  if (o.perCandle > 1)
    parts.push(
      `${o.bars.toLocaleString('en-US')} bars shown as candles of ${o.perCandle} bars each`,
    );
  if (o.indicators.length > 0)
    parts.push(`indicators ${o.indicators.map((i) => `${i.id} (${i.type})`).join(', ')}`);
  return parts.join(', ');
}

/**
 * The run's price as candles with every trade's entry and exit marked, the strategy's
 * indicators over it (moving averages and bands on the price, each oscillator in a pane
 * of its own below), on the page's shared time axis. Zooms to `focus` when it changes.
 */
export function PriceChart({
  bars,
  trades,
  tradesTotal,
  indicators = NO_INDICATORS,
  series,
  sync,
  focus,
  shaded = NO_BANDS,
}: {
  bars: ColumnarFloatBars;
  trades: readonly Trade[];
  tradesTotal: number;
  indicators?: readonly IndicatorSeries[];
  /** "SP500 1d". */
  series: string;
  sync: TimeSync;
  focus: TradeFocus | null;
  shaded?: readonly ShadedRange[];
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const [shown, setShown] = useState<{ from: string; to: string } | null>(null);
  const n = bars.time.length;
  const perCandle = barsPerCandle(n);
  const candles = useMemo(() => aggregateCandles(bars, perCandle), [bars, perCandle]);
  const candleMs = useMemo(() => candles.map((c) => c.time), [candles]);
  const separate = useMemo(() => indicators.filter((i) => i.pane === 'separate'), [indicators]);

  useEffect(() => {
    if (!ref.current) return;
    const chart = createChart(
      ref.current,
      chartOptions(MAIN_HEIGHT + separate.length * PANE_HEIGHT),
    );
    chartRef.current = chart;
    const times = candles.map((c) => chartTime(c.time));
    const price = chart.addSeries(CandlestickSeries, {
      upColor: '#2f9e44',
      downColor: '#e03131',
      wickUpColor: '#2f9e44',
      wickDownColor: '#e03131',
      borderVisible: false,
      priceLineVisible: false,
    });
    price.setData(
      candles.map((c) => ({
        time: chartTime(c.time),
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
      })),
    );
    // every marker is drawn; their text only once few enough are in view to read
    const labelled = tradeMarkers(trades, perCandle > 1 ? candleMs : undefined).map(
      ({ trade: _trade, ...m }) => ({ ...m, time: m.time as Time }) satisfies SeriesMarker<Time>,
    );
    const bare = labelled.map((m) => ({ ...m, text: '' }));
    let withText = labelled.length <= MARKER_TEXT_LIMIT;
    const markers = createSeriesMarkers(price, withText ? labelled : bare);
    const labelWhenFew = (from: number, to: number) => {
      const inView = labelled.filter((m) => (m.time as number) >= from && (m.time as number) <= to);
      if (inView.length <= MARKER_TEXT_LIMIT === withText) return;
      withText = !withText;
      markers.setMarkers(withText ? labelled : bare);
    };
    let colour = 0;
    indicators.forEach((indicator) => {
      const pane = indicator.pane === 'price' ? 0 : 1 + separate.indexOf(indicator);
      for (const line of indicator.lines) {
        const data = line.time.map((t, i) => {
          const v = line.value[i];
          return v === null || v === undefined
            ? { time: chartTime(t) }
            : { time: chartTime(t), value: v };
        });
        const title = indicator.lines.length > 1 ? `${indicator.id}.${line.name}` : indicator.id;
        const s =
          line.name === 'histogram'
            ? chart.addSeries(
                HistogramSeries,
                { color: 'rgba(134,142,150,0.6)', priceLineVisible: false, title },
                pane,
              )
            : chart.addSeries(
                LineSeries,
                {
                  color: PALETTE[colour++ % PALETTE.length],
                  lineWidth: 1,
                  priceLineVisible: false,
                  lastValueVisible: false,
                  title,
                },
                pane,
              );
        s.setData(data);
      }
    });
    chart.panes().forEach((p, i) => p.setStretchFactor(i === 0 ? MAIN_HEIGHT : PANE_HEIGHT));
    // what is in view, for the caption and for tests (`data-visible-from/to`)
    let frame = 0;
    const onRange = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const range = chart.timeScale().getVisibleRange();
        if (!range) return;
        setShown({ from: dayOf(range.from), to: dayOf(range.to) });
        labelWhenFew(range.from as number, range.to as number);
      });
    };
    chart.timeScale().subscribeVisibleTimeRangeChange(onRange);
    const leave = joinResultPage(chart, ref.current, times, shaded, sync);
    return () => {
      cancelAnimationFrame(frame);
      chart.timeScale().unsubscribeVisibleTimeRangeChange(onRange);
      leave();
      chart.remove();
      chartRef.current = null;
    };
  }, [candles, candleMs, trades, indicators, separate, perCandle, shaded, sync]);

  // zoom to a trade: its candles and a few either side (the other charts follow)
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || !focus || candleMs.length === 0) return;
    const first = candleMs.indexOf(candleTimeOf(candleMs, Date.parse(focus.entry_time)));
    const last = candleMs.indexOf(candleTimeOf(candleMs, Date.parse(focus.exit_time)));
    const from = candleMs[Math.max(0, first - ZOOM_MARGIN)]!;
    const to = candleMs[Math.min(candleMs.length - 1, last + ZOOM_MARGIN)]!;
    chart.timeScale().setVisibleRange({ from: chartTime(from), to: chartTime(to) });
  }, [focus, candleMs]);

  const first = candles[0];
  const last = candles[candles.length - 1];
  const label = priceCaption({
    series,
    from: first ? new Date(first.time).toISOString().slice(0, 10) : '—',
    to: last ? new Date(bars.time[n - 1]!).toISOString().slice(0, 10) : '—',
    trades: tradesTotal,
    bars: n,
    perCandle,
    indicators,
  });
  return (
    <ChartFigure
      testId="price-chart"
      label={label}
      shaded={shaded}
      note={shown ? `showing ${shown.from} → ${shown.to}` : undefined}
      attributes={{ 'data-visible-from': shown?.from, 'data-visible-to': shown?.to }}
    >
      <div ref={ref} style={{ height: MAIN_HEIGHT + separate.length * PANE_HEIGHT }} />
    </ChartFigure>
  );
}
