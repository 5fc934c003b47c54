/**
 * Batch kernels: whole-series versions of `trading-signals`' streaming indicators that give
 * the library's values exactly, bit for bit. Each one repeats the library's arithmetic in
 * the library's order (a window's mean is re-summed left to right from 0, as its
 * `getAverage` does, never kept as a running sum, which would drift from it), so only the
 * bookkeeping is gone: no per-value objects, arrays that shift, or try/catch for "stable".
 * `trading-signals` stays the reference; test/indicator-kernels.test.ts holds each kernel
 * to it. Outputs are `NaN` until the library would call the indicator stable.
 */

import { windowMeans, windowVariances } from './window-sums.js';

/**
 * Where a kernel's outputs come from: fresh arrays, or ones lent for a run (a lone
 * backtest gives its indicator series back once its flags are set). A kernel writes every
 * value of each output, so what a lent array held before never shows.
 */
export type Allocate = (n: number) => Float64Array;

const fresh: Allocate = (n) => new Float64Array(n);

/**
 * An output of `n` values, `NaN` before `first` (the warm-up); a kernel writes every value
 * from `first` on, so only the warm-up is filled.
 */
function series(n: number, first: number, alloc: Allocate = fresh): Float64Array {
  return alloc(n).fill(Number.NaN, 0, Math.max(0, Math.min(n, first)));
}

/** `SMA(period)`: the window mean, from bar `period - 1`. */
export function smaKernel(x: Float64Array, period: number, alloc?: Allocate): Float64Array {
  const out = series(x.length, period - 1, alloc);
  windowMeans(x, 0, period, out);
  return out;
}

/**
 * The raw recursion of `EMA(period)` over `x[from..]`: `x·w + previous·(1 − w)`, its first
 * value `x·w + x·(1 − w)` (the library seeds `previous` with the price itself). Values at
 * every index from `from` on, stable or not: MACD reads them before they are stable.
 */
function emaRecursion(x: Float64Array, from: number, period: number, out: Float64Array): void {
  const w = 2 / (period + 1);
  const rest = 1 - w;
  const n = x.length;
  if (from >= n) return;
  let previous = x[from] as number;
  for (let i = from; i < n; i++) {
    const value = (x[i] as number) * w + previous * rest;
    out[i] = value;
    previous = value;
  }
}

/** `EMA(period)`: stable once it has seen `period` prices. */
export function emaKernel(x: Float64Array, period: number, alloc = fresh): Float64Array {
  const out = alloc(x.length);
  emaRecursion(x, 0, period, out);
  return out.fill(Number.NaN, 0, Math.min(x.length, period - 1));
}

/**
 * `d` when it is positive, else +0: exactly (2d is exact and so is halving it), NaN for NaN,
 * and without the branches of `Math.max(d, 0)`, which tests for NaN and signed zeros.
 */
function positivePart(d: number): number {
  return (d + Math.abs(d)) * 0.5;
}

/**
 * `RSI(period)`, stable at bar `period`: gains and losses each smoothed by `WSMA(period)`
 * (Wilder's: the mean of the first `period`, then `(x − previous)·(1/period) + previous`).
 * The library keeps only `period` prices to find the previous one, so with period 1 it
 * never sees two and never produces a value: neither does this.
 *
 * The library takes the gain when the price rose and the loss otherwise (the other side
 * 0); `positivePart(rise)` and `positivePart(fall)` are those same values without a branch
 * the CPU mispredicts half the time. They differ only where a price is NaN (both NaN
 * rather than one), and there the loss is NaN either way, so every RSI from that bar on is
 * NaN in both.
 */
