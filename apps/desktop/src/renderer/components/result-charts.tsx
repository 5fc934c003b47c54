import { Alert, Card, Text, Title } from '@mantine/core';
import { buyAndHoldLine, thinLine, type BacktestResult, type Operation } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useClient } from '../api/client-context';
import { fullResultQuery } from '../api/queries';
import type { ShadedRange } from './chart-bands';
import type { TimeSync } from './chart-sync';
import { EquityChart } from './equity-chart';
import { PriceChart, type TradeFocus } from './price-chart';
import { RollingSharpeChart } from './rolling-sharpe-chart';
import { runOf, useRunBars } from './use-run-bars';

/** Points of the buy-and-hold line drawn at most (its last point always kept). */
const MAX_BENCHMARK_POINTS = 5000;

/**
 * The result page's charts on one time axis: price with the trades and indicators, equity
 * with buy and hold and the drawdown, and the rolling Sharpe over the full curve.
 */
export function ResultCharts({
  operation,
  result,
  title,
  sync,
  focus,
  shaded,
}: {
  operation: Operation;
  result: BacktestResult;
  title: string;
  sync: TimeSync;
  focus: TradeFocus | null;
  shaded?: readonly ShadedRange[];
}) {
  const client = useClient();
  const run = runOf(operation);
  const bars = useRunBars(operation);
  const full = useQuery({
    ...fullResultQuery(client, operation.operation_id),
    enabled: operation.status === 'completed',
  });
  const capital = run?.initialCapital ?? result.equity_curve[0]?.equity ?? null;
  const benchmark = useMemo(
    () =>
      bars.data && capital !== null
        ? thinLine(buyAndHoldLine(bars.data.time, bars.data.close, capital), MAX_BENCHMARK_POINTS)
        : null,
    [bars.data, capital],
  );
  const series = run ? `${run.symbol} ${run.timeframe}` : '';
  return (
    <>
      <Card withBorder>
        <Title order={4} mb="xs">
          Price and trades
        </Title>
        {bars.error && (
          <Alert color="red">The run&apos;s bars could not be loaded: {bars.error.message}</Alert>
        )}
        {!bars.data && !bars.error && <Text c="dimmed">Loading the bars…</Text>}
        {bars.data && (
          <PriceChart
            bars={bars.data}
            trades={result.trades}
            tradesTotal={result.trades_total ?? result.trades.length}
            {...(result.indicators ? { indicators: result.indicators } : {})}
            series={series}
            sync={sync}
            focus={focus}
            {...(shaded ? { shaded } : {})}
          />
        )}
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Equity and drawdown
        </Title>
        <EquityChart
          points={result.equity_curve}
          title={title}
          benchmark={benchmark}
          sync={sync}
          {...(shaded ? { shaded } : {})}
        />
        <Text size="xs" c="dimmed">
          {result.equity_points_total &&
            result.equity_points_total > result.equity_curve.length &&
            `${result.equity_curve.length.toLocaleString()} of ${result.equity_points_total.toLocaleString()} points shown (peaks and troughs kept). `}
          Buy and hold: the initial capital held in {series || 'the series'} from the first
          bar&apos;s close (dashed).
        </Text>
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Rolling Sharpe
        </Title>
        {full.error && (
          <Alert color="red">The full result could not be loaded: {full.error.message}</Alert>
        )}
        {!full.data && !full.error && <Text c="dimmed">Loading the full result…</Text>}
        {full.data && (
          <RollingSharpeChart
            full={full.data}
            title={title}
            sync={sync}
            {...(shaded ? { shaded } : {})}
          />
        )}
      </Card>
    </>
  );
}
