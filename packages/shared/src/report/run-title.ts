import type { EquityPoint } from '../contracts/backtests.js';
import type { Operation } from '../contracts/operations.js';

const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : undefined);

/**
 * What a backtest ran, as a title: "sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17",
 * the dates of the bars it ran on when the curve is given, else the requested range.
 */
export function backtestRunTitle(operation: Operation, curve?: readonly EquityPoint[]): string {
  const m = operation.metadata;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const from = day(curve?.[0]?.time) ?? day(m.start_date);
  const to = day(curve?.[curve.length - 1]?.time) ?? day(m.end_date);
  return [
    text(m.strategy_name),
    [text(m.symbol), text(m.timeframe)].filter(Boolean).join(' '),
    from && to ? `${from} → ${to}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}
