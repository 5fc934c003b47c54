import type { BacktestMetrics } from '@ktrdr/shared';
import { equityStats, type EquityStats } from './equity-stats.js';

const YEAR_MS = 365.25 * 86_400_000;

/** A closed trade as the engine records it (times in epoch ms). */
export interface TradeRecord {
  entryTime: number;
  exitTime: number;
  side: 'long' | 'short';
  entryPrice: number;
  exitPrice: number;
  size: number;
  pnl: number;
  fees: number;
  holdingBars: number;
  /** Why the position was closed. */
  exitReason: ExitReason;
  /** Maximum adverse / favourable excursion, fractions of the entry price (set at the end of a run). */
  mae?: number;
  mfe?: number;
}

/** Why a position was closed. */
export type ExitReason =
  | 'signal'
  | 'reverse'
  | 'stop_loss'
  | 'take_profit'
  | 'end_of_data'
  /** Equity reached zero: the position was liquidated there and the run stopped trading. */
  | 'ruin';

function round(value: number, digits = 10): number {
  if (!Number.isFinite(value)) return 0;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * The performance figures of an equity curve and its trades. Definitions (docs/metrics.md):
 * per-bar simple returns; periods per year measured from the data (bars ÷ calendar years),
 * so intraday and 24/7 markets annualize correctly; risk-free rate 0.
 */
export function computeMetrics(
  time: Float64Array,
  equity: Float64Array,
  trades: readonly TradeRecord[],
  barsInMarket: number,
  /** {@link equityStats} of `equity`, when the caller has them already. */
  stats: EquityStats = equityStats(equity),
): BacktestMetrics {
  const n = equity.length;
  const first = equity[0] ?? 0;
  const last = equity[n - 1] ?? first;
  const totalReturn = first > 0 ? last / first - 1 : 0;
  const years = n > 1 ? ((time[n - 1] as number) - (time[0] as number)) / YEAR_MS : 0;
  // a ruined account (equity 0) lost everything: −100 % a year, not 0
  const annualized =
    years > 0 && first > 0 ? (last > 0 ? (last / first) ** (1 / years) - 1 : -1) : 0;
  const periodsPerYear = years > 0 ? (n - 1) / years : 0;

  const { count, mean, varianceSum, downsideSq, maxDrawdown } = stats;
  const std = count > 1 ? Math.sqrt(varianceSum / (count - 1)) : 0;
  const downsideDev = count > 0 ? Math.sqrt(downsideSq / count) : 0;
  const scale = Math.sqrt(periodsPerYear);

  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let losses = 0;
  let holding = 0;
  let pnlSum = 0;
  for (const t of trades) {
    pnlSum += t.pnl;
    holding += t.holdingBars;
    if (t.pnl > 0) {
      wins++;
      grossProfit += t.pnl;
    } else if (t.pnl < 0) {
      losses++;
      grossLoss -= t.pnl;
    }
  }
  const total = trades.length;
  return {
    total_return: round(totalReturn),
    annualized_return: round(annualized),
    volatility: round(std * scale),
    sharpe_ratio: round(std > 0 ? (mean / std) * scale : 0),
    sortino_ratio: round(downsideDev > 0 ? (mean / downsideDev) * scale : 0),
    calmar_ratio: maxDrawdown > 0 ? round(annualized / maxDrawdown) : null,
    max_drawdown: round(maxDrawdown),
    max_drawdown_duration_bars: stats.maxDrawdownDuration,
    win_rate: round(total > 0 ? wins / total : 0),
    profit_factor: grossLoss > 0 ? round(grossProfit / grossLoss) : null,
    expectancy: round(total > 0 ? pnlSum / total : 0, 6),
    exposure: round(n > 0 ? barsInMarket / n : 0),
    total_trades: total,
    avg_win: round(wins > 0 ? grossProfit / wins : 0, 6),
    avg_loss: round(losses > 0 ? -grossLoss / losses : 0, 6),
    avg_holding_bars: round(total > 0 ? holding / total : 0, 4),
  };
}
