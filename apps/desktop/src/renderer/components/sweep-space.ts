import { SMALLER_IS_BETTER, type SweepObjective, type SweepStartRequest } from '@ktrdr/shared';
import { number, percent } from '../format';

/** A parameter value as a sweep takes it. */
export type SweepValue = number | string | boolean;

/** One row of the sweep form: a strategy path and its values (a comma list or a range). */
export interface DimensionDraft {
  key: number;
  path: string;
  kind: 'list' | 'range';
  list: string;
  from: number | string;
  to: number | string;
  step: number | string;
}

/** "5, 10, 20" → [5, 10, 20]; "true" → true; anything else stays text. Blanks are dropped. */
export function parseList(text: string): SweepValue[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => {
      if (t === 'true' || t === 'false') return t === 'true';
      const n = Number(t);
      return Number.isFinite(n) ? n : t;
    });
}

const asNumber = (v: number | string): number | undefined =>
  typeof v === 'number' ? v : v.trim() === '' ? undefined : Number(v);

/** What the form sends for one row (the API checks it and names what is wrong). */
export function dimensionOf(d: DimensionDraft): SweepStartRequest['parameters'][string] {
  if (d.kind === 'list') return parseList(d.list);
  return { from: asNumber(d.from), to: asNumber(d.to), step: asNumber(d.step) } as {
    from: number;
    to: number;
    step: number;
  };
}

/**
 * How many values a row makes, as the backend counts them (a range includes `to`; float
 * noise is forgiven); null while it cannot say (a blank or reversed range).
 */
export function dimensionSize(d: DimensionDraft): number | null {
  if (d.kind === 'list') {
    const n = parseList(d.list).length;
    return n > 0 ? n : null;
  }
  const from = asNumber(d.from);
  const to = asNumber(d.to);
  const step = asNumber(d.step);
  if (from === undefined || to === undefined || step === undefined) return null;
  if (![from, to, step].every(Number.isFinite) || step <= 0 || to < from) return null;
  return Math.floor((to - from) / step + 1e-9) + 1;
}

/** Whether a row has anything in it (blank rows are not sent). */
export function isBlank(d: DimensionDraft): boolean {
  const empty = (v: number | string) => (typeof v === 'string' ? v.trim() === '' : false);
  return (
    d.path.trim() === '' &&
    (d.kind === 'list' ? d.list.trim() === '' : empty(d.from) && empty(d.to) && empty(d.step))
  );
}

/**
 * The number of backtests a sweep will make: the grid's size (the product of the rows'
 * sizes), or for random mode the samples asked for, at most the grid. Null while a row's
 * size is unknown.
 */
export function sweepCount(
  rows: DimensionDraft[],
  mode: 'grid' | 'random',
  samples: number | undefined,
): { grid: number | null; runs: number | null; sizes: (number | null)[] } {
  const used = rows.filter((r) => !isBlank(r));
  const sizes = used.map(dimensionSize);
  const grid =
    used.length === 0 || sizes.some((s) => s === null)
      ? null
      : sizes.reduce<number>((n, s) => n * (s ?? 1), 1);
  const runs =
    grid === null
      ? null
      : mode === 'grid'
        ? grid
        : samples === undefined || !(samples > 0)
          ? null
          : Math.min(Math.floor(samples), grid);
  return { grid, runs, sizes };
}

/**
 * Every numeric setting of a parsed strategy by its dotted path (`indicators.fast.period`
 * → 20): the paths a sweep can vary. Its `data` section is the series, not a parameter.
 */
export function numericPaths(config: Record<string, unknown> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number' && Number.isFinite(value)) out.set(path, value);
    else if (value && typeof value === 'object' && !Array.isArray(value))
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  for (const [k, v] of Object.entries(config ?? {})) if (k !== 'data') walk(v, k);
  return out;
}

/** The tail of a path for a column header: `indicators.fast.period` → `fast.period`. */
export function shortPath(path: string): string {
  const parts = path.split('.');
  return parts.length > 2 ? parts.slice(-2).join('.') : path;
}

/** A metric's name for people: `sharpe_ratio` → `sharpe ratio`. */
export const metricLabel = (name: string) => name.replace(/_/g, ' ');

const PERCENT_METRICS = new Set([
  'total_return',
  'annualized_return',
  'volatility',
  'max_drawdown',
  'win_rate',
  'exposure',
]);
const COUNT_METRICS = new Set(['total_trades', 'max_drawdown_duration_bars']);

/** A metric value in its unit (fractions as percent, counts whole). */
export function formatMetric(name: string, value: number | null | undefined): string {
  if (PERCENT_METRICS.has(name)) return percent(value);
  if (COUNT_METRICS.has(name)) return number(value, 0);
  return number(value);
}

/** Whether smaller values of the objective are better. */
export const smallerIsBetter = (objective: string) =>
  SMALLER_IS_BETTER.includes(objective as SweepObjective);

/** A parameter value for display. */
export const showValue = (v: SweepValue | undefined) => (v === undefined ? '—' : String(v));

/** Sorts a dimension's values: numbers ascending, then the rest as text. */
export function sortValues(values: SweepValue[]): SweepValue[] {
  return [...values].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
  );
}

// viridis, sampled: perceptually even and readable by colour-blind eyes
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
] as const;

/** A colour for t in [0, 1] (0 = worst, 1 = best) and the text colour that reads on it. */
export function scaleColour(t: number): { fill: string; text: string } {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i] ?? VIRIDIS[0];
  const b = VIRIDIS[i + 1] ?? VIRIDIS[0];
  const [r, g, bl] = [0, 1, 2].map((k) =>
    Math.round((a[k] ?? 0) + ((b[k] ?? 0) - (a[k] ?? 0)) * f),
  );
  return { fill: `rgb(${r}, ${g}, ${bl})`, text: x > 5.5 ? '#1a1b1e' : '#ffffff' };
}

/** The scale as a CSS gradient, worst to best (for the legend). */
export const SCALE_GRADIENT = `linear-gradient(to right, ${VIRIDIS.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`).join(', ')})`;
