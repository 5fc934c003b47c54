/**
 * Gathers what a backtest's report is made of through the typed client, for the CLI and
 * the result page alike: the operation, its result, every trade, and the closes for the
 * buy-and-hold line.
 */
import type { BackendClient } from '../client/backend-client.js';
import type { Trade } from '../contracts/backtests.js';
import { builtInJobKinds } from '../jobs/registry.js';
import { tradeAt } from '../results/full-result.js';
import type { BacktestReportInput } from './backtest-report.js';

/** Why an operation has no report: it is not a backtest, or it has not completed. */
export class ReportRefusal extends Error {
  override readonly name = 'ReportRefusal';
  constructor(
    message: string,
    readonly reason: 'not_backtest' | 'not_completed',
  ) {
    super(message);
  }
}

/**
 * Loads the report of a completed backtest. Throws {@link ReportRefusal} for any other
 * operation, and the client's error for an unknown id.
 */
export async function loadBacktestReport(
  client: BackendClient,
  operationId: string,
): Promise<BacktestReportInput> {
  const operation = await client.getOperation(operationId);
  if (!builtInJobKinds.hasBacktestResult(operation.operation_type))
    throw new ReportRefusal(
      `${operationId} is a ${operation.operation_type.replace(/_/g, ' ')} operation, not a backtest: only a backtest has a report`,
      'not_backtest',
    );
  if (operation.status !== 'completed')
    throw new ReportRefusal(
      `${operationId} is ${operation.status}, not completed: a report needs a completed backtest${
        operation.status === 'pending' || operation.status === 'running'
          ? ' (wait for it to finish)'
          : ''
      }`,
      'not_completed',
    );
  const result = await client.getBacktestResult(operationId);
  // the display result keeps only the last trades of a long run; the full result has them all
  let trades: readonly Trade[] = result.trades;
  if ((result.trades_total ?? trades.length) > trades.length) {
    const full = await client.fullResult(operationId);
    trades = Array.from({ length: full.trades.count }, (_, i) => tradeAt(full.trades, i));
  }
  const first = result.equity_curve[0];
  const last = result.equity_curve[result.equity_curve.length - 1];
  const { symbol, timeframe } = operation.metadata;
  let closes: BacktestReportInput['closes'];
  if (first && last && typeof symbol === 'string' && typeof timeframe === 'string') {
    try {
      const { bars } = await client.getSeries(symbol, timeframe, {
        start: first.time,
        end: last.time,
      });
      closes = { time: bars.time, close: bars.close };
    } catch {
      // the series may have been deleted since the run: the report keeps the benchmark's
      // figures (they are in the result) and draws the equity alone
      closes = undefined;
    }
  }
  return { operation, result, trades, ...(closes ? { closes } : {}) };
}
