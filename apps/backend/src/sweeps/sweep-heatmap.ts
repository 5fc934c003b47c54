import type { ParameterValue } from './parameter-space.js';

type Value = ParameterValue;

/** One set as the heat map reads it: its two swept values (absent: not swept) and its rank. */
export interface HeatPoint {
  set_index: number;
  y: Value | undefined;
  x: Value | undefined;
  /** Its rank in its window (null: not completed). */
  rank: number | null;
}

/** A cell: the set that shows it, and the first values of its block (its place on the axes). */
export interface HeatCell {
  set_index: number;
  y: Value;
  x: Value;
}

/** Most cells along one axis; a larger space is drawn in blocks of neighbouring values. */
export const HEATMAP_MAX_BINS = 60;

const key = (v: Value | undefined) => `${typeof v}:${String(v)}`;

/** Sorted distinct values of an axis (numbers by value, the rest as text). */
function axisValues(values: Iterable<Value | undefined>): Value[] {
  const seen = new Map<string, Value>();
  for (const v of values) if (v !== undefined) seen.set(key(v), v);
  return [...seen.values()].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
  );
}

/** Which block each value falls in: one per value, or `bins` blocks of neighbours. */
function binsOf(values: readonly Value[], bins: number): Map<string, number> {
  const per = Math.max(1, Math.ceil(values.length / bins));
  return new Map(values.map((v, i) => [key(v), Math.floor(i / per)]));
}

/** The first value of each block. */
function firstOf(values: readonly Value[], bin: Map<string, number>): Map<number, Value> {
  const first = new Map<number, Value>();
  for (const v of values) {
    const b = bin.get(key(v))!;
    if (!first.has(b)) first.set(b, v);
  }
  return first;
}

/** True when `a` ranks ahead of `b` (completed first, then by rank). */
function ahead(a: HeatPoint, b: HeatPoint): boolean {
  if (a.rank !== null && b.rank !== null) return a.rank < b.rank;
  return a.rank !== null && b.rank === null;
}

/**
 * The cells of a heat map over two swept paths, from every set of the space in index
 * order: one per value pair when each axis has at most {@link HEATMAP_MAX_BINS} values,
 * else one per block of neighbouring values. A cell shows its best set (rank order; the
 * lowest index among equals), placed at the block's first values, so a 100,000-set space
 * draws as at most 60 × 60 cells and each still opens a real set.
 */
export function heatmapCells(
  points: readonly HeatPoint[],
  maxBins = HEATMAP_MAX_BINS,
): { aggregated: boolean; cells: HeatCell[] } {
  const ys = axisValues(points.map((p) => p.y));
  const xs = axisValues(points.map((p) => p.x));
  const yBin = binsOf(ys, maxBins);
  const xBin = binsOf(xs, maxBins);
  const yFirst = firstOf(ys, yBin);
  const xFirst = firstOf(xs, xBin);
  const cells = new Map<string, HeatPoint>();
  for (const point of points) {
    const y = yBin.get(key(point.y));
    const x = xBin.get(key(point.x));
    if (y === undefined || x === undefined) continue;
    const cell = `${y}|${x}`;
    const held = cells.get(cell);
    if (!held || ahead(point, held)) cells.set(cell, point);
  }
  return {
    aggregated: ys.length > maxBins || xs.length > maxBins,
    cells: [...cells.entries()].map(([cell, point]) => {
      const [y, x] = cell.split('|').map(Number) as [number, number];
      return { set_index: point.set_index, y: yFirst.get(y)!, x: xFirst.get(x)! };
    }),
  };
}
