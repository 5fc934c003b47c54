import type { Bars } from '../data/bars.js';
import { LONG, type Book } from './book.js';

/**
 * The bars a position is held through quietly: marked to each close while the bar's
 * prices reach no stop, target or ruin. Most held bars are such bars, so these loops are
 * most of the bar loop's time. Each is a function of its own over plain numbers and
 * typed arrays, one per kind of run (full: drawdown and excursions too; metrics: the
 * equity alone) and per kind of position (protected by a stop or target, or not): a loop
 * that tests `if (drawdown)` or reads the book on every bar keeps the tagged values live
 * across it, and the optimizing compiler then spills and re-checks its arrays every bar
 * (twice the time per bar, by the profile).
 *
 * The plain loops read each bar's open too (and a metrics-only one its high and low), which
 * their values do not need: the bar that ends a stretch goes through the full body, which
 * reads all four prices, and streamed here they are in the cache by then (see ./flat.ts,
 * which does the same for flat stretches). A NaN price (parsing refuses them) ends the
 * stretch, which keeps the reads from being compiled away; the full body takes that bar.
 * The protected loops read all four already.
 *
 * The values are those of the bar loop's full body, operation for operation:
 * `cash + side * units * close` with `side * units` worked out once (a sign change, which
 * is exact), the peak taken with `>`, the drawdown `peak > 0 ? 1 − value / peak : 0`.
 */

/** What a stretch leaves behind: where it stopped and the running figures. */
export interface HeldStretch {
  /** The first bar not marked (left for the loop's full body), or the stretch's end. */
  end: number;
  peak: number;
  lowest: number;
  highest: number;
}

/**
 * Marks the position `book` holds from bar `from` (before `to`) and returns where it
 * stopped, in `out`. With `drawdown` (a full run) it writes each bar's drawdown too and
 * follows the position's lowest low and highest high; without, the equity alone. The
 * stretch also ends at a bar that signals an exit (`exit`) or the reverse entry (`reverse`).
 */
export function markHeld(
  bars: Bars,
  book: Book,
  from: number,
  to: number,
  peak: number,
  equity: Float64Array,
  drawdown: Float64Array | undefined,
  exit: Uint8Array,
  reverse: Uint8Array,
  out: HeldStretch,
): void {
  const { stopPrice, takePrice, zeroAt, cash } = book;
  const long = book.side === LONG;
  const held = book.side * book.units;
  out.lowest = book.lowest;
  out.highest = book.highest;
  if (Number.isNaN(stopPrice) && Number.isNaN(takePrice)) {
    // no stop or target: only the ruin price can be reached, through the low (long) or the
    // high (short); `−x ≤ −z` is `x ≥ z` exactly (a sign change is exact, NaN compares false)
    const reached = long ? bars.low : bars.high;
    const sign = long ? 1 : -1;
    if (drawdown) {
      plainFull(
        bars,
        reached,
        sign,
        sign * zeroAt,
        from,
        to,
        cash,
        held,
        peak,
        equity,
        drawdown,
        exit,
        reverse,
        out,
      );
    } else {
      out.end = plainMetrics(
        bars,
        reached,
        sign,
        sign * zeroAt,
        from,
        to,
        cash,
        held,
        peak,
        equity,
        exit,
        reverse,
        out,
      );
    }
  } else if (drawdown) {
    protectedFull(
      bars,
      long,
      zeroAt,
      stopPrice,
      takePrice,
      from,
      to,
      cash,
      held,
      peak,
      equity,
      drawdown,
      exit,
      reverse,
      out,
    );
  } else {
    protectedMetrics(
      bars,
      long,
      zeroAt,
      stopPrice,
      takePrice,
      from,
      to,
      cash,
      held,
      peak,
      equity,
      exit,
      reverse,
      out,
    );
  }
}

