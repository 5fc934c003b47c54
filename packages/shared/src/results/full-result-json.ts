/**
 * The JSON form of a backtest's full result (the `BacktestResult` shape, every point and
 * every trade), to and from the columnar {@link FullResult}: for people and scripts
 * (`…/result/full?format=json`) and for full results stored as JSON before the binary
 * artifact existed.
 */
import type { BacktestResult, Trade } from '../contracts/backtests.js';
import { roundTo } from './display-result.js';
import {
  allocateTrades,
  codeOf,
  tradeAt,
  type FullResult,
  type FullResultSummary,
} from './full-result.js';

// The JSON form keeps the decimals the display result (`…/result`) keeps (`roundTo`), so
// the file a trader downloads and the page show the same figures; the binary form keeps
// every bit.

/** A number as JSON: NaN and ±Infinity have no JSON spelling, so they become null. */
const num = (value: number) => (Number.isFinite(value) ? String(value) : 'null');

/** Trade `i` as the JSON form writes it. */
function jsonTrade(trades: FullResult['trades'], i: number): Trade {
  const t = tradeAt(trades, i);
  return {
    ...t,
    entry_price: roundTo(t.entry_price, 8),
    exit_price: roundTo(t.exit_price, 8),
    size: roundTo(t.size, 8),
    pnl: roundTo(t.pnl, 6),
    fees: roundTo(t.fees, 6),
    ...(t.return_pct === undefined ? {} : { return_pct: roundTo(t.return_pct, 10) }),
  };
}

/**
 * The full result as JSON text in pieces of `batch` points or trades, so a million-bar
 * curve streams instead of being built as one huge string. Numbers are rounded as the
 * display result rounds them (non-finite ones as null).
 */
export function* fullResultJsonChunks(result: FullResult, batch = 10_000): Generator<string> {
  const { summary, time, equity, drawdown, trades } = result;
  yield `{"metrics":${JSON.stringify(summary.metrics)},"equity_curve":[`;
  const n = time.length;
  for (let from = 0; from < n; from += batch) {
    // built by hand: several times faster than JSON.stringify of an object per point
    let text = from > 0 ? ',' : '';
    for (let i = from; i < Math.min(n, from + batch); i++) {
      if (i > from) text += ',';
      text += `{"time":"${new Date(time[i] as number).toISOString()}","equity":${num(roundTo(equity[i] as number, 6))},"drawdown":${num(roundTo(drawdown[i] as number, 10))}}`;
    }
    yield text;
  }
  yield '],"trades":[';
  for (let from = 0; from < trades.count; from += batch) {
    const rows: string[] = [];
    for (let i = from; i < Math.min(trades.count, from + batch); i++)
      rows.push(JSON.stringify(jsonTrade(trades, i)));
    yield (from > 0 ? ',' : '') + rows.join(',');
  }
  // the small fields after the lists, as the result route's JSON has them
  const rest: Record<string, unknown> = { ...summary };
  delete rest.metrics;
  const tail = JSON.stringify({ equity_points_total: n, trades_total: trades.count, ...rest });
  yield `],${tail.slice(1)}`;
}

/** The full result as one JSON object (small results, tests). */
export function fullResultToJson(result: FullResult): BacktestResult {
  return JSON.parse([...fullResultJsonChunks(result)].join('')) as BacktestResult;
}

const float = (value: number | null | undefined) =>
  typeof value === 'number' ? value : Number.NaN;

/**
 * The columnar form of a full result in the JSON form (stored before the binary artifact,
 * or fetched with `?format=json`). Throws when `json` is not a backtest's result.
 */
export function fullResultFromJson(json: unknown): FullResult {
  const result = json as Partial<BacktestResult> | null;
  if (!result || !Array.isArray(result.equity_curve) || !Array.isArray(result.trades))
    throw new Error('full result: the JSON has no equity_curve and trades: not a backtest result');
  const { equity_curve: curve, trades: list } = result;
  const summary: Record<string, unknown> = { ...result };
  for (const key of ['equity_curve', 'trades', 'equity_points_total', 'trades_total'])
    delete summary[key];
  const trades = allocateTrades(list.length);
  list.forEach((t: Trade, i) => {
    trades.entry_time[i] = Date.parse(t.entry_time);
    trades.exit_time[i] = Date.parse(t.exit_time);
    trades.entry_price[i] = float(t.entry_price);
    trades.exit_price[i] = float(t.exit_price);
    trades.size[i] = float(t.size);
    trades.pnl[i] = float(t.pnl);
    trades.fees[i] = float(t.fees);
    trades.return_pct[i] = float(t.return_pct);
    trades.bars_held[i] = float(t.bars_held);
    trades.mae[i] = float(t.mae);
    trades.mfe[i] = float(t.mfe);
    trades.side[i] = codeOf(trades.sides, t.side, `trades[${i}].side`);
    if (t.exit_reason !== undefined)
      trades.exit_reason[i] = codeOf(trades.exitReasons, t.exit_reason, `trades[${i}].exit_reason`);
  });
  return {
    summary: summary as FullResultSummary,
    time: Float64Array.from(curve, (p) => Date.parse(p.time)),
    equity: Float64Array.from(curve, (p) => float(p.equity)),
    drawdown: Float64Array.from(curve, (p) => float(p.drawdown)),
    trades,
  };
}
