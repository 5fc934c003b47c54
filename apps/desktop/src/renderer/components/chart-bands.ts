import type {
  IChartApi,
  IChartApiBase,
  IPanePrimitive,
  IPrimitivePaneRenderer,
  Logical,
  PaneAttachedParameter,
  Time,
} from 'lightweight-charts';
import { fitWhileWhole, type TimeSync } from './chart-sync';

/** A time range to shade on a chart (e.g. a model's training period), dates inclusive. */
export interface ShadedRange {
  from: string;
  to: string;
  label: string;
}

const COLOURS: Record<string, string> = {
  train: 'rgba(245, 159, 0, 0.14)',
  validation: 'rgba(121, 80, 242, 0.12)',
  test: 'rgba(47, 158, 68, 0.12)',
};
const OTHER = ['rgba(34, 139, 230, 0.12)', 'rgba(134, 142, 150, 0.16)'];

/**
 * The band colour of a label (the same on every chart, and in the figure's legend), by its
 * first word: "train (in sample)" is a train band.
 */
export function bandColour(label: string, index: number): string {
  return COLOURS[label.split(' ')[0] ?? label] ?? OTHER[index % OTHER.length]!;
}

interface Band {
  from: number;
  to: number;
  colour: string;
  label: string;
}

/**
 * Translucent bands behind a pane's series, each with its label at the top: a pane
 * primitive that works out its rectangles from the time scale on every paint, so the bands
 * follow scrolling and zooming exactly.
 */
class Bands implements IPanePrimitive<Time> {
  #chart: IChartApiBase<Time> | null = null;

  constructor(
    private readonly bands: readonly Band[],
    /** The chart's first and last point (UTC seconds): bands are cut to them. */
    private readonly first: number,
    private readonly last: number,
    /** Whether to write the labels (in the top pane only). */
    private readonly labelled: boolean,
  ) {}

  attached({ chart }: PaneAttachedParameter<Time>) {
    this.#chart = chart;
  }

  detached() {
    this.#chart = null;
  }

  paneViews() {
    return [{ zOrder: () => 'bottom' as const, renderer: () => this.#renderer() }];
  }

  #renderer(): IPrimitivePaneRenderer | null {
    const scale = this.#chart?.timeScale();
    if (!scale) return null;
    const x = (t: number) => {
      const index = scale.timeToIndex(t as Time, true);
      return index === null ? null : scale.logicalToCoordinate(index as unknown as Logical);
    };
    const zero = scale.logicalToCoordinate(0 as Logical);
    const one = scale.logicalToCoordinate(1 as Logical);
    const half = zero !== null && one !== null ? (one - zero) / 2 : 0;
    const boxes = this.bands
      .filter((b) => b.to >= this.first && b.from <= this.last)
      .map((b) => ({
        ...b,
        x1: x(Math.max(b.from, this.first)),
        x2: x(Math.min(b.to, this.last)),
      }));
    return {
      draw: () => undefined,
      drawBackground: (target) =>
        target.useMediaCoordinateSpace(({ context, mediaSize }) => {
          for (const b of boxes) {
            if (b.x1 === null || b.x2 === null) continue;
            const left = Math.max(0, b.x1 - half);
            const right = Math.min(mediaSize.width, b.x2 + half);
            if (right <= left) continue;
            context.fillStyle = b.colour;
            context.fillRect(left, 0, right - left, mediaSize.height);
            if (!this.labelled) continue;
            context.fillStyle = 'rgba(73, 80, 87, 0.9)';
            context.font = '11px sans-serif';
            context.fillText(b.label, left + 4, 12, Math.max(0, right - left - 8));
          }
        }),
    };
  }
}

/**
 * Shades `shaded` on every pane of a chart whose points run from `times[0]` to its last
 * (call it once the chart's panes exist), labelled in the top one.
 */
export function addBands(
  chart: IChartApi,
  times: readonly Time[],
  shaded: readonly ShadedRange[],
): void {
  if (shaded.length === 0 || times.length === 0) return;
  const bands = shaded.map((s, i) => ({
    from: Date.parse(s.from) / 1000,
    // a date alone means the whole day
    to: Date.parse(s.to) / 1000 + (s.to.length <= 10 ? 86_399 : 0),
    colour: bandColour(s.label, i),
    label: s.label,
  }));
  const first = times[0] as number;
  const last = times.at(-1) as number;
  chart.panes().forEach((pane, i) => pane.attachPrimitive(new Bands(bands, first, last, i === 0)));
}

/**
 * What every chart of the result page does once its series are set: shades `shaded`, joins
 * the page's time axis (`sync`) and shows its whole range until the trader zooms. Returns
 * how it leaves (call before `chart.remove()`).
 */
export function joinResultPage(
  chart: IChartApi,
  element: HTMLElement,
  times: readonly Time[],
  shaded: readonly ShadedRange[],
  sync: TimeSync | undefined,
): () => void {
  addBands(chart, times, shaded);
  const leave = sync?.add(chart);
  const unfit = fitWhileWhole(chart, element, times[0] as number, times.at(-1) as number);
  return () => {
    unfit();
    leave?.();
  };
}
