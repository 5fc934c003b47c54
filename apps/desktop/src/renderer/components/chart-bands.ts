import { HistogramSeries, type IChartApi, type Time } from 'lightweight-charts';

/** A time range to shade on a chart (e.g. a model's training period), dates inclusive. */
export interface ShadedRange {
  from: string;
  to: string;
  label: string;
}

const COLOURS: Record<string, string> = {
  train: 'rgba(245, 159, 0, 0.16)',
  validation: 'rgba(121, 80, 242, 0.14)',
  test: 'rgba(47, 158, 68, 0.12)',
};
const OTHER = ['rgba(34, 139, 230, 0.12)', 'rgba(134, 142, 150, 0.16)'];

/** The band colour of a label (the same on every chart, and in the figure's legend). */
export function bandColour(label: string, index: number): string {
  return COLOURS[label] ?? OTHER[index % OTHER.length]!;
}

/**
 * Translucent bands behind the series of pane `pane`: a full-height histogram on its own
 * hidden scale, one column per point of `times` inside a range (so a band follows the
 * chart's zoom exactly), with the label at the band's start.
 */
export function addBands(
  chart: IChartApi,
  times: readonly Time[],
  shaded: readonly ShadedRange[],
  pane = 0,
): void {
  if (shaded.length === 0 || times.length === 0) return;
  const series = chart.addSeries(
    HistogramSeries,
    {
      priceScaleId: 'bands',
      priceLineVisible: false,
      lastValueVisible: false,
      base: 0,
    },
    pane,
  );
  chart.priceScale('bands', pane).applyOptions({
    visible: false,
    scaleMargins: { top: 0, bottom: 0 },
  });
  const ranges = shaded.map((s, i) => ({
    from: Date.parse(s.from) / 1000,
    // a date alone means the whole day
    to: Date.parse(s.to) / 1000 + (s.to.length <= 10 ? 86_399 : 0),
    colour: bandColour(s.label, i),
  }));
  series.setData(
    times.map((time) => {
      const t = time as number;
      const range = ranges.find((r) => t >= r.from && t <= r.to);
      return range ? { time, value: 1, color: range.colour } : { time };
    }),
  );
}
