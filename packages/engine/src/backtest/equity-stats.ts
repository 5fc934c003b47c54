/**
 * The sums the metrics and the buy-and-hold benchmark are made of, in two passes over the
 * equity curve (and the closes, for the benchmark) instead of one or two passes per figure:
 * a run over a million bars is bound by memory, so each pass saved is a re-read of
 * megabytes saved. The first pass (./return-sums.ts) is taken by the bar loop as it writes
 * the equity, or here when the caller has not. Every sum is accumulated in the order and
 * with the operations the figures were defined with (per-bar returns from bar 1 up, each
 * added as it comes), so the figures built from them are bit for bit those of computing
 * each on its own (test/equity-stats.test.ts holds them to such a reference).
 */

import { barReturn, ReturnSumsFeed, type ReturnSums } from './return-sums.js';

/** The benchmark's share of {@link EquityStats}: buy and hold's per-bar returns. */
export interface BenchmarkSums {
  /** Mean of the closes' per-bar returns (bars 1..n−1). */
  mean: number;
  /** Σ (strategy return − its mean) · (benchmark return − its mean). */
  covariance: number;
  /** Σ (benchmark return − its mean)². */
  varianceSum: number;
}

/** The per-bar return and drawdown sums of an equity curve. */
export interface EquityStats {
  /** Returns counted: bars 1..n−1. */
  count: number;
  /** Their mean (0 when there are none). */
  mean: number;
  /** Σ (return − mean)². */
  varianceSum: number;
  /** Σ of the negative returns' squares. */
  downsideSq: number;
  /** Largest fall below the running peak, as a fraction of it (peak from bar 0). */
  maxDrawdown: number;
  /** Longest run of bars below the peak. */
  maxDrawdownDuration: number;
  /** With the closes: buy and hold's sums. */
  benchmark?: BenchmarkSums;
}

/**
 * The sums of `equity`'s per-bar returns and drawdowns, and with `close` buy and hold's
 * (its returns against the strategy's, for beta and alpha). The first pass sums the
 * returns (the closes' too) and tracks the drawdowns: `sums`, when the caller has taken it
 * already (a {@link ReturnSumsFeed} over these same arrays, finished), or here. The second,
 * which needs the means, sums the squared deviations. The returns are recomputed there
 * rather than stored: a division costs less than writing and re-reading a per-bar buffer.
 * Each loop is a function of its own, with nothing after it that the optimizing compiler
 * has not seen run: a loop compiled while running (a million bars is long enough)
 * otherwise leaves it on the first unseen line.
 */
export function equityStats(
  equity: Float64Array,
  close?: Float64Array,
  sums: ReturnSums = new ReturnSumsFeed(equity, close).finish(),
): EquityStats {
  const count = Math.max(0, equity.length - 1);
  const mean = count > 0 ? sums.sum / count : 0;
  const stats: EquityStats = {
    count,
    mean,
    varianceSum: 0,
    downsideSq: sums.downsideSq,
    maxDrawdown: sums.maxDrawdown,
    maxDrawdownDuration: sums.maxDrawdownDuration,
  };
  if (!close) {
    stats.varianceSum = deviations(equity, mean, sums.zeroReturns);
    return stats;
  }
  const benchmarkMean = count > 0 ? sums.closeSum / count : 0;
  const both = deviationsWithBenchmark(equity, close, mean, benchmarkMean, sums.zeroReturns);
  stats.varianceSum = both.varianceSum;
  stats.benchmark = {
    mean: benchmarkMean,
    covariance: both.covariance,
    varianceSum: both.benchmarkVarianceSum,
  };
  return stats;
}

// The second pass goes stretch by stretch: between the stretches of `zero` (`[from, to)`
// pairs, in order, of bars whose return the first pass found to be 0) it works out each
// bar's return; in them it adds the deviation of a 0 return, the same number a bar, and
// reads no equity. The sums are added bar by bar in order either way.

