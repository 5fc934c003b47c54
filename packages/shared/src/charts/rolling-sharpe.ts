/**
 * The rolling Sharpe ratio of an equity curve (docs/metrics.md): at bar i, the Sharpe of
 * the `window` per-bar returns ending at i, annualized as the engine's `sharpe_ratio` is —
 * mean over sample standard deviation × √(bars per year), bars per year measured over the
 * whole run ((n − 1) / calendar years of 365.25 days), risk-free rate 0. A window with no
 * variation (flat, out of the market) reads 0, as the engine's Sharpe does.
 */

const YEAR_MS = 365.25 * 86_400_000;

/** Why `window` cannot be used over a curve of `points` points, or null when it can. */
export function rollingSharpeWindowError(window: number, points: number): string | null {
  const returns = Math.max(0, points - 1);
  if (returns < 2)
    return `the run has ${returns} bar return${returns === 1 ? '' : 's'}: too few for a rolling Sharpe`;
  if (!Number.isFinite(window) || !Number.isInteger(window))
    return `window must be a whole number of bars, not ${String(window)}`;
  if (window < 2)
    return `window must be at least 2 bars (a standard deviation needs two returns), not ${window}`;
  if (window > returns)
    return `window of ${window.toLocaleString('en-US')} bars is longer than the run (${returns.toLocaleString('en-US')} bar returns)`;
  return null;
}

/**
 * The rolling Sharpe at every bar from `window` on (the first bar with `window` returns
 * before and including it). Throws the {@link rollingSharpeWindowError} message for a bad
 * window: a window is never clamped.
 */
export function rollingSharpe(
  time: ArrayLike<number>,
  equity: ArrayLike<number>,
  window: number,
): { time: number[]; value: number[] } {
  const n = equity.length;
  const error = rollingSharpeWindowError(window, n);
  if (error) throw new RangeError(error);
  const years = ((time[n - 1] as number) - (time[0] as number)) / YEAR_MS;
  const scale = years > 0 ? Math.sqrt((n - 1) / years) : 0;
  const r = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const previous = equity[i - 1] as number;
    r[i] = previous > 0 ? (equity[i] as number) / previous - 1 : 0;
  }
  const out = { time: [] as number[], value: [] as number[] };
  // sliding sums, summed afresh every `window` bars so rounding cannot build up over a
  // long run (O(n) all the same); `nonZero` tells an exactly flat window from one whose
  // sums merely round to nearly nothing
  let sum = 0;
  let sumSq = 0;
  let nonZero = 0;
  for (let i = 1; i < n; i++) {
    const x = r[i] as number;
    sum += x;
    sumSq += x * x;
    if (x !== 0) nonZero++;
    if (i > window) {
      const y = r[i - window] as number;
      sum -= y;
      sumSq -= y * y;
      if (y !== 0) nonZero--;
    }
    if (i < window) continue;
    if ((i - window) % window === 0) {
      sum = 0;
      sumSq = 0;
      for (let j = i - window + 1; j <= i; j++) {
        sum += r[j] as number;
        sumSq += (r[j] as number) ** 2;
      }
    }
    const mean = sum / window;
    const variance = Math.max(0, (sumSq - sum * mean) / (window - 1));
    const std = Math.sqrt(variance);
    out.time.push(time[i] as number);
    out.value.push(nonZero > 0 && std > 0 ? (mean / std) * scale : 0);
  }
  return out;
}

/**
 * At most `max` points of a line for display, evenly spaced, always keeping the first
 * and the last (so the chart ends where the series ends).
 */
export function thinLine<T extends { time: number[]; value: (number | null)[] }>(
  line: T,
  max: number,
): T {
  const n = line.time.length;
  if (n <= max || max < 2) return line;
  const step = (n - 1) / (max - 1);
  const time: number[] = [];
  const value: (number | null)[] = [];
  for (let k = 0; k < max; k++) {
    const i = Math.round(k * step);
    time.push(line.time[i] as number);
    value.push(line.value[i] as number | null);
  }
  return { ...line, time, value };
}
