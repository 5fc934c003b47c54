// The heat map's cells, by hand and over a space too large to draw one cell per pair.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heatmapCells, type HeatPoint } from '../../src/sweeps/sweep-heatmap.js';

const point = (
  set_index: number,
  y: number | string | boolean | undefined,
  x: number | undefined,
  rank: number | null,
): HeatPoint => ({ set_index, y, x, rank });

describe('the heat map', () => {
  it('draws one cell per value pair, each its best set: ranked first, then the lowest index', () => {
    const { aggregated, cells } = heatmapCells([
      point(0, 5, 20, 3),
      point(1, 5, 20, 1), // the better rank wins the cell
      point(2, 5, 10, null),
      point(3, 5, 10, null), // no rank either way: the first set stays
      point(4, 10, 10, null),
      point(5, 10, 10, 2), // a ranked set beats an unranked one
      point(6, 10, undefined, 4), // not on the x axis: no cell
    ]);
    assert.equal(aggregated, false);
    assert.deepEqual(
      cells.sort((a, b) => a.set_index - b.set_index),
      [
        { set_index: 1, y: 5, x: 20 },
        { set_index: 2, y: 5, x: 10 },
        { set_index: 5, y: 10, x: 10 },
      ],
    );
  });

  it('orders numbers by value and draws a large space in blocks of neighbours, each its best set', () => {
    // 130 × 70 values: blocks of 3 × 2 values, so 44 × 35 cells
    const points: HeatPoint[] = [];
    let rankSeed = 7;
    for (let y = 0; y < 130; y++)
      for (let x = 0; x < 70; x++) {
        rankSeed = (rankSeed * 48271) % 2147483647;
        points.push(point(points.length, 1000 - y * 3, x, rankSeed % 10 === 0 ? null : rankSeed));
      }
    const { aggregated, cells } = heatmapCells(points, 60);
    assert.equal(aggregated, true);
    assert.equal(cells.length, 44 * 35);
    const ys = [...new Set(points.map((p) => p.y as number))].sort((a, b) => a - b);
    for (const cell of cells) {
      const yAt = ys.indexOf(cell.y as number);
      const xAt = cell.x as number;
      assert.equal(yAt % 3, 0, 'a cell sits at its block’s first value');
      assert.equal(xAt % 2, 0);
      const block = points.filter((p) => {
        const py = ys.indexOf(p.y as number);
        return py >= yAt && py < yAt + 3 && (p.x as number) >= xAt && (p.x as number) < xAt + 2;
      });
      const ranked = block.filter((p) => p.rank !== null).sort((a, b) => a.rank! - b.rank!);
      assert.equal(cell.set_index, (ranked[0] ?? block[0])!.set_index);
    }
  });
});
