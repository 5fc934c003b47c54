import type { IChartApi, IRange, Time } from 'lightweight-charts';

/**
 * Keeps the result page's charts on one time axis: scrolling or zooming one (or a trade
 * zoom) shows the same dates in the others. Their points differ (candles, a downsampled
 * equity curve, a rolling Sharpe), so they share the visible *time* range, not the
 * logical one. The library applies a range on its next frame and then reports it, snapped
 * to that chart's own points; a report close to the range the sync just gave that chart
 * is that echo and goes no further, so two charts never bounce a range back and forth.
 */
export class TimeSync {
  readonly #charts = new Set<IChartApi>();
  readonly #given = new Map<IChartApi, { range: IRange<number>; at: number }>();

  /** Joins a chart; returns how it leaves (before it is removed). */
  add(chart: IChartApi): () => void {
    const onChange = (range: IRange<Time> | null) => {
      if (!range) return;
      const r = { from: range.from as number, to: range.to as number };
      const given = this.#given.get(chart);
      if (given) {
        this.#given.delete(chart);
        // an echo comes within a frame or two; a range the chart already showed sends none
        if (performance.now() - given.at < 500 && close(r, given.range)) return;
      }
      this.#broadcast(chart, r);
    };
    this.#charts.add(chart);
    chart.timeScale().subscribeVisibleTimeRangeChange(onChange);
    return () => {
      chart.timeScale().unsubscribeVisibleTimeRangeChange(onChange);
      this.#charts.delete(chart);
      this.#given.delete(chart);
    };
  }

  #broadcast(from: IChartApi, range: IRange<number>) {
    for (const chart of this.#charts) {
      if (chart === from) continue;
      this.#given.set(chart, { range, at: performance.now() });
      try {
        chart.timeScale().setVisibleRange(range as IRange<Time>);
      } catch {
        // a chart with no data yet has no time scale to set; it fits itself when it gets some
        this.#given.delete(chart);
      }
    }
  }
}

/** Two ranges that differ by no more than a chart's snapping to its own points. */
function close(a: IRange<number>, b: IRange<number>): boolean {
  const slack = Math.max(7 * 86_400, (b.to - b.from) * 0.02);
  return Math.abs(a.from - b.from) <= slack && Math.abs(a.to - b.to) <= slack;
}

/** The options every chart of the result page shares (aligned price axes, no logo). */
export function chartOptions(height: number) {
  return {
    height,
    autoSize: true,
    layout: { attributionLogo: false, panes: { separatorColor: '#dee2e6' } },
    // the library's default (0.5 px a bar) cannot fit 20 years of daily bars in a window:
    // the whole range must fit on load, so a bar may be as thin as the width allows
    timeScale: { timeVisible: false, minBarSpacing: 0.001 },
    // the same axis width everywhere, so the charts' dates line up one above the other
    rightPriceScale: { minimumWidth: 90, scaleMargins: { top: 0.1, bottom: 0.08 } },
  } as const;
}

/** Epoch ms → the library's time (UTC seconds). */
export function chartTime(ms: number): Time {
  return Math.floor(ms / 1000) as Time;
}

/** The library's time (UTC seconds) → "YYYY-MM-DD". */
export function dayOf(time: Time): string {
  return new Date((time as number) * 1000).toISOString().slice(0, 10);
}

/**
 * Shows the whole range on load, and keeps showing it while nobody zoomed in: autoSize
 * measures the container late and again as the page lays out (a scrollbar appearing
 * narrows it), and the library keeps the bar spacing on a resize, which would push the
 * run's start out of view. Once the chart shows less than `[first, last]` (UTC seconds),
 * a resize leaves it as it is, so it never undoes a zoom to a trade.
 */
export function fitWhileWhole(
  chart: IChartApi,
  element: HTMLElement,
  first: number,
  last: number,
): () => void {
  let whole = true;
  const fit = () => chart.timeScale().fitContent();
  const onRange = (range: IRange<Time> | null) => {
    if (range) whole = (range.from as number) <= first && (range.to as number) >= last;
  };
  fit();
  // the library applies a new size on its next frame: fit on the frame after that
  let frame = requestAnimationFrame(fit);
  const resized = new ResizeObserver(() => {
    if (!whole) return;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => (frame = requestAnimationFrame(fit)));
  });
  resized.observe(element);
  chart.timeScale().subscribeVisibleTimeRangeChange(onRange);
  return () => {
    cancelAnimationFrame(frame);
    resized.disconnect();
    chart.timeScale().unsubscribeVisibleTimeRangeChange(onRange);
  };
}
