/**
 * How two simple moving averages compare on every bar, without computing either exactly.
 *
 * The exact SMA (the library's, and {@link smaKernel}'s) re-sums each window left to right:
 * O(period) a bar. A crossover only needs the sign of `fast − slow`, so this keeps each
 * window's sum as a running sum (O(1) a bar) together with a rigorous bound on how far that
 * sum, and the exact mean, can be from the true mean. Where the running means differ by
 * more than the bounds, the exact values compare the same way; on the few bars where they
 * do not, both exact means are re-summed the library's way and compared. The outcome is,
 * bar for bar, that of comparing the exact series.
 *
 * The bounds, for windows of non-negative values (all this accepts), per block of bars
 * whose windows hold no value above `X` (u = 2⁻⁵³, each rounding at most u·|result|):
 * - the block starts from a left-to-right sum of its first window: within `p·u·W ≤ p²·u·X`
 *   of the true sum W; then the running sum `S` changes by `d = x_in − x_out` a bar, two
 *   roundings of at most `u·(|d| + |S|) ≤ u·(p + 2)·X`, so after `b` bars `S` is within
 *   `E = u·(p² + b·(p + 2))·X` of the window's true sum (doubled below);
 * - the exact mean `A` (a left-to-right sum of p values, then a division) is within
 *   `γ_p·W/p ≤ (p + 1)·u·X` of `W/p`;
 * - so with `D = S_a·q − S_b·p` (its roundings at most 4u·(|S_a|·q + |S_b|·p)), `A − B` has
 *   the sign of `D` wherever `|D| > q·(E_a + (p + 4)·u·(p·X_a + E_a)) + p·(…b…)`, taken
 *   twice over so that computing the threshold in floating point cannot undercut it (plus
 *   2⁻¹⁰⁰⁰, more than underflow can take off: the relative bounds do not cover it).
 * The threshold is one number per block, so a bar costs a few additions and a comparison;
 * the blocks keep `E` to a few thousand roundings of the block's own largest value however
 * long the series is and however far its prices travel.
 */

/** How one series compares with another at a bar (none of them: either is NaN). */
export const ABOVE = 1;
export const BELOW = 2;
export const EQUAL = 4;

const U = 2 ** -53;
/** Bars per block (the error bound grows with each bar of a block). */
const BLOCK = 2048;
/** Above this, sums and products of a window's values could overflow. */
const LARGEST = 2 ** 900;
/** Longer windows are declined: the bounds assume `period² · u` far below 1. */
const LONGEST = 2 ** 20;
/** More than any underflow can take off a sum or product (each loses at most 2⁻¹⁰⁷⁵). */
const UNDERFLOW = 2 ** -1000;

/** The largest of `x[from..to)`, or NaN when one of them is negative, NaN or too large. */
function largest(x: Float64Array, from: number, to: number): number {
  let max = 0;
  for (let k = from; k < to; k++) {
    const v = x[k] as number;
    if (!(v >= 0)) return Number.NaN;
    if (v > max) max = v;
  }
  return max <= LARGEST ? max : Number.NaN;
}

/** The exact SMA at bar `i`: the library's left-to-right sum from 0, then the division. */
function exactMean(x: Float64Array, i: number, period: number): number {
  let s = 0;
  for (let k = i - period + 1; k <= i; k++) s += x[k] as number;
  return s / period;
}

/** Twice the bound on `|S − W|` after `bars` bars of a block (see the module comment). */
function sumBound(period: number, bars: number, max: number): number {
  return 2 * U * (period * period + bars * (period + 2)) * max;
}

/** The running sums of {@link smaRelation} while {@link decided} advances them. */
const running = new Float64Array(2);

/**
 * From bar `i` (before `end`), the first bar at which the running sums `sums` do not put
 * `D = S_a·q − S_b·p` beyond `threshold` on the side `sign` (1: above, −1: below), or `end`;
 * `sums` are left at that bar's windows. The same sums, in the same order, as bar by bar:
 * a loop of its own, with nothing but the sums in it, which compiles to a few instructions
 * a bar (a crossover's runs are long, so nearly every bar goes through here).
 */
