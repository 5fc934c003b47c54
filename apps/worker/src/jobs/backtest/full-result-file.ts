/**
 * The full result of a backtest as the binary artifact (`FULL_RESULT_ARTIFACT`): the engine's
 * output turned into the shared columnar form, encoded part by part (the bar columns
 * straight from the engine's arrays, never one giant string or buffer).
 */
import { allocateTrades, codeOf, type BacktestResult, type FullResult } from '@ktrdr/shared';
import type { BacktestOutput } from '@ktrdr/engine/backtest';

/**
 * The columnar full result of a run. The small fields (metrics, benchmark, periods, ruin,
 * skipped entries) come from its display result, so both say the same.
 */
export function fullResultOf(output: BacktestOutput, display: BacktestResult): FullResult {
  const n = output.equity.length;
  const trades = allocateTrades(output.trades.length);
  output.trades.forEach((t, i) => {
    trades.entry_time[i] = t.entryTime;
    trades.exit_time[i] = t.exitTime;
    trades.entry_price[i] = t.entryPrice;
    trades.exit_price[i] = t.exitPrice;
    trades.size[i] = t.size;
    trades.pnl[i] = t.pnl;
    trades.fees[i] = t.fees;
    // as the display result states it: net pnl over the entry notional
    trades.return_pct[i] = t.entryPrice * t.size > 0 ? t.pnl / (t.entryPrice * t.size) : 0;
    trades.bars_held[i] = t.holdingBars;
    trades.mae[i] = t.mae ?? 0;
    trades.mfe[i] = t.mfe ?? 0;
    trades.side[i] = codeOf(trades.sides, t.side, 'trade side');
    trades.exit_reason[i] = codeOf(trades.exitReasons, t.exitReason, 'trade exit reason');
  });
  return {
    summary: {
      metrics: display.metrics,
      skipped_entries: display.skipped_entries ?? 0,
      ruin: display.ruin ?? null,
      ...(display.benchmark ? { benchmark: display.benchmark } : {}),
      ...(display.periods ? { periods: display.periods } : {}),
    },
    time: output.time.length === n ? output.time : output.time.subarray(0, n),
    equity: output.equity,
    drawdown: output.drawdown,
    trades,
  };
}
