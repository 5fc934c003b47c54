import type { ComparisonCondition, Condition } from '@ktrdr/shared';
import { ABOVE, BELOW, EQUAL, type RelationRuns } from '../indicators/sma-relation.js';

/**
 * Evaluates a strategy's condition tree into one flag per bar, without a series per
 * constant or per leaf: a comparison against a number reads the number, a constant on the
 * left is moved to the right (flipping the comparison, which is exact, NaN included), and
 * `all` / `any` fold each child into their own flags through one scratch buffer per level.
 */

type Series = Float64Array;
type Key = keyof ComparisonCondition;

/**
 * The named series conditions read (a `Map` will do). `relation`, when present, may answer
 * how two named series compare on every bar without computing them, exactly as comparing
 * them would; `undefined` means "compare the series".
 */
export interface Operands {
  get(name: string): Series | undefined;
  relation?(left: string, right: string): RelationRuns | undefined;
}

/** The comparison that holds for (b, a) exactly when `key` holds for (a, b). */
const MIRRORED: Record<Key, Key> = {
  greater_than: 'less_than',
  less_than: 'greater_than',
  crosses_above: 'crosses_below',
  crosses_below: 'crosses_above',
};

function seriesOf(operand: string, named: Operands): Series {
  const series = named.get(operand);
  if (!series) throw new Error(`unknown operand "${operand}"`);
  return series;
}

// a NaN on either side (warm-up) compares false, so nothing fires before both are stable.
// `+(a > b)` turns the comparison into 0 or 1 without a branch (random data mispredicts one
// in two: this is three times faster than `a > b ? 1 : 0`).

function againstSeries(key: Key, a: Series, b: Series, out: Uint8Array): void {
  const n = out.length;
  switch (key) {
    case 'greater_than':
      for (let i = 0; i < n; i++) out[i] = +((a[i] as number) > (b[i] as number));
      return;
    case 'less_than':
      for (let i = 0; i < n; i++) out[i] = +((a[i] as number) < (b[i] as number));
      return;
    case 'crosses_above': {
      if (n > 0) out[0] = 0;
      let wasAtOrBelow = +((a[0] as number) <= (b[0] as number));
      for (let i = 1; i < n; i++) {
        const x = a[i] as number;
        const y = b[i] as number;
        out[i] = wasAtOrBelow & +(x > y);
        wasAtOrBelow = +(x <= y);
      }
      return;
    }
    case 'crosses_below': {
      if (n > 0) out[0] = 0;
      let wasAtOrAbove = +((a[0] as number) >= (b[0] as number));
      for (let i = 1; i < n; i++) {
        const x = a[i] as number;
        const y = b[i] as number;
        out[i] = wasAtOrAbove & +(x < y);
        wasAtOrAbove = +(x >= y);
      }
      return;
    }
  }
}

function againstNumber(key: Key, a: Series, y: number, out: Uint8Array): void {
  const n = out.length;
  switch (key) {
    case 'greater_than':
      for (let i = 0; i < n; i++) out[i] = +((a[i] as number) > y);
      return;
    case 'less_than':
      for (let i = 0; i < n; i++) out[i] = +((a[i] as number) < y);
      return;
    case 'crosses_above': {
      if (n > 0) out[0] = 0;
      let wasAtOrBelow = +((a[0] as number) <= y);
      for (let i = 1; i < n; i++) {
        const x = a[i] as number;
        out[i] = wasAtOrBelow & +(x > y);
        wasAtOrBelow = +(x <= y);
      }
      return;
    }
    case 'crosses_below': {
      if (n > 0) out[0] = 0;
      let wasAtOrAbove = +((a[0] as number) >= y);
      for (let i = 1; i < n; i++) {
        const x = a[i] as number;
        out[i] = wasAtOrAbove & +(x < y);
        wasAtOrAbove = +(x >= y);
      }
      return;
    }
  }
}

