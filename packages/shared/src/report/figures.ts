/**
 * How a backtest's figures are written and which way is better: one list for every view
 * that sets metrics side by side (the comparison, the HTML report), so a figure reads the
 * same everywhere.
 */
import type { BacktestMetrics, BacktestResult } from '../contracts/backtests.js';

/** 0.1234 → "12.34 %"; "—" for null or a non-finite value. */
export function formatPercent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '—'
    : `${(value * 100).toFixed(digits)} %`;
}

/** 1234.5 → "1,234.50"; "—" for null or a non-finite value. */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '—'
    : value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
}

/** Which way a figure is better, when it has one (a trade count or a beta has none). */
export type Better = 'higher' | 'lower' | null;

/** The figures of a backtest result that the comparison and the report list. */
export type FigureKey = keyof BacktestMetrics | keyof NonNullable<BacktestResult['benchmark']>;

/** One figure: where it comes from, its label, how it is written, which way is better. */
export interface FigureRow {
  key: FigureKey;
  label: string;
  group: 'metrics' | 'benchmark';
  format: (value: number | null) => string;
  better: Better;
}

const pct =
  (digits = 2) =>
  (v: number | null) =>
    formatPercent(v, digits);
const num =
  (digits = 2) =>
  (v: number | null) =>
    formatNumber(v, digits);

/** Every metric, then the buy-and-hold benchmark, in the order the result page shows them. */
export const FIGURE_ROWS: readonly FigureRow[] = [
  { key: 'total_return', label: 'Total return', group: 'metrics', format: pct(), better: 'higher' },
  {
    key: 'annualized_return',
    label: 'Annualized return',
    group: 'metrics',
    format: pct(),
    better: 'higher',
  },
  { key: 'sharpe_ratio', label: 'Sharpe', group: 'metrics', format: num(), better: 'higher' },
  { key: 'sortino_ratio', label: 'Sortino', group: 'metrics', format: num(), better: 'higher' },
  { key: 'calmar_ratio', label: 'Calmar', group: 'metrics', format: num(), better: 'higher' },
  // drawdowns are positive fractions below the peak: smaller is better
  { key: 'max_drawdown', label: 'Max drawdown', group: 'metrics', format: pct(), better: 'lower' },
  {
    key: 'max_drawdown_duration_bars',
    label: 'Longest drawdown (bars)',
    group: 'metrics',
    format: num(0),
    better: 'lower',
  },
  { key: 'volatility', label: 'Volatility', group: 'metrics', format: pct(), better: 'lower' },
  { key: 'total_trades', label: 'Trades', group: 'metrics', format: num(0), better: null },
  { key: 'win_rate', label: 'Win rate', group: 'metrics', format: pct(1), better: 'higher' },
  {
    key: 'profit_factor',
    label: 'Profit factor',
    group: 'metrics',
    format: num(),
    better: 'higher',
  },
  { key: 'expectancy', label: 'Expectancy', group: 'metrics', format: num(), better: 'higher' },
  { key: 'avg_win', label: 'Average win', group: 'metrics', format: num(), better: 'higher' },
  // the average loss is negative: the one closest to zero is best
  { key: 'avg_loss', label: 'Average loss', group: 'metrics', format: num(), better: 'higher' },
  {
    key: 'avg_holding_bars',
    label: 'Average holding (bars)',
    group: 'metrics',
    format: num(1),
    better: null,
  },
  { key: 'exposure', label: 'Exposure', group: 'metrics', format: pct(1), better: null },
  {
    key: 'buy_and_hold_return',
    label: 'Buy and hold',
    group: 'benchmark',
    format: pct(),
    better: null,
  },
  {
    key: 'excess_return',
    label: 'Excess over buy and hold',
    group: 'benchmark',
    format: pct(),
    better: 'higher',
  },
  { key: 'alpha', label: 'Alpha (annual)', group: 'benchmark', format: pct(), better: 'higher' },
  { key: 'beta', label: 'Beta', group: 'benchmark', format: num(), better: null },
];

/** A figure's value in a result: null when the result lacks it (no benchmark, no loss). */
export function figureValue(result: BacktestResult, row: FigureRow): number | null {
  const source: Record<string, number | null> | undefined =
    row.group === 'metrics' ? result.metrics : result.benchmark;
  const value = source?.[row.key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The indices of the best values of a row (ties all marked). None when the row has no
 * direction, when fewer than two values are known, or when every known value is equal: a
 * mark that every run carries tells nothing.
 */
export function bestIndices(values: readonly (number | null)[], better: Better): number[] {
  if (!better) return [];
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return [];
  const best = better === 'higher' ? Math.max(...known) : Math.min(...known);
  if (known.every((v) => v === best)) return [];
  return values.flatMap((v, i) => (v === best ? [i] : []));
}
