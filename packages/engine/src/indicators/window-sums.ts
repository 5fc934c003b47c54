/**
 * The window loops of the SMA and Bollinger kernels (./kernels.ts): each window re-summed
 * left to right from 0, as `trading-signals` does (a running sum would drift from it),
 * several windows at a time so that their independent chains overlap.
 */

/**
 * `out[i]` = the mean of `x[i - period + 1 ..= i]`, summed left to right from 0, for every
 * window that starts at `from` or later. Eight windows at a time: their sums are
 * independent chains the CPU overlaps, while each chain keeps the library's order; each
 * price is loaded once and handed down the chains (`v0` … `v7`) as the windows slide.
 */
export function windowMeans(
  x: Float64Array,
  from: number,
  period: number,
  out: Float64Array,
): void {
  const n = x.length;
  let i = from + period - 1;
  for (; i + 7 < n; i += 8) {
    const start = i - period + 1;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    let v0 = x[start] as number;
    let v1 = x[start + 1] as number;
    let v2 = x[start + 2] as number;
    let v3 = x[start + 3] as number;
    let v4 = x[start + 4] as number;
    let v5 = x[start + 5] as number;
    let v6 = x[start + 6] as number;
    for (let k = start + 7; k <= i + 7; k++) {
      const v7 = x[k] as number;
      s0 += v0;
      s1 += v1;
      s2 += v2;
      s3 += v3;
      s4 += v4;
      s5 += v5;
      s6 += v6;
      s7 += v7;
      v0 = v1;
      v1 = v2;
      v2 = v3;
      v3 = v4;
      v4 = v5;
      v5 = v6;
      v6 = v7;
    }
    out[i] = s0 / period;
    out[i + 1] = s1 / period;
    out[i + 2] = s2 / period;
    out[i + 3] = s3 / period;
    out[i + 4] = s4 / period;
    out[i + 5] = s5 / period;
    out[i + 6] = s6 / period;
    out[i + 7] = s7 / period;
  }
  for (; i < n; i++) {
    let s = 0;
    for (let k = i - period + 1; k <= i; k++) s += x[k] as number;
    out[i] = s / period;
  }
}

/**
 * The mean of `x[i - period + 1 ..= i]` alone, summed left to right from 0 exactly as
 * {@link windowMeans} sums it (so it equals that window's value bit for bit); `NaN` before
 * the first full window.
 */
export function windowMeanAt(x: Float64Array, period: number, i: number): number {
  if (i < period - 1 || i >= x.length) return Number.NaN;
  let s = 0;
  for (let k = i - period + 1; k <= i; k++) s += x[k] as number;
  return s / period;
}

/**
 * `out[i]` = the population variance of the same windows around their means `mean[i]`
 * (squared differences summed left to right from 0), four windows at a time, each price
 * loaded once and handed down the chains as in {@link windowMeans}.
 */
export function windowVariances(
  x: Float64Array,
  mean: Float64Array,
  period: number,
  out: Float64Array,
): void {
  const n = x.length;
  let i = period - 1;
  for (; i + 3 < n; i += 4) {
    const start = i - period + 1;
    const m0 = mean[i] as number;
    const m1 = mean[i + 1] as number;
    const m2 = mean[i + 2] as number;
    const m3 = mean[i + 3] as number;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let v0 = x[start] as number;
    let v1 = x[start + 1] as number;
    let v2 = x[start + 2] as number;
    for (let k = start + 3; k <= i + 3; k++) {
      const v3 = x[k] as number;
      const d0 = v0 - m0;
      const d1 = v1 - m1;
      const d2 = v2 - m2;
      const d3 = v3 - m3;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
      v0 = v1;
      v1 = v2;
      v2 = v3;
    }
    out[i] = s0 / period;
    out[i + 1] = s1 / period;
    out[i + 2] = s2 / period;
    out[i + 3] = s3 / period;
  }
  for (; i < n; i++) {
    const m = mean[i] as number;
    let s = 0;
    for (let k = i - period + 1; k <= i; k++) {
      const d = (x[k] as number) - m;
      s += d * d;
    }
    out[i] = s / period;
  }
}