/** {@link againstSeries} from the runs of how the two series compare. */
function fromRuns(key: Key, runs: RelationRuns, out: Uint8Array): void {
  const { starts, codes } = runs;
  out.fill(0);
  for (let r = 1; r < starts.length; r++) {
    const code = codes[r] as number;
    const before = codes[r - 1] as number;
    const from = starts[r] as number;
    switch (key) {
      case 'greater_than':
        if (code === ABOVE) out.fill(1, from, starts[r + 1] ?? out.length);
        break;
      case 'less_than':
        if (code === BELOW) out.fill(1, from, starts[r + 1] ?? out.length);
        break;
      // a run starts where the relation changed: the bar before it is the previous run's
      case 'crosses_above':
        if (code === ABOVE && (before === BELOW || before === EQUAL)) out[from] = 1;
        break;
      case 'crosses_below':
        if (code === BELOW && (before === ABOVE || before === EQUAL)) out[from] = 1;
        break;
    }
  }
}

function comparisonInto(cond: ComparisonCondition, named: Operands, out: Uint8Array): void {
  const [key, [left, right]] = Object.entries(cond)[0] as [Key, [string | number, string | number]];
  if (typeof left === 'number' && typeof right === 'number') {
    // two constants never cross; they compare the same on every bar
    const holds = key === 'greater_than' ? left > right : key === 'less_than' && left < right;
    out.fill(holds ? 1 : 0);
  } else if (typeof right === 'number') {
    againstNumber(key, seriesOf(left as string, named), right, out);
  } else if (typeof left === 'number') {
    againstNumber(MIRRORED[key], seriesOf(right, named), left, out);
  } else {
    const runs = named.relation?.(left, right);
    if (runs) fromRuns(key, runs, out);
    else againstSeries(key, seriesOf(left, named), seriesOf(right, named), out);
  }
}

/** `out &= part` (`all`) or `out |= part`, four flags at a time (both start at byte 0). */
function fold(out: Uint8Array, part: Uint8Array, all: boolean): void {
  const n = out.length;
  const words = n >>> 2;
  const out32 = new Uint32Array(out.buffer, out.byteOffset, words);
  const part32 = new Uint32Array(part.buffer, part.byteOffset, words);
  if (all) for (let w = 0; w < words; w++) out32[w] = (out32[w] as number) & (part32[w] as number);
  else for (let w = 0; w < words; w++) out32[w] = (out32[w] as number) | (part32[w] as number);
  for (let i = words * 4; i < n; i++)
    out[i] = all
      ? (out[i] as number) & (part[i] as number)
      : (out[i] as number) | (part[i] as number);
}

/** Writes `cond`'s flags into `out`; `scratch[depth..]` hold the children of combinators. */
function conditionInto(
  cond: Condition,
  named: Operands,
  out: Uint8Array,
  scratch: Uint8Array[],
  depth: number,
): void {
  const all = 'all' in cond && Array.isArray(cond.all);
  const any = !all && 'any' in cond && Array.isArray(cond.any);
  if (!all && !any) {
    comparisonInto(cond as ComparisonCondition, named, out);
    return;
  }
  const children = all ? cond.all : (cond as { any: Condition[] }).any;
  const n = out.length;
  if (children.length === 0) {
    out.fill(all ? 1 : 0);
    return;
  }
  conditionInto(children[0] as Condition, named, out, scratch, depth);
  if (children.length === 1) return;
  let part = scratch[depth];
  if (!part) {
    part = new Uint8Array(n);
    scratch[depth] = part;
  }
  for (let c = 1; c < children.length; c++) {
    conditionInto(children[c] as Condition, named, part, scratch, depth + 1);
    fold(out, part, all);
  }
}

/**
 * One flag per bar (1 where `cond` holds at that bar's close) over `n` bars, into `out`
 * (every flag is written). `scratch[depth]`, where given, is the buffer of `n` flags a
 * combinator at that depth folds its children through; the missing ones are made.
 */
export function conditionFlags(
  cond: Condition,
  named: Operands,
  n: number,
  out: Uint8Array = new Uint8Array(n),
  scratch: Uint8Array[] = [],
): Uint8Array {
  conditionInto(cond, named, out, scratch, 0);
  return out;
}
