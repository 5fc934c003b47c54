import {
  Alert,
  Anchor,
  Button,
  Card,
  Code,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import type { BacktestMetrics, BacktestResult, Operation } from '@ktrdr/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { useClient } from '../api/client-context';
import { backtestResultQuery, operationKeys, operationQuery } from '../api/queries';
import { CancelButton } from '../components/cancel-button';
import { EquityChart } from '../components/equity-chart';
import { OperationProgress } from '../components/operation-progress';
import { PeriodReturns } from '../components/period-returns';
import { StatusBadge } from '../components/status-badge';
import { DataLoadPanel } from '../components/data-load-panel';
import { SweepPanel } from '../components/sweep-panel';
import { shortPath } from '../components/sweep-space';
import { TrainingPanel } from '../components/training-panel';
import { dateTime, number, percent, shortId } from '../format';

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

function BacktestResultPanel({ operation }: { operation: Operation }) {
  const client = useClient();
  const result = useQuery({
    ...backtestResultQuery(client, operation.operation_id),
    enabled: operation.status === 'completed',
  });
  if (operation.status !== 'completed') return null;
  if (result.error) return <Alert color="red">{result.error.message}</Alert>;
  if (!result.data) return <Text c="dimmed">Loading the result…</Text>;
  const { metrics, equity_curve, trades, ruin, skipped_entries, benchmark, periods } = result.data;
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
      <SimpleGrid cols={{ base: 2, md: 4 }} data-testid="metrics">
        {METRICS.map(([key, label, show]) => (
          <Card key={key} withBorder padding="sm">
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={600} data-metric={key}>
              {show(metrics[key])}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      {benchmark && (
        <SimpleGrid cols={{ base: 2, md: 4 }} data-testid="benchmark">
          {BENCHMARK.map(([key, label, show]) => (
            <Card key={key} withBorder padding="sm">
              <Text size="xs" c="dimmed">
                {label}
              </Text>
              <Text fw={600} data-metric={key}>
                {show(benchmark[key])}
              </Text>
            </Card>
          ))}
        </SimpleGrid>
      )}
      {periods && <PeriodReturns periods={periods} title={runTitle(operation)} />}
      <Card withBorder>
        <Title order={4} mb="xs">
          Equity and drawdown
        </Title>
        <EquityChart points={equity_curve} title={runTitle(operation)} />
        {result.data.equity_points_total &&
          result.data.equity_points_total > equity_curve.length && (
            <Text size="xs" c="dimmed">
              {equity_curve.length.toLocaleString()} of{' '}
              {result.data.equity_points_total.toLocaleString()} points shown (peaks and troughs
              kept).{' '}
              <Anchor
                href={`/api/v1/operations/${operation.operation_id}/result/full`}
                target="_blank"
                size="xs"
              >
                Full result
              </Anchor>
            </Text>
          )}
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Trades ({(result.data.trades_total ?? trades.length).toLocaleString()})
        </Title>
        <Table.ScrollContainer minWidth={800} mah={400}>
          <Table striped stickyHeader data-testid="trades-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Side</Table.Th>
                <Table.Th>Entry</Table.Th>
                <Table.Th>Exit</Table.Th>
                <Table.Th>Entry price</Table.Th>
                <Table.Th>Exit price</Table.Th>
                <Table.Th>Size</Table.Th>
                <Table.Th>P&amp;L</Table.Th>
                <Table.Th>Fees</Table.Th>
                <Table.Th>Return</Table.Th>
                <Table.Th>Bars</Table.Th>
                <Table.Th>MAE</Table.Th>
                <Table.Th>MFE</Table.Th>
                <Table.Th>Exit reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {trades
                .slice(-500)
                .reverse()
                .map((t, i) => (
                  <Table.Tr key={`${t.entry_time}-${i}`}>
                    <Table.Td>{t.side}</Table.Td>
                    <Table.Td>{t.entry_time.slice(0, 16).replace('T', ' ')}</Table.Td>
                    <Table.Td>{t.exit_time.slice(0, 16).replace('T', ' ')}</Table.Td>
                    <Table.Td>{number(t.entry_price)}</Table.Td>
                    <Table.Td>{number(t.exit_price)}</Table.Td>
                    <Table.Td>{number(t.size, 4)}</Table.Td>
                    <Table.Td c={t.pnl >= 0 ? 'green' : 'red'}>{number(t.pnl)}</Table.Td>
                    <Table.Td>{number(t.fees)}</Table.Td>
                    <Table.Td c={(t.return_pct ?? 0) >= 0 ? 'green' : 'red'}>
                      {percent(t.return_pct, 2)}
                    </Table.Td>
                    <Table.Td>{number(t.bars_held, 0)}</Table.Td>
                    <Table.Td>{percent(t.mae, 2)}</Table.Td>
                    <Table.Td>{percent(t.mfe, 2)}</Table.Td>
                    <Table.Td>{t.exit_reason?.replace(/_/g, ' ') ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </Stack>
  );
}

/** One operation: live progress, attempts and routing, provenance, and its result. */
export function OperationDetailView() {
  const { operationId = '' } = useParams();
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { data: op, error } = useQuery(operationQuery(client, operationId));
  const resume = useMutation({
    mutationFn: () => client.resumeOperation(operationId),
    onSuccess: () =>
      void queryClient.invalidateQueries({ queryKey: operationKeys.detail(operationId) }),
  });
  const retry = useMutation({
    mutationFn: () => client.retryOperation(operationId),
    onSuccess: (answer) => void navigate(`/operations/${answer.operation_id}`),
  });
  if (error) return <Alert color="red">{error.message}</Alert>;
  if (!op) return <Text c="dimmed">Loading…</Text>;
  // a sweep's counts and leaders show in its own panel; other contexts are plain values
  const context =
    op.operation_type === 'sweep'
      ? []
      : Object.entries(op.progress.context).filter(([, v]) => v === null || typeof v !== 'object');
  const swept = op.metadata.parameters;
  return (
    <Stack data-testid="operation-detail" data-status={op.status}>
      <Group justify="space-between">
        <Group>
          <Title order={2} ff="monospace" size="h3">
            {op.operation_id}
          </Title>
          <StatusBadge status={op.status} />
        </Group>
        <Group>
          <CancelButton operation={op} size="sm" />
          {(op.status === 'failed' || op.status === 'cancelled') &&
            (op.checkpoint_ref || op.operation_type === 'sweep') && (
              <Button
                size="sm"
                variant="light"
                onClick={() => resume.mutate()}
                loading={resume.isPending}
                title={
                  op.operation_type === 'sweep'
                    ? 'Run again only the backtests of this sweep that did not complete'
                    : 'Continue from the last checkpoint'
                }
              >
                Resume
              </Button>
            )}
          {(op.status === 'failed' || op.status === 'cancelled' || op.status === 'completed') && (
            <Button
              size="sm"
              variant="default"
              onClick={() => retry.mutate()}
              loading={retry.isPending}
            >
              Retry
            </Button>
          )}
        </Group>
      </Group>
      {op.parent_operation_id && (
        <Text size="sm" data-testid="parent-sweep">
          <Text span c="dimmed">
            Part of sweep
          </Text>{' '}
          <Anchor component={Link} to={`/operations/${op.parent_operation_id}`} ff="monospace">
            {shortId(op.parent_operation_id)}
          </Anchor>
          {swept && typeof swept === 'object' && !Array.isArray(swept)
            ? Object.entries(swept)
                .map(([path, value]) => ` · ${shortPath(path)} = ${String(value)}`)
                .join('')
            : ''}
        </Text>
      )}
      {(resume.error ?? retry.error) && (
        <Alert color="red">{(resume.error ?? retry.error)?.message}</Alert>
      )}
      {op.error_message && op.status !== 'completed' && (
        <Alert color={op.status === 'cancelled' ? 'orange' : 'red'} data-testid="operation-error">
          {op.error_message}
        </Alert>
      )}
      <Card withBorder>
        <OperationProgress operation={op} />
        {context.length > 0 && (
          <Group mt="sm" gap="lg">
            {context.map(([key, value]) => (
              <Text key={key} size="sm">
                <Text span c="dimmed">
                  {key.replace(/_/g, ' ')}:
                </Text>{' '}
                {typeof value === 'number'
                  ? number(value, Number.isInteger(value) ? 0 : 2)
                  : String(value)}
              </Text>
            ))}
          </Group>
        )}
      </Card>
      {op.operation_type === 'sweep' && <SweepPanel operation={op} />}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={4} mb="xs">
            Attempts
          </Title>
          <Table data-testid="attempts-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Worker</Table.Th>
                <Table.Th>Started</Table.Th>
                <Table.Th>Ended</Table.Th>
                <Table.Th>Outcome</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {op.attempts.map((a) => (
                <Table.Tr key={a.attempt}>
                  <Table.Td>{a.attempt}</Table.Td>
                  <Table.Td ff="monospace">{a.worker_id}</Table.Td>
                  <Table.Td>{dateTime(a.started_at)}</Table.Td>
                  <Table.Td>{dateTime(a.ended_at)}</Table.Td>
                  <Table.Td c={a.outcome?.startsWith('lost: ') ? 'yellow.8' : undefined}>
                    {a.outcome ?? (op.status === 'pending' ? 'queued' : 'running')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="sm" mt="xs">
            <Text span c="dimmed">
              Routing:
            </Text>{' '}
            {op.routing_reason ?? (op.status === 'pending' ? 'waiting for a free worker' : '—')}
          </Text>
          <Text size="sm">
            <Text span c="dimmed">
              Created / started / ended:
            </Text>{' '}
            {dateTime(op.created_at)} / {dateTime(op.started_at)} / {dateTime(op.completed_at)}
          </Text>
        </Card>
        <Card withBorder>
          <Title order={4} mb="xs">
            Provenance and request
          </Title>
          <Text size="sm">
            Strategy:{' '}
            {typeof op.metadata.strategy_name === 'string' ? (
              <Anchor component={Link} to={`/strategies/${op.metadata.strategy_name}`}>
                {op.metadata.strategy_name}
              </Anchor>
            ) : (
              '—'
            )}{' '}
            <Code>{op.provenance.strategy_hash ?? '—'}</Code>
          </Text>
          {op.provenance.model_id && (
            <Text size="sm">
              Model:{' '}
              <Anchor component={Link} to={`/models/${op.provenance.model_id}`} ff="monospace">
                {op.provenance.model_id}
              </Anchor>
              {op.provenance.training_backend
                ? ` · trained on ${op.provenance.training_backend}`
                : ''}
            </Text>
          )}
          <Text size="sm">
            Data ETag: <Code>{op.provenance.data_etag ?? '—'}</Code> · code{' '}
            <Code>{op.provenance.code_version}</Code>
          </Text>
          {op.checkpoint_ref && (
            <Text size="sm">
              Last checkpoint: <Code>{op.checkpoint_ref}</Code>
            </Text>
          )}
          <Code block mt="xs">
            {JSON.stringify(op.metadata, null, 2)}
          </Code>
        </Card>
      </SimpleGrid>
      {op.operation_type === 'backtesting' && <BacktestResultPanel operation={op} />}
      {op.operation_type === 'training' && <TrainingPanel operation={op} />}
      {op.operation_type === 'data_load' && <DataLoadPanel operation={op} />}
    </Stack>
  );
}
