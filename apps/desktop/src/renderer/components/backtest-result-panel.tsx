import { Alert, Anchor, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { BacktestMetrics, BacktestResult, Operation } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useClient } from '../api/client-context';
import { backtestResultQuery } from '../api/queries';
import { number, percent } from '../format';
import type { ShadedRange } from './chart-bands';
import { TimeSync } from './chart-sync';
import { PeriodReturns } from './period-returns';
import type { TradeFocus } from './price-chart';
import { inSampleBands } from './in-sample-bands';
import { ReportButton } from './report-button';
import { ResultCharts } from './result-charts';
import { SegmentMetrics } from './segment-metrics';
import { TradesTable } from './trades-table';
import { useStableValue } from './use-stable-value';

const METRICS: [keyof BacktestMetrics, string, (v: number | null) => string][] = [
  ['total_return', 'Total return', (v) => percent(v)],
  ['annualized_return', 'Annualized return', (v) => percent(v)],
  ['sharpe_ratio', 'Sharpe', (v) => number(v)],
  ['sortino_ratio', 'Sortino', (v) => number(v)],
  ['calmar_ratio', 'Calmar', (v) => number(v)],
  ['max_drawdown', 'Max drawdown', (v) => percent(v)],
  ['max_drawdown_duration_bars', 'Longest drawdown (bars)', (v) => number(v, 0)],
  ['volatility', 'Volatility', (v) => percent(v)],
  ['total_trades', 'Trades', (v) => number(v, 0)],
  ['win_rate', 'Win rate', (v) => percent(v, 1)],
  ['profit_factor', 'Profit factor', (v) => number(v)],
  ['expectancy', 'Expectancy', (v) => number(v)],
  ['avg_win', 'Average win', (v) => number(v)],
  ['avg_loss', 'Average loss', (v) => number(v)],
  ['avg_holding_bars', 'Average holding (bars)', (v) => number(v, 1)],
  ['exposure', 'Exposure', (v) => percent(v, 1)],
];

const BENCHMARK: [keyof NonNullable<BacktestResult['benchmark']>, string, (v: number) => string][] =
  [
    ['buy_and_hold_return', 'Buy and hold', (v) => percent(v)],
    ['excess_return', 'Excess over buy and hold', (v) => percent(v)],
    ['alpha', 'Alpha (annual)', (v) => percent(v)],
    ['beta', 'Beta', (v) => number(v)],
  ];

/** What ran, as the result's figures name it: "sma_crossover · SP500 1d". */
function runTitle(operation: Operation): string {
  const m = operation.metadata as { strategy_name?: string; symbol?: string; timeframe?: string };
  return [m.strategy_name, [m.symbol, m.timeframe].filter(Boolean).join(' ')]
    .filter(Boolean)
    .join(' · ');
}

/** A grid of labelled figures, each findable by its metric name (`data-metric`). */
function FigureCards({ cards, testId }: { cards: [string, string, string][]; testId: string }) {
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} data-testid={testId}>
      {cards.map(([key, label, value]) => (
        <Card key={key} withBorder padding="sm">
          <Text size="xs" c="dimmed">
            {label}
          </Text>
          <Text fw={600} data-metric={key}>
            {value}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

/**
 * A completed backtest's result: its metrics, benchmark, period returns, charts and
 * trades (clicking a trade zooms the charts to it). `shaded` ranges are drawn as bands on
 * every chart, after a model backtest's in-sample segments (train, validation), which are
 * always shaded.
 */
export function BacktestResultPanel({
  operation,
  shaded: shadedGiven,
}: {
  operation: Operation;
  shaded?: readonly ShadedRange[];
}) {
  const client = useClient();
  // one time axis for all the charts of this page
  const sync = useMemo(() => new TimeSync(), []);
  const [focus, setFocus] = useState<TradeFocus | null>(null);
  const result = useQuery({
    ...backtestResultQuery(client, operation.operation_id),
    enabled: operation.status === 'completed',
  });
  const bands = [...inSampleBands(result.data?.segments), ...(shadedGiven ?? [])];
  // a fresh array each render; the charts redraw only when its content changes
  const shaded = useStableValue(bands.length > 0 ? bands : undefined);
  if (operation.status !== 'completed') return null;
  if (result.error) return <Alert color="red">{result.error.message}</Alert>;
  if (!result.data) return <Text c="dimmed">Loading the result…</Text>;
  const { metrics, trades, ruin, skipped_entries, benchmark, periods } = result.data;
  return (
    <Stack data-testid="backtest-result">
      {ruin && (
        <Alert color="red" title="Ruined" data-testid="ruin">
          {ruin.message}
        </Alert>
      )}
      {(skipped_entries ?? 0) > 0 && (
        <Alert color="yellow" data-testid="skipped-entries">
          {skipped_entries?.toLocaleString()} entr{skipped_entries === 1 ? 'y was' : 'ies were'}{' '}
          skipped: the cash could not pay for them (raise the capital, size by fraction of equity,
          or set risk.leverage).
        </Alert>
      )}
      <SegmentMetrics result={result.data} />
      <FigureCards
        testId="metrics"
        cards={METRICS.map(([key, label, show]) => [key, label, show(metrics[key])])}
      />
      {benchmark && (
        <FigureCards
          testId="benchmark"
          cards={BENCHMARK.map(([key, label, show]) => [key, label, show(benchmark[key])])}
        />
      )}
      {periods && <PeriodReturns periods={periods} title={runTitle(operation)} />}
      <ResultCharts
        operation={operation}
        result={result.data}
        title={runTitle(operation)}
        sync={sync}
        focus={focus}
        {...(shaded ? { shaded } : {})}
      />
      <Text size="xs">
        <Anchor
          // JSON a trader can open anywhere; scripts use the binary form or the typed client
          href={`/api/v1/operations/${operation.operation_id}/result/full?format=json`}
          download={`${operation.operation_id}-full-result.json`}
          size="xs"
        >
          Download the full result
        </Anchor>{' '}
        <ReportButton operationId={operation.operation_id} />
      </Text>
      <Card withBorder>
        <Title order={4} mb="xs">
          Trades ({(result.data.trades_total ?? trades.length).toLocaleString()})
        </Title>
        <TradesTable
          trades={trades}
          fileName={`${operation.operation_id}-trades.csv`}
          onSelect={(t) =>
            setFocus((f) => ({
              entry_time: t.entry_time,
              exit_time: t.exit_time,
              seq: (f?.seq ?? 0) + 1,
            }))
          }
        />
      </Card>
    </Stack>
  );
}
