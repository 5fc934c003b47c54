import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ComparisonCondition, Condition } from '@ktrdr/shared';
import { conditionFlags } from '../src/backtest/condition-flags.js';

/** The conditions as docs/strategies.md defines them, one array per operand and per leaf. */
function naive(cond: Condition, named: Map<string, Float64Array>, n: number): Uint8Array {
  if ('all' in cond) {
    const parts = cond.all.map((c) => naive(c, named, n));
    return Uint8Array.from({ length: n }, (_, i) => (parts.every((p) => p[i]) ? 1 : 0));
  }
  if ('any' in cond) {
    const parts = cond.any.map((c) => naive(c, named, n));
    return Uint8Array.from({ length: n }, (_, i) => (parts.some((p) => p[i]) ? 1 : 0));
  }
  const [key, [l, r]] = Object.entries(cond)[0] as [string, [string | number, string | number]];
  const side = (o: string | number) =>
    typeof o === 'number' ? new Float64Array(n).fill(o) : named.get(o)!;
  const a = side(l);
  const b = side(r);
  return Uint8Array.from({ length: n }, (_, i) => {
    const [x, y, px, py] = [a[i]!, b[i]!, a[i - 1], b[i - 1]];
    if (key === 'greater_than') return x > y ? 1 : 0;
    if (key === 'less_than') return x < y ? 1 : 0;
    if (i === 0) return 0;
    if (key === 'crosses_above') return px! <= py! && x > y ? 1 : 0;
    return px! >= py! && x < y ? 1 : 0;
  });
}

/** A wandering series around 50 on a coarse grid (ties), NaN for its first `warmup` bars. */
function wander(n: number, seed: number, warmup: number): Float64Array {
  let state = seed;
  const out = new Float64Array(n);
  let v = 50;
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    v += Math.round(((state / 2 ** 31) * 2 - 1) * 3);
    out[i] = i < warmup ? Number.NaN : v;
  }
  return out;
}

describe('condition flags', () => {
  // lengths with a tail beyond whole words of four flags, too
  const lengths = [2000, 2003, 3];
  const seriesOf = (n: number) =>
    new Map([
      ['a', wander(n, 1, 0)],
      ['b', wander(n, 2, 30)],
      ['c', wander(n, 3, 5)],
    ]);
  const n = 2000;
  const named = seriesOf(n);
  const keys = ['greater_than', 'less_than', 'crosses_above', 'crosses_below'] as const;
  const operands: [string | number, string | number][] = [
    ['a', 'b'],
    ['b', 'a'],
    ['a', 50],
    [50, 'a'],
    ['b', 48],
    [52, 'c'],
    [1, 2],
    [2, 1],
  ];

  it('equal the definition for every comparison, operand shape and NaN warm-up', () => {
    for (const key of keys)
      for (const pair of operands) {
        const cond = { [key]: pair } as ComparisonCondition;
        assert.deepEqual(
          conditionFlags(cond, named, n),
          naive(cond, named, n),
          JSON.stringify(cond),
        );
      }
  });

  it('equal the definition for nested all / any, three levels deep', () => {
    const leaf = (k: number): Condition => ({ [keys[k % 4]!]: operands[k % operands.length] });
    const trees: Condition[] = [
      { all: [leaf(0), leaf(2)] },
      { any: [leaf(1), leaf(3), leaf(4)] },
      {
        all: [
          { any: [leaf(0), leaf(5)] },
          leaf(2),
          { any: [leaf(3), { all: [leaf(1), leaf(6)] }] },
        ],
      },
      { any: [{ all: [leaf(2), leaf(3)] }, { all: [leaf(4), { any: [leaf(5), leaf(7)] }] }] },
      { all: [leaf(9)] },
    ];
    for (const length of lengths) {
      const series = seriesOf(length);
      for (const tree of trees)
        assert.deepEqual(
          conditionFlags(tree, series, length),
          naive(tree, series, length),
          `${length} bars: ${JSON.stringify(tree)}`,
        );
    }
  });

  it('names an operand that is neither an indicator output nor a price field', () => {
    assert.throws(
      () => conditionFlags({ greater_than: ['nope', 1] }, named, n),
      /unknown operand "nope"/,
    );
  });
});
