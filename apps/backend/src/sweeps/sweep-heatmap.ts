import type { LeaderboardRow, SweepHeatmap } from '@ktrdr/shared';

type Value = number | string | boolean;

/** Most cells along one axis; a larger space is drawn in blocks of neighbouring values. */
export const HEATMAP_MAX_BINS = 60;

const key = (v: Value | undefined) => `${typeof v}:${String(v)}`;

/** Sorted distinct values of an axis (numbers by value, the rest as text). */
function axisValues(rows: readonly LeaderboardRow[], path: string): Value[] {
  const seen = new Map<string, Value>();
  for (const row of rows) {
    const v = row.parameters[path];
    if (v !== undefined) seen.set(key(v), v);
  }
  return [...seen.values()].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
  );
}

/** Which block each value falls in: one per value, or `bins` blocks of neighbours. */
function binsOf(values: readonly Value[], bins: number): Map<string, number> {
  const per = Math.max(1, Math.ceil(values.length / bins));
  return new Map(values.map((v, i) => [key(v), Math.floor(i / per)]));
}

/** True when row `a` ranks ahead of row `b` (completed first, then by rank). */
function ahead(a: LeaderboardRow, b: LeaderboardRow): boolean {
  if (a.rank !== null && b.rank !== null) return a.rank < b.rank;
  return a.rank !== null && b.rank === null;
}

/**
 * The cells of a heat map over two swept paths: one per value pair when each axis has at
 * most {@link HEATMAP_MAX_BINS} values, else one per block of neighbouring values. A cell
 * holds its best set (rank order), whose parameters name the block's first values, so a
 * 100,000-set space draws as at most 60 × 60 cells and each still opens a real set.
 */
export function heatmapOf(
  rows: readonly LeaderboardRow[],
  yPath: string,
  xPath: string,
  maxBins = HEATMAP_MAX_BINS,
): SweepHeatmap {
  const ys = axisValues(rows, yPath);
  const xs = axisValues(rows, xPath);
  const yBin = binsOf(ys, maxBins);
  const xBin = binsOf(xs, maxBins);
  const firstOf = (values: readonly Value[], bin: Map<string, number>) => {
    const first = new Map<number, Value>();
    for (const v of values) {
      const b = bin.get(key(v))!;
      if (!first.has(b)) first.set(b, v);
    }
    return first;
  };
  const yFirst = firstOf(ys, yBin);
  const xFirst = firstOf(xs, xBin);
  const cells = new Map<string, LeaderboardRow>();
  for (const row of rows) {
    const y = yBin.get(key(row.parameters[yPath]));
    const x = xBin.get(key(row.parameters[xPath]));
    if (y === undefined || x === undefined) continue;
    const cell = `${y}|${x}`;
    const held = cells.get(cell);
    if (!held || ahead(row, held)) cells.set(cell, row);
  }
  const aggregated = ys.length > maxBins || xs.length > maxBins;
  return {
    dimensions: [yPath, xPath],
    aggregated,
    sets: rows.length,
    cells: [...cells.entries()].map(([cell, row]) => {
      const [y, x] = cell.split('|').map(Number) as [number, number];
      return {
        ...row,
        parameters: { ...row.parameters, [yPath]: yFirst.get(y)!, [xPath]: xFirst.get(x)! },
      };
    }),
  };
}
