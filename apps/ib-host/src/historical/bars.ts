/**
 * What becomes of the bars IB sent for the requests of one range: merged in time order
 * without duplicates, cut to the range, the bar still forming dropped. Pure.
 */

/** One bar, stamped with the start of its period (epoch ms UTC). */
export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The bars of a range in columnar form, as the wire contract carries them. */
export interface BarColumns {
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/**
 * The bars of several requests in time order, one per start time (requests may overlap at
 * their edges; the first request's bar wins, and IB sends the same bar to both anyway).
 */
export function mergeBars(parts: readonly (readonly Bar[])[]): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const part of parts) {
    for (const bar of part) if (!byTime.has(bar.time)) byTime.set(bar.time, bar);
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/** The bars that start within [startMs, endMs] (both inclusive). */
export function withinRange(bars: readonly Bar[], startMs: number, endMs: number): Bar[] {
  return bars.filter((bar) => bar.time >= startMs && bar.time <= endMs);
}

/**
 * A bar whose period has not ended at `nowMs` is still forming: its close, high, low and
 * volume will change, so it is never handed out (the next download picks it up complete).
 */
export function isForming(bar: Bar, barMs: number, nowMs: number): boolean {
  return bar.time + barMs > nowMs;
}

/** The bars without the ones still forming, and whether any was dropped. */
export function dropFormingBars(
  bars: readonly Bar[],
  barMs: number,
  nowMs: number,
): { bars: Bar[]; dropped: boolean } {
  const complete = bars.filter((bar) => !isForming(bar, barMs, nowMs));
  return { bars: complete, dropped: complete.length < bars.length };
}

/** Rows to columns. */
export function toColumns(bars: readonly Bar[]): BarColumns {
  return {
    time: bars.map((b) => b.time),
    open: bars.map((b) => b.open),
    high: bars.map((b) => b.high),
    low: bars.map((b) => b.low),
    close: bars.map((b) => b.close),
    volume: bars.map((b) => b.volume),
  };
}