/** Σ (return − mean)² over bars 1..n−1. */
function deviations(equity: Float64Array, mean: number, zero: readonly number[]): number {
  const n = equity.length;
  const flat = (0 - mean) ** 2;
  let varianceSum = 0;
  let from = 1;
  for (let k = 0; ; k += 2) {
    const to = k < zero.length ? (zero[k] as number) : n;
    varianceSum = deviationRange(equity, mean, from, to, varianceSum);
    if (k >= zero.length) return varianceSum;
    from = zero[k + 1] as number;
    for (let i = to; i < from; i++) varianceSum += flat;
  }
}

/** `varianceSum` plus the squared deviations of bars `from..to−1` (from 1 on). */
function deviationRange(
  equity: Float64Array,
  mean: number,
  from: number,
  to: number,
  varianceSum: number,
): number {
  let sum = varianceSum;
  let previous = equity[from - 1] as number;
  for (let i = from; i < to; i++) {
    const e = equity[i] as number;
    sum += (barReturn(previous, e) - mean) ** 2;
    previous = e;
  }
  return sum;
}

// the running sums of the second pass with the benchmark, slots of the Float64Array
// `deviationsWithBenchmark` carries from stretch to stretch
const VARIANCE = 0;
const COVARIANCE = 1;
const BENCHMARK_VARIANCE = 2;

/** {@link deviations}, and in the same pass the benchmark's (co)variance sums. */
function deviationsWithBenchmark(
  equity: Float64Array,
  close: Float64Array,
  mean: number,
  benchmarkMean: number,
  zero: readonly number[],
): { varianceSum: number; covariance: number; benchmarkVarianceSum: number } {
  const n = equity.length;
  const s = new Float64Array(3);
  let from = 1;
  for (let k = 0; ; k += 2) {
    const to = k < zero.length ? (zero[k] as number) : n;
    benchmarkRange(equity, close, mean, benchmarkMean, from, to, s);
    if (k >= zero.length) break;
    from = zero[k + 1] as number;
    zeroReturnRange(close, mean, benchmarkMean, to, from, s);
  }
  return {
    varianceSum: s[VARIANCE] as number,
    covariance: s[COVARIANCE] as number,
    benchmarkVarianceSum: s[BENCHMARK_VARIANCE] as number,
  };
}

/** Bars `from..to−1` (from 1 on) of {@link deviationsWithBenchmark}, into `s`. */
function benchmarkRange(
  equity: Float64Array,
  close: Float64Array,
  mean: number,
  benchmarkMean: number,
  from: number,
  to: number,
  s: Float64Array,
): void {
  let varianceSum = s[VARIANCE] as number;
  let covariance = s[COVARIANCE] as number;
  let benchmarkVarianceSum = s[BENCHMARK_VARIANCE] as number;
  let previous = equity[from - 1] as number;
  for (let i = from; i < to; i++) {
    const e = equity[i] as number;
    const deviation = barReturn(previous, e) - mean;
    varianceSum += deviation ** 2;
    const b = barReturn(close[i - 1] as number, close[i] as number) - benchmarkMean;
    covariance += deviation * b;
    benchmarkVarianceSum += b * b;
    previous = e;
  }
  s[VARIANCE] = varianceSum;
  s[COVARIANCE] = covariance;
  s[BENCHMARK_VARIANCE] = benchmarkVarianceSum;
}

/** {@link benchmarkRange} over bars whose return is 0: no equity read. */
function zeroReturnRange(
  close: Float64Array,
  mean: number,
  benchmarkMean: number,
  from: number,
  to: number,
  s: Float64Array,
): void {
  const deviation = 0 - mean;
  const squared = deviation ** 2;
  let varianceSum = s[VARIANCE] as number;
  let covariance = s[COVARIANCE] as number;
  let benchmarkVarianceSum = s[BENCHMARK_VARIANCE] as number;
  for (let i = from; i < to; i++) {
    varianceSum += squared;
    const b = barReturn(close[i - 1] as number, close[i] as number) - benchmarkMean;
    covariance += deviation * b;
    benchmarkVarianceSum += b * b;
  }
  s[VARIANCE] = varianceSum;
  s[COVARIANCE] = covariance;
  s[BENCHMARK_VARIANCE] = benchmarkVarianceSum;
}