export function rsiKernel(x: Float64Array, period: number, alloc?: Allocate): Float64Array {
  const n = x.length;
  const out = series(n, period < 2 ? n : period, alloc);
  if (period < 2 || n <= period) return out;
  // the seeds: gains and losses of bars 1..period, summed in order
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const current = x[i] as number;
    const previous = x[i - 1] as number;
    gain += positivePart(current - previous);
    loss += positivePart(previous - current);
  }
  gain /= period;
  loss /= period;
  out[period] = loss === 0 ? 100 : 100 - 100 / (gain / loss + 1);
  const factor = 1 / period;
  for (let i = period + 1; i < n; i++) {
    const current = x[i] as number;
    const previous = x[i - 1] as number;
    gain = (positivePart(current - previous) - gain) * factor + gain;
    loss = (positivePart(previous - current) - loss) * factor + loss;
    out[i] = loss === 0 ? 100 : 100 - 100 / (gain / loss + 1);
  }
  return out;
}

/** `ROC(period)`: `(x − x[i − period]) / x[i − period]`, from bar `period`. */
export function rocKernel(x: Float64Array, period: number, alloc?: Allocate): Float64Array {
  const n = x.length;
  const out = series(n, period, alloc);
  for (let i = period; i < n; i++) {
    const compare = x[i - period] as number;
    out[i] = ((x[i] as number) - compare) / compare;
  }
  return out;
}

/** `ATR(period)`: Wilder's smoothing (as in RSI) of the true range, high − low on bar 0. */
export function atrKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
): Float64Array {
  const n = close.length;
  const out = series(n, period - 1);
  const trueRange = (i: number) => {
    const h = high[i] as number;
    const l = low[i] as number;
    if (i === 0) return h - l;
    const previousClose = close[i - 1] as number;
    return Math.max(h - l, Math.abs(h - previousClose), Math.abs(l - previousClose));
  };
  if (period > n) return out;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += trueRange(i);
  let average = sum / period;
  out[period - 1] = average;
  const factor = 1 / period;
  for (let i = period; i < n; i++) {
    average = (trueRange(i) - average) * factor + average;
    out[i] = average;
  }
  return out;
}

/**
 * Highest `high` and lowest `low` of each `period`-bar window ending at `i ≥ period − 1`,
 * with monotonic deques (a maximum is exact, so any algorithm finds the library's).
 */
function windowExtremes(
  high: Float64Array,
  low: Float64Array,
  period: number,
): { highest: Float64Array; lowest: Float64Array } {
  const n = high.length;
  const highest = series(n, period - 1);
  const lowest = series(n, period - 1);
  const maxQ = new Int32Array(n);
  const minQ = new Int32Array(n);
  let maxHead = 0;
  let maxTail = 0;
  let minHead = 0;
  let minTail = 0;
  for (let i = 0; i < n; i++) {
    const h = high[i] as number;
    const l = low[i] as number;
    while (maxTail > maxHead && (high[maxQ[maxTail - 1] as number] as number) < h) maxTail--;
    maxQ[maxTail++] = i;
    while (minTail > minHead && (low[minQ[minTail - 1] as number] as number) > l) minTail--;
    minQ[minTail++] = i;
    const start = i - period + 1;
    if ((maxQ[maxHead] as number) < start) maxHead++;
    if ((minQ[minHead] as number) < start) minHead++;
    if (start >= 0) {
      highest[i] = high[maxQ[maxHead] as number] as number;
      lowest[i] = low[minQ[minHead] as number] as number;
    }
  }
  return { highest, lowest };
}

/** `WilliamsR(period)`: −100 · (highest − close) / (highest − lowest), −100 on a flat window. */
export function williamsRKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
): Float64Array {
  const n = close.length;
  const out = series(n, period - 1);
  const { highest, lowest } = windowExtremes(high, low, period);
  for (let i = period - 1; i < n; i++) {
    const top = highest[i] as number;
    const divisor = top - (lowest[i] as number);
    out[i] = divisor === 0 ? -100 : ((top - (close[i] as number)) / divisor) * -100;
  }
  return out;
}

