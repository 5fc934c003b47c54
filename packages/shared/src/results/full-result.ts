/**
 * The full result of a backtest in columnar form: every bar's time, equity and drawdown,
 * and every trade, as typed-array columns. What the binary artifact holds
 * ({@link encodeFullResult}) and what the typed client's `fullResult(id)` returns.
 */
import type { BacktestResult, Trade } from '../contracts/backtests.js';

/** The small fields of the full result that are not per bar or per trade. */
export type FullResultSummary = Omit<
  BacktestResult,
  'equity_curve' | 'trades' | 'equity_points_total' | 'trades_total'
>;

/** The float64 columns of the trade table, one value per trade (times in epoch ms). */
export const TRADE_FLOAT_COLUMNS = [
  'entry_time',
  'exit_time',
  'entry_price',
  'exit_price',
  'size',
  'pnl',
  'fees',
  'return_pct',
  'bars_held',
  'mae',
  'mfe',
] as const;
/** A float64 column of the trade table. */
export type TradeFloatColumn = (typeof TRADE_FLOAT_COLUMNS)[number];

/** The side codes of the trade table: code i is `TRADE_SIDES[i]`. */
export const TRADE_SIDES: readonly Trade['side'][] = ['long', 'short'];
/** The exit-reason codes of the trade table: code i is `EXIT_REASONS[i]`. */
export const EXIT_REASONS: readonly NonNullable<Trade['exit_reason']>[] = [
  'signal',
  'reverse',
  'stop_loss',
  'take_profit',
  'end_of_data',
  'ruin',
];
/** The exit-reason code of a trade that has none. */
export const NO_EXIT_REASON = 255;

/**
 * Every trade as columns: float64 columns, side and exit reason as small-int codes into
 * the string tables `sides` and `exitReasons` (a decoded file carries its own tables).
 */
export type FullResultTrades = Record<TradeFloatColumn, Float64Array> & {
  count: number;
  side: Uint8Array;
  exit_reason: Uint8Array;
  sides: readonly string[];
  exitReasons: readonly string[];
};

/**
 * What only the display result shows, kept beside the full result so that the display
 * result can be made from the stored full result alone: a model backtest's segments and
 * the strategy's indicator series for the price chart (stored as float64 columns).
 */
export type FullResultDisplay = Pick<BacktestResult, 'segments' | 'in_sample' | 'indicators'>;

/** A backtest's full result: columns of equal length per bar, and the trade table. */
export interface FullResult {
  summary: FullResultSummary;
  /** Bar times, epoch ms. */
  time: Float64Array;
  equity: Float64Array;
  /** Fraction below the running peak. */
  drawdown: Float64Array;
  trades: FullResultTrades;
  /** Display-only fields (see {@link FullResultDisplay}); the JSON full form leaves them out. */
  display?: FullResultDisplay;
}

/** A trade table of `count` zeroed trades with the standard string tables, to fill in. */
export function allocateTrades(count: number): FullResultTrades {
  const floats = Object.fromEntries(
    TRADE_FLOAT_COLUMNS.map((name) => [name, new Float64Array(count)]),
  ) as Record<TradeFloatColumn, Float64Array>;
  return {
    ...floats,
    count,
    side: new Uint8Array(count),
    exit_reason: new Uint8Array(count).fill(NO_EXIT_REASON),
    sides: TRADE_SIDES,
    exitReasons: EXIT_REASONS,
  };
}

/** The code of a side or exit reason in a string table (throws on one it lacks). */
export function codeOf(table: readonly string[], value: string, field: string): number {
  const code = table.indexOf(value);
  if (code < 0) throw new Error(`${field}: "${value}" is not one of ${table.join(', ')}`);
  return code;
}

/** Trade `i` as the wire's trade object (ISO times). */
export function tradeAt(trades: FullResultTrades, i: number): Trade {
  const reason = trades.exit_reason[i] as number;
  const trade: Trade = {
    entry_time: new Date(trades.entry_time[i] as number).toISOString(),
    exit_time: new Date(trades.exit_time[i] as number).toISOString(),
    side: trades.sides[trades.side[i] as number] as Trade['side'],
    entry_price: trades.entry_price[i] as number,
    exit_price: trades.exit_price[i] as number,
    size: trades.size[i] as number,
    pnl: trades.pnl[i] as number,
    fees: trades.fees[i] as number,
    return_pct: trades.return_pct[i],
    bars_held: trades.bars_held[i],
    mae: trades.mae[i],
    mfe: trades.mfe[i],
  };
  if (reason !== NO_EXIT_REASON)
    trade.exit_reason = trades.exitReasons[reason] as Trade['exit_reason'];
  return trade;
}
