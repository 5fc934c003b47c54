import type { Bars } from '../data/bars.js';
import { equityStats, type EquityStats } from './equity-stats.js';
import type { TradeRecord } from './metrics.js';

const YEAR_MS = 365.25 * 86_400_000;

function round(value: number, digits = 10): number {
  if (!Number.isFinite(value)) return 0;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The index of `t` in the sorted `time` (the bar a trade event happened at). */
function indexOf(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((time[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index of the bar time at `index` (what {@link indexOf} finds for that time). */
function firstOfTime(time: Float64Array, index: number): number {
  let first = index;
  while (first > 0 && time[first - 1] === time[index]) first--;
  return first;
}

/**
 * A trade's maximum adverse and favourable excursions (fractions of the entry price, ≥ 0):
 * the worst and best prices it lived through — every bar's range from the entry bar up to
 * the exit bar, and on the exit bar only its exit price (what came after the exit on that
 * bar was not lived through).
 */
export function tradeExcursions(
  trade: TradeRecord,
  bars: Bars,
  at?: { entryIndex: number; exitIndex: number },
): { mae: number; mfe: number } {
  // the engine knows the bars a trade opened and closed at; anyone else has their times
  const from = at ? firstOfTime(bars.time, at.entryIndex) : indexOf(bars.time, trade.entryTime);
  const to = at ? firstOfTime(bars.time, at.exitIndex) : indexOf(bars.time, trade.exitTime);
  let lowest = trade.exitPrice;
  let highest = trade.exitPrice;
  const { low, high } = bars;
  for (let i = from; i < to; i++) {
    // prices are never NaN (parsing refuses them), so min and max pick what `<` and `>` would
    lowest = Math.min(lowest, low[i] as number);
    highest = Math.max(highest, high[i] as number);
  }
  return excursions(trade, lowest, highest);
}

/**
 * {@link tradeExcursions} of a trade the bar loop followed from its entry: `lowest` and
 * `highest` are the lows' minimum and the highs' maximum over the bars from its entry bar
 * up to its exit bar (NaN when the loop did not see it open: a trade open at a resume).
 * The minimum and maximum of the same prices, taken with the exit price in any order, are
 * the same numbers; only where bars share the entry's or the exit's time (where
 * {@link tradeExcursions} starts from the first of them) are the bars scanned again.
 */
export function followedExcursions(
  trade: TradeRecord,
  bars: Bars,
  at: { entryIndex: number; exitIndex: number; lowest: number; highest: number },
): { mae: number; mfe: number } {
  const { time } = bars;
  const { entryIndex, exitIndex } = at;
  const sharesTime = (i: number) => i > 0 && time[i - 1] === time[i];
  if (Number.isNaN(at.lowest) || sharesTime(entryIndex) || sharesTime(exitIndex))
    return tradeExcursions(trade, bars, at);
  return excursions(
    trade,
    Math.min(trade.exitPrice, at.lowest),
    Math.max(trade.exitPrice, at.highest),
  );
}

/** MAE and MFE from the lowest and highest prices a trade lived through. */
function excursions(
  trade: TradeRecord,
  lowest: number,
  highest: number,
): { mae: number; mfe: number } {
  const entry = trade.entryPrice;
  const long = trade.side === 'long';
  const adverse = long ? (entry - lowest) / entry : (highest - entry) / entry;
  const favourable = long ? (highest - entry) / entry : (entry - lowest) / entry;
  return { mae: round(Math.max(0, adverse)), mfe: round(Math.max(0, favourable)) };
}

/** Buy and hold of the same series over the same bars, and how the strategy compares. */
export interface Benchmark {
  buy_and_hold_return: number;
  /** The strategy's total return minus buy and hold's. */
  excess_return: number;
  /** Jensen's alpha, annualized (risk-free rate 0): the return not explained by beta. */
  alpha: number;
  /** Covariance of the per-bar returns with buy and hold's, over buy and hold's variance. */
  beta: number;
}

/**
 * The buy-and-hold benchmark: holding the series from the first bar's close to the last
 * (the same marks as the equity curve); beta from the per-bar returns, alpha as
 * `(mean strategy return − beta × mean benchmark return) × bars per year`.
 */
export function buyAndHold(
  time: Float64Array,
  close: Float64Array,
  equity: Float64Array,
  /** `equityStats(equity, close)`, when the caller has them already. */
  stats: EquityStats = equityStats(equity, close),
): Benchmark {
  const n = equity.length;
  const first = close[0] ?? 0;
  const bh = n > 0 && first > 0 ? (close[n - 1] as number) / first - 1 : 0;
  const total =
    n > 0 && (equity[0] as number) > 0 ? (equity[n - 1] as number) / (equity[0] as number) - 1 : 0;
  const sums = stats.benchmark;
  if (!sums) throw new Error('buyAndHold needs the stats of the equity with the closes');
  const meanS = stats.mean;
  const { mean: meanB, covariance: cov, varianceSum: varB } = sums;
  const beta = varB > 0 ? cov / varB : 0;
  const years = n > 1 ? ((time[n - 1] as number) - (time[0] as number)) / YEAR_MS : 0;
  const perYear = years > 0 ? (n - 1) / years : 0;
  return {
    buy_and_hold_return: round(bh),
    excess_return: round(total - bh),
    alpha: round((meanS - beta * meanB) * perYear),
    beta: round(beta),
  };
}

/**
 * The first bar from `from` (before `n`) whose time is not before `limit` (a NaN time is
 * not), or `n`. Every time is read (columnar bars need not be sorted), in a loop of its
 * own: a tight scan, where the per-period body around it kept the loop's values spilled.
 */
function monthEnd(time: Float64Array, from: number, n: number, limit: number): number {
  let j = from;
  while (j < n && (time[j] as number) < limit) j++;
  return j;
}

/** Returns per calendar month and year (UTC), each from the equity at the previous period's end. */
export interface PeriodReturns {
  monthly: { year: number; month: number; return: number }[];
  yearly: { year: number; return: number }[];
}

/**
 * Monthly and yearly returns of the equity curve: each period's last equity over the
 * previous period's last (the first period starts from `initialCapital`). Months are 1–12.
 */
export function periodReturns(
  time: Float64Array,
  equity: Float64Array,
  initialCapital: number,
): PeriodReturns {
  const monthly: PeriodReturns['monthly'] = [];
  const yearly: PeriodReturns['yearly'] = [];
  const n = equity.length;
  if (n === 0) return { monthly, yearly };
  let monthStart = initialCapital;
  let yearStart = initialCapital;
  // a Date only where a month begins, not one per bar (a million-bar run stays cheap)
  let date = new Date(time[0] as number);
  let year = date.getUTCFullYear();
  let month = date.getUTCMonth();
  let nextMonth = Date.UTC(year, month + 1, 1);
  for (let i = 0; i < n; i++) {
    // on to the month's last bar: the one before the first bar at or after the next month
    i = monthEnd(time, i + 1, n, nextMonth) - 1;
    const last = i + 1 === n;
    const e = equity[i] as number;
    monthly.push({
      year,
      month: month + 1,
      return: round(monthStart > 0 ? e / monthStart - 1 : 0),
    });
    monthStart = e;
    const nextYear = last ? year + 1 : new Date(time[i + 1] as number).getUTCFullYear();
    if (nextYear !== year) {
      yearly.push({ year, return: round(yearStart > 0 ? e / yearStart - 1 : 0) });
      yearStart = e;
    }
    if (last) break;
    date = new Date(time[i + 1] as number);
    year = date.getUTCFullYear();
    month = date.getUTCMonth();
    nextMonth = Date.UTC(year, month + 1, 1);
  }
  return { monthly, yearly };
}