/**
 * `StochasticOscillator`: fast %K over `kPeriod` bars, %K its `smoothing`-bar SMA and %D the
 * `dPeriod`-bar SMA of %K; both output once %D exists.
 */
export function stochasticKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod: number,
  dPeriod: number,
  smoothing: number,
): { k: Float64Array; d: Float64Array } {
  const n = close.length;
  const { highest, lowest } = windowExtremes(high, low, kPeriod);
  const fastK = new Float64Array(n);
  for (let i = kPeriod - 1; i < n; i++) {
    const bottom = lowest[i] as number;
    const divisor = (highest[i] as number) - bottom;
    const scaled = ((close[i] as number) - bottom) * 100;
    fastK[i] = scaled / (divisor === 0 ? 1 : divisor);
  }
  const kFrom = kPeriod - 1;
  const dFrom = kFrom + smoothing - 1;
  const k = new Float64Array(n);
  windowMeans(fastK, kFrom, smoothing, k);
  const d = series(n, dFrom + dPeriod - 1);
  windowMeans(k, dFrom, dPeriod, d);
  // %K shows only once %D does
  k.fill(Number.NaN, 0, Math.min(n, dFrom + dPeriod - 1));
  return { k, d };
}

/**
 * `MACD(EMA(fast), EMA(slow), EMA(signal))`: the line from bar `slow − 1` (the EMAs' raw
 * values, stable or not, as the library subtracts them), the signal line (an EMA of the
 * line) and the histogram once the signal line is stable.
 */
export function macdKernel(
  x: Float64Array,
  fast: number,
  slow: number,
  signalPeriod: number,
): { line: Float64Array; signal: Float64Array; histogram: Float64Array } {
  const n = x.length;
  const from = slow - 1;
  const stableFrom = from + signalPeriod - 1;
  const line = series(n, from);
  const fastW = 2 / (fast + 1);
  const fastRest = 1 - fastW;
  const slowW = 2 / (slow + 1);
  const slowRest = 1 - slowW;
  let fastEma = n > 0 ? (x[0] as number) : 0;
  let slowEma = fastEma;
  for (let i = 0; i < n; i++) {
    const price = x[i] as number;
    fastEma = price * fastW + fastEma * fastRest;
    slowEma = price * slowW + slowEma * slowRest;
    if (i >= from) line[i] = fastEma - slowEma;
  }
  const signal = new Float64Array(n);
  emaRecursion(line, from, signalPeriod, signal);
  signal.fill(Number.NaN, 0, Math.min(n, stableFrom));
  const histogram = series(n, stableFrom);
  for (let i = stableFrom; i < n; i++) histogram[i] = (line[i] as number) - (signal[i] as number);
  return { line, signal, histogram };
}

/**
 * `BollingerBands(period, stddev)`: the window mean, the population standard deviation
 * around it (squared differences re-summed left to right, as the library does), the bands
 * at `stddev` deviations, and their width relative to the middle (`NaN` when it is 0).
 */
export function bollingerKernel(
  x: Float64Array,
  period: number,
  deviations: number,
  alloc?: Allocate,
): { middle: Float64Array; upper: Float64Array; lower: Float64Array; width: Float64Array } {
  const n = x.length;
  const middle = series(n, period - 1, alloc);
  const upper = series(n, period - 1, alloc);
  const lower = series(n, period - 1, alloc);
  const width = series(n, period - 1, alloc);
  windowMeans(x, 0, period, middle);
  // the variance goes where the upper band will be; each value is read before it is replaced
  windowVariances(x, middle, period, upper);
  for (let i = period - 1; i < n; i++) {
    const mean = middle[i] as number;
    const sd = Math.sqrt(upper[i] as number);
    const up = mean + sd * deviations;
    const down = mean - sd * deviations;
    upper[i] = up;
    lower[i] = down;
    width[i] = mean !== 0 ? (up - down) / mean : Number.NaN;
  }
  return { middle, upper, lower, width };
}
