/**
 * The display result (`GET …/result`) made from a backtest's full result: every metric,
 * the equity curve downsampled to shape-preserving points, the most recent trades, and
 * the display-only fields the full result keeps beside it. The engine makes its display
 * result this way too, so the result a worker's run stores as its full result alone and
 * the one the engine returns in a test are the same JSON text.
 */
import type { BacktestResult, EquityPoint, Trade } from '../contracts/backtests.js';
import { NO_EXIT_REASON, type FullResult, type FullResultTrades } from './full-result.js';

/** Limits of the display result. */
export interface DisplayLimits {
  maxPoints: number;
  maxTrades: number;
}

/** DESIGN §4: at most 5,000 points of the curve, and the last 5,000 trades. */
export const DISPLAY_LIMITS: DisplayLimits = { maxPoints: 5000, maxTrades: 5000 };

/** `value` rounded to `digits` decimals, as the display result states its figures. */
export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Indices that keep the shape of a series in at most `maxPoints` points: per bucket its
 * first, lowest, highest and last point (so every peak, trough and drawdown survives),
 * plus the series' own first and last.
 */
export function shapePreservingIndices(values: ArrayLike<number>, maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const size = n / buckets;
  const picked: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    // the last bucket ends at the last point: (b + 1) × size can round to just below n
    const to = b === buckets - 1 ? n : Math.min(n, Math.floor((b + 1) * size));
    if (to <= from) continue;
    let lo = from;
    let hi = from;
    for (let i = from + 1; i < to; i++) {
      if ((values[i] as number) < (values[lo] as number)) lo = i;
      if ((values[i] as number) > (values[hi] as number)) hi = i;
    }
    for (const i of [from, Math.min(lo, hi), Math.max(lo, hi), to - 1])
      if (picked[picked.length - 1] !== i) picked.push(i);
  }
  return picked;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Trade `i` as the display result lists it (its key order is the wire's). */
function displayTrade(trades: FullResultTrades, i: number): Trade {
  const reason = trades.exit_reason[i] as number;
  return {
    entry_time: iso(trades.entry_time[i] as number),
    exit_time: iso(trades.exit_time[i] as number),
    side: trades.sides[trades.side[i] as number] as Trade['side'],
    entry_price: roundTo(trades.entry_price[i] as number, 8),
    exit_price: roundTo(trades.exit_price[i] as number, 8),
    size: roundTo(trades.size[i] as number, 8),
    pnl: roundTo(trades.pnl[i] as number, 6),
    fees: roundTo(trades.fees[i] as number, 6),
    exit_reason:
      reason === NO_EXIT_REASON
        ? undefined
        : (trades.exitReasons[reason] as NonNullable<Trade['exit_reason']>),
    return_pct: roundTo(trades.return_pct[i] as number, 10),
    bars_held: trades.bars_held[i],
    mae: trades.mae[i],
    mfe: trades.mfe[i],
  };
}

/** The display result of a full result (see the module comment). */
export function displayResultOf(
  full: FullResult,
  limits: DisplayLimits = DISPLAY_LIMITS,
): BacktestResult {
  const { summary, time, equity, drawdown, trades } = full;
  const points: EquityPoint[] = shapePreservingIndices(equity, limits.maxPoints).map((i) => ({
    time: iso(time[i] as number),
    equity: roundTo(equity[i] as number, 6),
    drawdown: roundTo(drawdown[i] as number, 10),
  }));
  const list: Trade[] = [];
  for (let i = Math.max(0, trades.count - limits.maxTrades); i < trades.count; i++)
    list.push(displayTrade(trades, i));
  return {
    metrics: summary.metrics,
    equity_curve: points,
    trades: list,
    equity_points_total: equity.length,
    trades_total: trades.count,
    skipped_entries: summary.skipped_entries,
    ruin: summary.ruin,
    benchmark: summary.benchmark,
    periods: summary.periods,
    ...full.display,
  };
}
