import type { BacktestResult } from '@ktrdr/shared';
import type { BacktestOutput } from './engine.js';

const iso = (ms: number) => new Date(ms).toISOString();

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The wire form of a run's output (DESIGN.md §3 backtest result), full resolution. */
export function toBacktestResult(output: BacktestOutput): BacktestResult {
  const equity_curve = Array.from(output.equity, (e, i) => ({
    time: iso(output.time[i] as number),
    equity: round(e, 6),
    drawdown: round(output.drawdown[i] as number, 10),
  }));
  const trades = output.trades.map((t) => ({
    entry_time: iso(t.entryTime),
    exit_time: iso(t.exitTime),
    side: t.side,
    entry_price: round(t.entryPrice, 8),
    exit_price: round(t.exitPrice, 8),
    size: round(t.size, 8),
    pnl: round(t.pnl, 6),
    fees: round(t.fees, 6),
  }));
  return { metrics: output.metrics, equity_curve, trades };
}
