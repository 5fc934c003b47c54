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

/** The equity curve and, below it, the drawdown (a lightweight-charts pane each). */
export function EquityChart({ points }: { points: EquityPoint[] }) {
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
    // fit once now and again after the first layout (autoSize measures the container late)
    const fit = () => charts.forEach((chart) => chart.timeScale().fitContent());
    fit();
    const frame = requestAnimationFrame(fit);
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
      for (const chart of charts) chart.remove();
    };
  }, [points]);
  return (
    <div data-testid="equity-chart" role="img" aria-label="equity curve and drawdown">
      <div ref={equityRef} style={{ height: 280 }} />
      <div ref={drawdownRef} style={{ height: 140, marginTop: 8 }} />
    </div>
  );
}
