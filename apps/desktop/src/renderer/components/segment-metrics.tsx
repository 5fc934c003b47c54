import { Alert, Card, Table, Text, Title } from '@mantine/core';
import type { BacktestResult, SegmentName } from '@ktrdr/shared';
import { number, percent } from '../format';

/** How each segment reads to a trader, and whether the model learnt from it. */
const SEGMENTS: Record<SegmentName, { label: string; seen: boolean }> = {
  before_training: { label: 'Before training', seen: false },
  train: { label: 'Train', seen: true },
  validation: { label: 'Validation', seen: true },
  test: { label: 'Test', seen: false },
  after_training: { label: 'After training', seen: false },
};

const day = (iso: string) => iso.slice(0, 10);

/**
 * A model backtest whose range holds data the model learnt from: the warning, and its
 * metrics per segment (train, validation, test, …; docs/metrics.md "Segments"), so the
 * in-sample figures are never taken for out-of-sample ones.
 */
export function SegmentMetrics({ result }: { result: BacktestResult }) {
  const { segments, in_sample: inSample } = result;
  if (!segments) return null;
  return (
    <Card withBorder data-testid="segments">
      <Title order={4} mb="xs">
        Metrics per segment of the model’s data
      </Title>
      {inSample && (
        <Alert color="yellow" mb="sm" data-testid="in-sample-warning">
          {inSample.message}
        </Alert>
      )}
      <Table striped aria-label="Metrics per segment">
        <Table.Thead>
          <Table.Tr>
            {[
              'Segment',
              'From',
              'To',
              'Bars',
              'Return',
              'Sharpe',
              'Max drawdown',
              'Trades',
              'Win rate',
            ].map((h) => (
              <Table.Th key={h}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {segments.map((s) => {
            const { label, seen } = SEGMENTS[s.segment];
            return (
              <Table.Tr key={`${s.segment}-${s.start_date}`} data-segment={s.segment}>
                <Table.Td fw={600}>
                  {label}
                  <Text span size="xs" c={seen ? 'orange' : 'dimmed'} ml={6}>
                    {seen ? 'in-sample' : 'out-of-sample'}
                  </Text>
                </Table.Td>
                <Table.Td>{day(s.start_date)}</Table.Td>
                <Table.Td>{day(s.end_date)}</Table.Td>
                <Table.Td>{s.bars.toLocaleString('en-US')}</Table.Td>
                <Table.Td>{percent(s.metrics.total_return)}</Table.Td>
                <Table.Td>{number(s.metrics.sharpe_ratio)}</Table.Td>
                <Table.Td>{percent(s.metrics.max_drawdown)}</Table.Td>
                <Table.Td>{s.metrics.total_trades.toLocaleString('en-US')}</Table.Td>
                <Table.Td>{percent(s.metrics.win_rate, 1)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
