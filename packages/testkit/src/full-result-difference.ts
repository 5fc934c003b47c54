/** Where two full results differ, said so a failing check can print it. */
import { isDeepStrictEqual } from 'node:util';
import { TRADE_FLOAT_COLUMNS, type FullResult } from '@ktrdr/shared';

/**
 * The first difference between two full results (a column and an index, with both
 * values), or undefined when they are equal: NaN equals NaN, every float compared exactly.
 */
export function fullResultDifference(got: FullResult, want: FullResult): string | undefined {
  if (!isDeepStrictEqual(got.summary, want.summary))
    return `summary: got ${JSON.stringify(got.summary).slice(0, 300)} want ${JSON.stringify(want.summary).slice(0, 300)}`;
  const columns: [string, ArrayLike<number>, ArrayLike<number>][] = [
    ['time', got.time, want.time],
    ['equity', got.equity, want.equity],
    ['drawdown', got.drawdown, want.drawdown],
    ...TRADE_FLOAT_COLUMNS.map(
      (name) =>
        [`trades.${name}`, got.trades[name], want.trades[name]] as [
          string,
          ArrayLike<number>,
          ArrayLike<number>,
        ],
    ),
    ['trades.side', got.trades.side, want.trades.side],
    ['trades.exit_reason', got.trades.exit_reason, want.trades.exit_reason],
  ];
  for (const [name, a, b] of columns) {
    if (a.length !== b.length) return `${name}: ${a.length} values, want ${b.length}`;
    for (let i = 0; i < a.length; i++)
      if (!Object.is(a[i], b[i])) return `${name}[${i}]: got ${a[i]} want ${b[i]}`;
  }
  if (!isDeepStrictEqual([...got.trades.sides], [...want.trades.sides]))
    return `trade side tables differ: ${got.trades.sides.join(',')} vs ${want.trades.sides.join(',')}`;
  if (!isDeepStrictEqual([...got.trades.exitReasons], [...want.trades.exitReasons]))
    return `exit-reason tables differ`;
  return undefined;
}
