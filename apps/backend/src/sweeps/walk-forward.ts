import { ValidationError } from '@ktrdr/server-kit';

/** One window, as bar times (epoch ms, inclusive). */
export interface WindowSpan {
  inSample: { start: number; end: number };
  outOfSample: { start: number; end: number };
}

/**
 * Rolling walk-forward windows over bar times: in-sample `inSample` bars, then the
 * `outOfSample` bars that follow; the next window starts `outOfSample` bars later, so the
 * out-of-sample spans tile the range without overlap.
 */
export function walkForwardWindows(
  times: ArrayLike<number>,
  inSample: number,
  outOfSample: number,
): WindowSpan[] {
  const windows: WindowSpan[] = [];
  for (let i = 0; i + inSample + outOfSample <= times.length; i += outOfSample) {
    windows.push({
      inSample: { start: times[i]!, end: times[i + inSample - 1]! },
      outOfSample: { start: times[i + inSample]!, end: times[i + inSample + outOfSample - 1]! },
    });
  }
  if (windows.length === 0)
    throw new ValidationError(
      'walk_forward',
      `the range has ${times.length} bars; one window needs in_sample_bars + out_of_sample_bars = ${inSample + outOfSample}: widen the range or shorten the windows`,
    );
  return windows;
}

/** A point of an equity curve. */
export interface EquityPoint {
  time: number;
  equity: number;
}

/**
 * Chains out-of-sample equity curves: each segment is scaled to start where the previous
 * one ended, as if one account had traded them in a row. Also the stitched curve's total
 * return and maximum drawdown (fractions).
 */
export function stitchEquity(segments: EquityPoint[][]): {
  curve: EquityPoint[];
  metrics: { total_return: number; max_drawdown: number };
} {
  const curve: EquityPoint[] = [];
  for (const segment of segments) {
    if (segment.length === 0) continue;
    const first = segment[0]!.equity;
    const carry = curve.length === 0 ? first : curve[curve.length - 1]!.equity;
    const scale = first === 0 ? 1 : carry / first;
    for (const point of segment) {
      if (curve.length > 0 && point.time <= curve[curve.length - 1]!.time) continue;
      curve.push({ time: point.time, equity: point.equity * scale });
    }
  }
  let peak = -Infinity;
  let maxDrawdown = 0;
  for (const { equity } of curve) {
    peak = Math.max(peak, equity);
    if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - equity) / peak);
  }
  const start = curve[0]?.equity ?? 0;
  const end = curve[curve.length - 1]?.equity ?? 0;
  return {
    curve,
    metrics: { total_return: start > 0 ? end / start - 1 : 0, max_drawdown: maxDrawdown },
  };
}
