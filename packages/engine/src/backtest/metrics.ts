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

/** What the metrics read of the trades: their pnl and holding summed, in their order. */
export class TradeTally {
  count = 0;
  wins = 0;
  losses = 0;
  grossProfit = 0;
  grossLoss = 0;
  holding = 0;
  pnlSum = 0;

  add(pnl: number, holdingBars: number): void {
    this.count++;
    this.pnlSum += pnl;
    this.holding += holdingBars;
    if (pnl > 0) {
      this.wins++;
      this.grossProfit += pnl;
    } else if (pnl < 0) {
      this.losses++;
      this.grossLoss -= pnl;
    }
  }
}

/** The {@link TradeTally} of `trades`, added to `tally`. */
export function tallyOf(trades: readonly TradeRecord[], tally = new TradeTally()): TradeTally {
  for (const t of trades) tally.add(t.pnl, t.holdingBars);
  return tally;
}

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
  /** The trades, or their {@link TradeTally} (a run that made no trade objects). */
  trades: readonly TradeRecord[] | TradeTally,
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

  const tally = trades instanceof TradeTally ? trades : tallyOf(trades);
  const { count: total, wins, losses, grossProfit, grossLoss, holding, pnlSum } = tally;
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
