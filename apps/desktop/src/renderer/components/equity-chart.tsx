import { AreaSeries, createChart, LineSeries } from 'lightweight-charts';
import type { EquityPoint } from '@ktrdr/shared';
import { useEffect, useRef } from 'react';
import { joinResultPage, type ShadedRange } from './chart-bands';
import { ChartFigure } from './chart-figure';
import { chartOptions, chartTime, type TimeSync } from './chart-sync';

const NO_BANDS: readonly ShadedRange[] = [];
const EQUITY_HEIGHT = 280;
const DRAWDOWN_HEIGHT = 140;

const money = (v: number) =>
  v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Buy and hold as drawn: epoch-ms times and the capital's value. */
export interface BenchmarkLine {
  time: number[];
  value: number[];
}

/**
 * What the chart shows, for its label and caption: "Equity and drawdown … 2000-01-03 →
 * 2020-04-17, final equity 125,508.23, buy and hold 213,077.06".
 */
export function equityCaption(
  points: readonly EquityPoint[],
  title?: string,
  benchmark?: BenchmarkLine | null,
): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return `Equity and drawdown${title ? ` ${title}` : ''}: no points`;
  const held = benchmark?.value[benchmark.value.length - 1];
  return (
    `Equity and drawdown${title ? ` ${title}` : ''}, ${first.time.slice(0, 10)} → ${last.time.slice(0, 10)}, final equity ${money(last.equity)}` +
    (held !== undefined ? `, buy and hold ${money(held)}` : '')
  );
}

/**
 * The equity curve with buy and hold of the same series beside it, and the drawdown in a
 * pane below (panes of one chart: one time axis), on the page's shared time axis. It
 * shows the whole range on load; the curve's last point is always kept (the display
 * curve ends on the final bar), so the chart ends on the headline's final equity.
 */
export function EquityChart({
  points,
  title,
  benchmark,
  sync,
  shaded = NO_BANDS,
}: {
  points: readonly EquityPoint[];
  title?: string;
  benchmark?: BenchmarkLine | null;
  sync?: TimeSync;
  shaded?: readonly ShadedRange[];
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = createChart(ref.current, chartOptions(EQUITY_HEIGHT + DRAWDOWN_HEIGHT));
    const times = points.map((p) => chartTime(Date.parse(p.time)));
    if (benchmark)
      chart
        .addSeries(LineSeries, {
          color: '#868e96',
          lineWidth: 1,
          lineStyle: 2,
          priceLineVisible: false,
          title: 'buy and hold',
        })
        .setData(
          benchmark.time.map((t, i) => ({ time: chartTime(t), value: benchmark.value[i]! })),
        );
    chart
      .addSeries(LineSeries, {
        color: '#1c7ed6',
        lineWidth: 2,
        priceLineVisible: false,
        title: 'equity',
      })
      .setData(points.map((p, i) => ({ time: times[i]!, value: p.equity })));
    chart
      .addSeries(
        AreaSeries,
        {
          lineColor: '#e03131',
          topColor: 'rgba(224,49,49,0.05)',
          bottomColor: 'rgba(224,49,49,0.4)',
          priceFormat: { type: 'percent' },
          priceLineVisible: false,
          title: 'drawdown',
        },
        1,
      )
      .setData(points.map((p, i) => ({ time: times[i]!, value: -p.drawdown * 100 })));
    chart.panes().forEach((p, i) => p.setStretchFactor(i === 0 ? EQUITY_HEIGHT : DRAWDOWN_HEIGHT));
    const leave = joinResultPage(chart, ref.current, times, shaded, sync);
    return () => {
      leave();
      chart.remove();
    };
  }, [points, benchmark, shaded, sync]);
  const label = equityCaption(points, title, benchmark);
  return (
    <ChartFigure testId="equity-chart" label={label} shaded={shaded}>
      <div ref={ref} style={{ height: EQUITY_HEIGHT + DRAWDOWN_HEIGHT }} />
    </ChartFigure>
  );
}