function plainFull(
  bars: Bars,
  reached: Float64Array,
  sign: number,
  signedZero: number,
  from: number,
  to: number,
  cash: number,
  held: number,
  peak: number,
  equity: Float64Array,
  drawdown: Float64Array,
  exit: Uint8Array,
  reverse: Uint8Array,
  out: HeldStretch,
): void {
  const { open, low, high, close } = bars;
  let { lowest, highest } = out;
  let j = from;
  for (; j < to; j++) {
    if (
      sign * (reached[j] as number) <= signedZero ||
      ((exit[j] as number) | (reverse[j] as number)) !== 0 ||
      Number.isNaN(open[j])
    )
      break;
    const value = cash + held * (close[j] as number);
    equity[j] = value;
    if (value > peak) peak = value;
    drawdown[j] = peak > 0 ? 1 - value / peak : 0;
    lowest = Math.min(lowest, low[j] as number);
    highest = Math.max(highest, high[j] as number);
  }
  out.end = j;
  out.peak = peak;
  out.lowest = lowest;
  out.highest = highest;
}

/** {@link plainFull} without drawdown or excursions; returns the end (and sets the peak). */
function plainMetrics(
  bars: Bars,
  reached: Float64Array,
  sign: number,
  signedZero: number,
  from: number,
  to: number,
  cash: number,
  held: number,
  peak: number,
  equity: Float64Array,
  exit: Uint8Array,
  reverse: Uint8Array,
  out: HeldStretch,
): number {
  const { open, high, low, close } = bars;
  let j = from;
  for (; j < to; j++) {
    if (
      sign * (reached[j] as number) <= signedZero ||
      ((exit[j] as number) | (reverse[j] as number)) !== 0 ||
      Number.isNaN((open[j] as number) + (high[j] as number) + (low[j] as number))
    )
      break;
    const value = cash + held * (close[j] as number);
    equity[j] = value;
    if (value > peak) peak = value;
  }
  out.peak = peak;
  return j;
}

/** Whether a bar's range or open reaches the ruin price, the stop or the target. */
function reaches(
  long: boolean,
  o: number,
  h: number,
  l: number,
  zeroAt: number,
  stop: number,
  take: number,
): boolean {
  return long
    ? l <= zeroAt || l <= stop || o <= stop || h >= take || o >= take
    : h >= zeroAt || h >= stop || o >= stop || l <= take || o <= take;
}

function protectedFull(
  bars: Bars,
  long: boolean,
  zeroAt: number,
  stop: number,
  take: number,
  from: number,
  to: number,
  cash: number,
  held: number,
  peak: number,
  equity: Float64Array,
  drawdown: Float64Array,
  exit: Uint8Array,
  reverse: Uint8Array,
  out: HeldStretch,
): void {
  const { open, low, high, close } = bars;
  let { lowest, highest } = out;
  let j = from;
  for (; j < to; j++) {
    const l = low[j] as number;
    const h = high[j] as number;
    if (reaches(long, open[j] as number, h, l, zeroAt, stop, take)) break;
    if (((exit[j] as number) | (reverse[j] as number)) !== 0) break;
    const value = cash + held * (close[j] as number);
    equity[j] = value;
    if (value > peak) peak = value;
    drawdown[j] = peak > 0 ? 1 - value / peak : 0;
    lowest = Math.min(lowest, l);
    highest = Math.max(highest, h);
  }
  out.end = j;
  out.peak = peak;
  out.lowest = lowest;
  out.highest = highest;
}

function protectedMetrics(
  bars: Bars,
  long: boolean,
  zeroAt: number,
  stop: number,
  take: number,
  from: number,
  to: number,
  cash: number,
  held: number,
  peak: number,
  equity: Float64Array,
  exit: Uint8Array,
  reverse: Uint8Array,
  out: HeldStretch,
): void {
  const { open, low, high, close } = bars;
  let j = from;
  for (; j < to; j++) {
    const o = open[j] as number;
    if (reaches(long, o, high[j] as number, low[j] as number, zeroAt, stop, take)) break;
    if (((exit[j] as number) | (reverse[j] as number)) !== 0) break;
    const value = cash + held * (close[j] as number);
    equity[j] = value;
    if (value > peak) peak = value;
  }
  out.end = j;
  out.peak = peak;
}
