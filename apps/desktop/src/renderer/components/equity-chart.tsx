import {
  AreaSeries,
  createChart,
  LineSeries,
  type IChartApi,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { EquityPoint } from '@ktrdr/shared';
import { useEffect, useRef } from 'react';

function toTime(iso: string): UTCTimestamp {
  return Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;
}

/** What the chart shows, for its label and caption: "Equity … 2000-01-03 → 2020-04-17, final 125,508.23". */
export function equityCaption(points: EquityPoint[], title?: string): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return `Equity and drawdown${title ? ` ${title}` : ''}: no points`;
  const final = last.equity.toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return `Equity and drawdown${title ? ` ${title}` : ''}, ${first.time.slice(0, 10)} → ${last.time.slice(0, 10)}, final equity ${final}`;
}

/**
 * The equity curve and, below it, the drawdown (a lightweight-charts pane each), showing
 * the whole range: it is fitted again whenever the panes get their size.
 */
export function EquityChart({ points, title }: { points: EquityPoint[]; title?: string }) {
  const equityRef = useRef<HTMLDivElement>(null);
  const drawdownRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!equityRef.current || !drawdownRef.current) return;
    const options = {
      height: 280,
      autoSize: true,
      layout: { attributionLogo: false },
      timeScale: { timeVisible: true },
    };
    const charts: IChartApi[] = [
      createChart(equityRef.current, options),
      createChart(drawdownRef.current, { ...options, height: 140 }),
    ];
    const [equityChart, drawdownChart] = charts as [IChartApi, IChartApi];
    equityChart
      .addSeries(LineSeries, { color: '#1c7ed6', lineWidth: 2, priceLineVisible: false })
      .setData(points.map((p) => ({ time: toTime(p.time), value: p.equity })));
    drawdownChart
      .addSeries(AreaSeries, {
        lineColor: '#e03131',
        topColor: 'rgba(224,49,49,0.05)',
        bottomColor: 'rgba(224,49,49,0.4)',
        priceFormat: { type: 'percent' },
        priceLineVisible: false,
      })
      .setData(points.map((p) => ({ time: toTime(p.time), value: -p.drawdown * 100 })));
    // autoSize measures the container late (and again whenever the layout changes): fit the
    // whole range each time the panes get a size, so the run's start is never out of view
    const fit = () => charts.forEach((chart) => chart.timeScale().fitContent());
    fit();
    const frame = requestAnimationFrame(fit);
    const resized = new ResizeObserver(() => fit());
    resized.observe(equityRef.current);
    // scrolling one pane scrolls the other
    equityChart
      .timeScale()
      .subscribeVisibleLogicalRangeChange(
        (range) => range && drawdownChart.timeScale().setVisibleLogicalRange(range),
      );
    drawdownChart
      .timeScale()
      .subscribeVisibleLogicalRangeChange(
        (range) => range && equityChart.timeScale().setVisibleLogicalRange(range),
      );
    return () => {
      cancelAnimationFrame(frame);
      resized.disconnect();
      for (const chart of charts) chart.remove();
    };
  }, [points]);
  return (
    <figure
      data-testid="equity-chart"
      aria-label={equityCaption(points, title)}
      style={{ margin: 0 }}
    >
      <div ref={equityRef} style={{ height: 280 }} />
      <div ref={drawdownRef} style={{ height: 140, marginTop: 8 }} />
      <figcaption style={{ fontSize: 12, color: 'var(--mantine-color-dimmed)' }}>
        {equityCaption(points, title)}
      </figcaption>
    </figure>
  );
}
