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
    stats.varianceSum = deviations(equity, mean);
    return stats;
  }
  const benchmarkMean = count > 0 ? sums.closeSum / count : 0;
  const both = deviationsWithBenchmark(equity, close, mean, benchmarkMean);
  stats.varianceSum = both.varianceSum;
  stats.benchmark = {
    mean: benchmarkMean,
    covariance: both.covariance,
    varianceSum: both.benchmarkVarianceSum,
  };
  return stats;
}

/** Σ (return − mean)² over bars 1..n−1. */
function deviations(equity: Float64Array, mean: number): number {
  let varianceSum = 0;
  let previous = equity[0] as number;
  for (let i = 1; i < equity.length; i++) {
    const e = equity[i] as number;
    varianceSum += (barReturn(previous, e) - mean) ** 2;
    previous = e;
  }
  return varianceSum;
}

/** {@link deviations}, and in the same pass the benchmark's (co)variance sums. */
function deviationsWithBenchmark(
  equity: Float64Array,
  close: Float64Array,
  mean: number,
  benchmarkMean: number,
): { varianceSum: number; covariance: number; benchmarkVarianceSum: number } {
  let varianceSum = 0;
  let covariance = 0;
  let benchmarkVarianceSum = 0;
  let previous = equity[0] as number;
  for (let i = 1; i < equity.length; i++) {
    const e = equity[i] as number;
    const deviation = barReturn(previous, e) - mean;
    varianceSum += deviation ** 2;
    const b = barReturn(close[i - 1] as number, close[i] as number) - benchmarkMean;
    covariance += deviation * b;
    benchmarkVarianceSum += b * b;
    previous = e;
  }
  return { varianceSum, covariance, benchmarkVarianceSum };
}
