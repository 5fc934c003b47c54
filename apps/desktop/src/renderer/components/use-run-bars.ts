import type { Operation } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../api/client-context';
import { runBarsQuery } from '../api/queries';

/** The symbol, timeframe and bar range a backtest ran on, from its metadata. */
export function runOf(operation: Operation) {
  const m = operation.metadata as {
    symbol?: string;
    timeframe?: string;
    start_date?: string;
    end_date?: string;
    initial_capital?: number;
  };
  return m.symbol && m.timeframe && m.start_date && m.end_date
    ? {
        symbol: m.symbol,
        timeframe: m.timeframe,
        start: m.start_date,
        end: m.end_date,
        initialCapital: m.initial_capital ?? null,
      }
    : null;
}

/** The stored bars of the range a backtest ran on (loaded once; they do not change). */
export function useRunBars(operation: Operation) {
  const client = useClient();
  const run = runOf(operation);
  return useQuery({
    ...runBarsQuery(client, run ?? { symbol: '', timeframe: '', start: '', end: '' }),
    enabled: run !== null && operation.status === 'completed',
  });
}
