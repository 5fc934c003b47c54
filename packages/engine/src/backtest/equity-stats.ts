/**
 * The sums the metrics and the buy-and-hold benchmark are made of, in two passes over the
 * equity curve (and the closes, for the benchmark) instead of one or two passes per figure:
 * a run over a million bars is bound by memory, so each pass saved is a re-read of
 * megabytes saved. Every sum is accumulated in the order and with the operations the
 * figures were defined with (per-bar returns from bar 1 up, each added as it comes), so the
 * figures built from them are bit for bit those of computing each on its own
 * (test/equity-stats.test.ts holds them to such a reference).
 */

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
 * Bar `i`'s simple return, `equity[i] / equity[i − 1] − 1`; 0 after a ruin (no capital
 * left to earn one on).
 */
function barReturn(previous: number, current: number): number {
  return previous > 0 ? current / previous - 1 : 0;
}

/**
 * The sums of `equity`'s per-bar returns and drawdowns, and with `close` buy and hold's
 * (its returns against the strategy's, for beta and alpha). The first pass sums the
 * returns (the closes' too) and tracks the drawdowns; the second, which needs the means, sums the squared
 * deviations. The returns are recomputed there rather than stored: a division costs less
 * than writing and re-reading a per-bar buffer. Each loop is a function of its own, with
 * nothing after it that the optimizing compiler has not seen run: a loop compiled while
 * running (a million bars is long enough) otherwise leaves it on the first unseen line.
 */
export function equityStats(equity: Float64Array, close?: Float64Array): EquityStats {
  const count = Math.max(0, equity.length - 1);
  // with the closes, their returns are summed in the equity's pass: the two sums are
  // independent chains of additions, which overlap in one loop where two loops wait on
  // each in turn
  const sums = close ? returnSumsWithCloses(equity, close) : returnSums(equity);
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

/** What the first pass sums: see {@link returnSums}; `closeSum` only with the closes. */
interface ReturnSums {
  sum: number;
  downsideSq: number;
  maxDrawdown: number;
  maxDrawdownDuration: number;
  closeSum: number;
}

/**
 * Σ returns, Σ negative returns², and the deepest and longest drawdown from bar 0's peak.
 * A drawdown is worked out once per stretch below a peak, from the stretch's lowest equity,
 * not on every bar of it: with the peak fixed and not negative, `1 − e / peak` only falls
 * as `e` rises (a rounded division and subtraction are monotonic), so the stretch's largest
 * is its lowest bar's, the same number. A negative peak or a NaN equity, where that does
 * not hold, takes every bar's.
 */
function returnSums(equity: Float64Array): ReturnSums {
  const n = equity.length;
  let sum = 0;
  let downsideSq = 0;
  let peak = equity[0] ?? 0;
  let maxDrawdown = 0;
  let underwaterSince = -1;
  let trough = 0;
  let maxDuration = 0;
  let previous = peak;
  for (let i = 0; i < n; i++) {
    const e = equity[i] as number;
    if (i > 0) {
      const r = barReturn(previous, e);
      sum += r;
      // `if (r < 0) downsideSq += r * r` without a branch (random returns mispredict one;
      // so does Math.min, which tests for NaN and signed zeros): (r − |r|) / 2 is exactly r
      // when r < 0 and +0 otherwise, and adding +0 changes no sum (r is never NaN)
      const down = (r - Math.abs(r)) * 0.5;
      downsideSq += down * down;
    }
    if (e >= peak) {
      if (underwaterSince >= 0) {
        // the stretch below the old peak ended at the bar before
        maxDrawdown = Math.max(maxDrawdown, 1 - trough / peak);
        maxDuration = Math.max(maxDuration, i - underwaterSince);
      }
      peak = e;
      underwaterSince = -1;
    } else {
      if (underwaterSince < 0) {
        underwaterSince = i;
        trough = e;
      } else if (e < trough) {
        trough = e;
      }
      if (!(peak >= 0) || Number.isNaN(e)) maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
    }
    previous = e;
  }
  if (underwaterSince >= 0) {
    maxDrawdown = Math.max(maxDrawdown, 1 - trough / peak);
    maxDuration = Math.max(maxDuration, n - underwaterSince);
  }
  return { sum, downsideSq, maxDrawdown, maxDrawdownDuration: maxDuration, closeSum: 0 };
}

/**
 * {@link returnSums}, and Σ of the closes' per-bar returns over bars 1..n−1 (in order) in
 * the same loop. The same body as {@link returnSums}, not a shared helper: a loop that
 * calls out or tests for the closes on every bar compiles to slower code.
 */
function returnSumsWithCloses(equity: Float64Array, close: Float64Array): ReturnSums {
  const n = equity.length;
  let sum = 0;
  let closeSum = 0;
  let downsideSq = 0;
  let peak = equity[0] ?? 0;
  let maxDrawdown = 0;
  let underwaterSince = -1;
  let trough = 0;
  let maxDuration = 0;
  let previous = peak;
  let previousClose = close[0] as number;
  for (let i = 0; i < n; i++) {
    const e = equity[i] as number;
    if (i > 0) {
      const r = barReturn(previous, e);
      sum += r;
      const down = (r - Math.abs(r)) * 0.5;
      downsideSq += down * down;
      const c = close[i] as number;
      closeSum += barReturn(previousClose, c);
      previousClose = c;
    }
    if (e >= peak) {
      if (underwaterSince >= 0) {
        maxDrawdown = Math.max(maxDrawdown, 1 - trough / peak);
        maxDuration = Math.max(maxDuration, i - underwaterSince);
      }
      peak = e;
      underwaterSince = -1;
    } else {
      if (underwaterSince < 0) {
        underwaterSince = i;
        trough = e;
      } else if (e < trough) {
        trough = e;
      }
      if (!(peak >= 0) || Number.isNaN(e)) maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
    }
    previous = e;
  }
  if (underwaterSince >= 0) {
    maxDrawdown = Math.max(maxDrawdown, 1 - trough / peak);
    maxDuration = Math.max(maxDuration, n - underwaterSince);
  }
  return { sum, downsideSq, maxDrawdown, maxDrawdownDuration: maxDuration, closeSum };
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
