/**
 * Charts as inline SVG text, for a report that opens from a file with no script and no
 * network: a line chart (one or more series on a time axis), bars, and a month-by-year
 * heat map. Each is an `<svg role="img">` whose label and `<title>` say what it shows.
 */
import { escapeHtml } from './html-escape.js';

/** A series of a line chart: times in epoch ms. */
export interface LineSeriesSvg {
  name: string;
  color: string;
  time: readonly number[];
  value: readonly number[];
  /** Fill between the line and zero (the drawdown). */
  area?: boolean;
}

const MARGIN = { left: 78, right: 16, top: 12, bottom: 28 };
const round1 = (v: number) => Math.round(v * 10) / 10;

/** `count` evenly spaced values from `min` to `max`. */
function ticks(min: number, max: number, count: number): number[] {
  if (max === min) return [min];
  return Array.from({ length: count }, (_, i) => min + ((max - min) * i) / (count - 1));
}

function svgOpen(width: number, height: number, label: string, testId: string): string {
  return `<svg role="img" data-chart="${escapeHtml(testId)}" aria-label="${escapeHtml(label)}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet"><title>${escapeHtml(label)}</title>`;
}

/** Year labels along a time axis: at most ~10, on 1 January. */
function yearTicks(t0: number, t1: number): number[] {
  const first = new Date(t0).getUTCFullYear();
  const last = new Date(t1).getUTCFullYear();
  const step = Math.max(1, Math.ceil((last - first + 1) / 10));
  const out: number[] = [];
  for (let y = first + 1; y <= last; y += step) out.push(Date.UTC(y, 0, 1));
  return out;
}