function decided(
  x: Float64Array,
  p: number,
  y: Float64Array,
  q: number,
  i: number,
  end: number,
  threshold: number,
  sign: number,
  sums: Float64Array,
): number {
  let sa = sums[0] as number;
  let sb = sums[1] as number;
  for (;;) {
    // `−d > t` is `d < −t` exactly (sign changes are exact; NaN compares false either way)
    if (!(sign * (sa * q - sb * p) > threshold)) break;
    if (++i === end) break;
    sa += (x[i] as number) - (x[i - p] as number);
    sb += (y[i] as number) - (y[i - q] as number);
  }
  sums[0] = sa;
  sums[1] = sb;
  return i;
}

/**
 * {@link decided} for two averages of the same series (the usual crossover: two SMAs of
 * the close): each bar's value is read once for both sums, the same number either way.
 */
function decidedOnOne(
  x: Float64Array,
  p: number,
  q: number,
  i: number,
  end: number,
  threshold: number,
  sign: number,
  sums: Float64Array,
): number {
  let sa = sums[0] as number;
  let sb = sums[1] as number;
  for (;;) {
    if (!(sign * (sa * q - sb * p) > threshold)) break;
    if (++i === end) break;
    const v = x[i] as number;
    sa += v - (x[i - p] as number);
    sb += v - (x[i - q] as number);
  }
  sums[0] = sa;
  sums[1] = sb;
  return i;
}

/**
 * How two series compare, as runs: from `starts[r]` up to the next run's start (or the
 * end), the relation is `codes[r]` ({@link ABOVE}, {@link BELOW}, {@link EQUAL}, or 0 while
 * either is NaN). The first run starts at 0. Crossovers are rare, so runs are few.
 */
export interface RelationRuns {
  starts: number[];
  codes: number[];
}

/**
 * How `SMA(x, p)` compares with `SMA(y, q)` on every bar, exactly as their exact series
 * compare, as runs; `undefined` when a value is negative, NaN or too large, or a period
 * too long, for the bounds worked out here (compare the exact series then).
 */
export function smaRelation(
  x: Float64Array,
  p: number,
  y: Float64Array,
  q: number,
): RelationRuns | undefined {
  if (p > LONGEST || q > LONGEST) return undefined;
  const n = x.length;
  const starts = [0];
  const codes = [0];
  let current = 0;
  for (let start = Math.max(p, q) - 1; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    // one pass when both average the same series: the wider window's values bound both
    const xMax = largest(x, start - (y === x ? Math.max(p, q) : p) + 1, end);
    const yMax = y === x ? xMax : largest(y, start - q + 1, end);
    if (Number.isNaN(xMax) || Number.isNaN(yMax)) return undefined;
    const ea = sumBound(p, end - start, xMax);
    const eb = sumBound(q, end - start, yMax);
    const threshold =
      2 * (q * (ea + (p + 4) * U * (p * xMax + ea)) + p * (eb + (q + 4) * U * (q * yMax + eb))) +
      UNDERFLOW;
    // the block's first windows, summed from 0 as the exact kernel does
    let sa = 0;
    for (let k = start - p + 1; k <= start; k++) sa += x[k] as number;
    let sb = 0;
    for (let k = start - q + 1; k <= start; k++) sb += y[k] as number;
    const sums = running;
    sums[0] = sa;
    sums[1] = sb;
    for (let i = start; i < end; i++) {
      // the bars the sums decide the same way as the run so far need no bookkeeping
      if (current === ABOVE || current === BELOW) {
        const sign = current === ABOVE ? 1 : -1;
        i =
          y === x
            ? decidedOnOne(x, p, q, i, end, threshold, sign, sums)
            : decided(x, p, y, q, i, end, threshold, sign, sums);
        if (i === end) break;
      }
      const d = sums[0] * q - sums[1] * p;
      let code = current;
      if (d > threshold) code = ABOVE;
      else if (d < -threshold) code = BELOW;
      else {
        const a = exactMean(x, i, p);
        const b = exactMean(y, i, q);
        code = a > b ? ABOVE : a < b ? BELOW : EQUAL;
      }
      // the relation holds for runs of bars: only a change is written
      if (code !== current) {
        starts.push(i);
        codes.push(code);
        current = code;
      }
      if (i + 1 < end) {
        sums[0] += (x[i + 1] as number) - (x[i + 1 - p] as number);
        sums[1] += (y[i + 1] as number) - (y[i + 1 - q] as number);
      }
    }
  }
  return { starts, codes };
}