/** One or more series over time, each its own colour, with value and year axes. */
export function lineChartSvg(options: {
  series: readonly LineSeriesSvg[];
  label: string;
  testId: string;
  formatValue: (v: number) => string;
  width?: number;
  height?: number;
}): string {
  const { series, label, testId, formatValue } = options;
  const width = options.width ?? 960;
  const height = options.height ?? 280;
  const times = series.flatMap((s) => s.time);
  const values = series.flatMap((s) => (s.area ? [...s.value, 0] : s.value));
  if (times.length === 0) return `${svgOpen(width, height, label, testId)}</svg>`;
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const v0 = Math.min(...values);
  const v1 = Math.max(...values);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => round1(MARGIN.left + (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * plotW));
  const y = (v: number) =>
    round1(MARGIN.top + (v1 === v0 ? plotH / 2 : ((v1 - v) / (v1 - v0)) * plotH));
  const parts = [svgOpen(width, height, label, testId)];
  parts.push(`<g class="grid">`);
  for (const v of ticks(v0, v1, 5)) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y(v)}" y2="${y(v)}"/><text class="axis" x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${escapeHtml(formatValue(v))}</text>`,
    );
  }
  for (const t of yearTicks(t0, t1)) {
    parts.push(
      `<text class="axis" x="${x(t)}" y="${height - 8}" text-anchor="middle">${new Date(t).getUTCFullYear()}</text>`,
    );
  }
  parts.push(`</g>`);
  for (const s of series) {
    if (s.time.length === 0) continue;
    const line = s.time
      .map((t, i) => `${i === 0 ? 'M' : 'L'}${x(t)},${y(s.value[i] as number)}`)
      .join('');
    if (s.area) {
      const close = `L${x(s.time[s.time.length - 1] as number)},${y(0)}L${x(s.time[0] as number)},${y(0)}Z`;
      parts.push(`<path d="${line}${close}" fill="${s.color}" fill-opacity="0.25" stroke="none"/>`);
    }
    parts.push(
      `<path d="${line}" fill="none" stroke="${s.color}" stroke-width="1.5"><title>${escapeHtml(s.name)}</title></path>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Labelled bars up or down from zero, green for gains and red for losses. */
export function barChartSvg(options: {
  bars: readonly { label: string; value: number }[];
  label: string;
  testId: string;
  formatValue: (v: number) => string;
  width?: number;
  height?: number;
}): string {
  const { bars, label, testId, formatValue } = options;
  const width = options.width ?? 960;
  const height = options.height ?? 220;
  const parts = [svgOpen(width, height, label, testId)];
  if (bars.length > 0) {
    const v0 = Math.min(0, ...bars.map((b) => b.value));
    const v1 = Math.max(0, ...bars.map((b) => b.value));
    const plotW = width - MARGIN.left - MARGIN.right;
    const plotH = height - MARGIN.top - MARGIN.bottom - 14;
    const y = (v: number) =>
      round1(MARGIN.top + 14 + (v1 === v0 ? 0 : ((v1 - v) / (v1 - v0)) * plotH));
    const slot = plotW / bars.length;
    parts.push(
      `<g class="grid"><line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y(0)}" y2="${y(0)}"/></g>`,
    );
    bars.forEach((b, i) => {
      const left = round1(MARGIN.left + i * slot + slot * 0.15);
      const top = Math.min(y(b.value), y(0));
      const h = round1(Math.abs(y(b.value) - y(0)));
      const color = b.value >= 0 ? '#2f9e44' : '#e03131';
      parts.push(
        `<rect x="${left}" y="${top}" width="${round1(slot * 0.7)}" height="${h}" fill="${color}"><title>${escapeHtml(`${b.label}: ${formatValue(b.value)}`)}</title></rect>`,
        `<text class="axis" x="${round1(left + slot * 0.35)}" y="${height - 8}" text-anchor="middle">${escapeHtml(b.label)}</text>`,
        `<text class="value" x="${round1(left + slot * 0.35)}" y="${b.value >= 0 ? top - 3 : top + h + 11}" text-anchor="middle">${escapeHtml(formatValue(b.value))}</text>`,
      );
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A cell's colour: green for a gain, red for a loss, full strength at ±10 %. */
function heatColour(value: number): string {
  const strength = Math.min(1, Math.abs(value) / 0.1);
  const [r, g, b] = value >= 0 ? [47, 158, 68] : [224, 49, 49];
  return `rgba(${r},${g},${b},${(0.12 + 0.78 * strength).toFixed(2)})`;
}

/** Months across, years down, each cell coloured and written as a percentage. */
export function heatMapSvg(options: {
  monthly: readonly { year: number; month: number; return: number }[];
  label: string;
  testId: string;
}): string {
  const { monthly, label, testId } = options;
  const years = [...new Set(monthly.map((m) => m.year))].sort((a, b) => a - b);
  const cellW = 62;
  const cellH = 18;
  const left = 48;
  const top = 18;
  const width = left + 12 * cellW + 4;
  const height = top + years.length * cellH + 4;
  const parts = [svgOpen(width, height, label, testId)];
  MONTHS.forEach((name, i) =>
    parts.push(
      `<text class="axis" x="${left + i * cellW + cellW / 2}" y="12" text-anchor="middle">${name}</text>`,
    ),
  );
  years.forEach((year, row) =>
    parts.push(
      `<text class="axis" x="${left - 6}" y="${top + row * cellH + 13}" text-anchor="end">${year}</text>`,
    ),
  );
  for (const m of monthly) {
    const cx = left + (m.month - 1) * cellW;
    const cy = top + years.indexOf(m.year) * cellH;
    // a loss rounding to zero would read "-0.0"
    const text = Math.abs(m.return) < 0.0005 ? '0.0' : `${(m.return * 100).toFixed(1)}`;
    parts.push(
      `<rect x="${cx + 1}" y="${cy + 1}" width="${cellW - 2}" height="${cellH - 2}" fill="${heatColour(m.return)}"><title>${m.year}-${String(m.month).padStart(2, '0')}: ${text} %</title></rect><text class="cell" x="${cx + cellW / 2}" y="${cy + 13}" text-anchor="middle">${text}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
