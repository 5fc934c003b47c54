import { Anchor, Card, Group, Table, Text, Title } from '@mantine/core';
import type { EquityPoint, WalkForwardResult } from '@ktrdr/shared';
import { Link } from 'react-router';
import { EquityChart } from './equity-chart';
import { formatMetric, shortPath, showValue } from './sweep-space';

const day = (iso: string) => iso.slice(0, 10);
const pct = (v: number | null | undefined) =>
  typeof v === 'number' ? `${(v * 100).toFixed(2)} %` : '—';

/** The stitched out-of-sample curve as the equity chart draws it (drawdown from its peak). */
function chartPoints(curve: WalkForwardResult['equity_curve']): EquityPoint[] {
  let peak = -Infinity;
  return curve.map((p) => {
    peak = Math.max(peak, p.equity);
    return {
      time: new Date(p.time).toISOString(),
      equity: p.equity,
      drawdown: peak > 0 ? 1 - p.equity / peak : 0,
    };
  });
}

/**
 * Walk-forward: each window's in-sample winner and how it did on the bars that followed,
 * and the out-of-sample results chained into one curve — does the optimum survive?
 */
export function WalkForwardCard({ wf, objective }: { wf: WalkForwardResult; objective: string }) {
  return (
    <Card withBorder data-testid="walk-forward">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Walk-forward</Title>
        <Text size="sm" data-testid="walk-forward-metrics">
          {wf.windows.length} windows of {wf.in_sample_bars} in-sample + {wf.out_of_sample_bars}{' '}
          out-of-sample bars
          {wf.metrics
            ? ` · out of sample: total return ${pct(wf.metrics.total_return)}, max drawdown ${pct(wf.metrics.max_drawdown)}`
            : ' · the stitched curve comes when every window has run'}
        </Text>
      </Group>
      {wf.equity_curve.length > 1 && <EquityChart points={chartPoints(wf.equity_curve)} />}
      <Table striped mt="sm" data-testid="walk-forward-windows">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Window</Table.Th>
            <Table.Th>In sample</Table.Th>
            <Table.Th>Out of sample</Table.Th>
            <Table.Th>Winner</Table.Th>
            <Table.Th>{objective} in sample</Table.Th>
            <Table.Th>{objective} out of sample</Table.Th>
            <Table.Th>Return out of sample</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {wf.windows.map((w) => (
            <Table.Tr key={w.window} data-testid="walk-forward-window">
              <Table.Td>{w.window + 1}</Table.Td>
              <Table.Td>
                {day(w.in_sample.start)} → {day(w.in_sample.end)}
              </Table.Td>
              <Table.Td>
                {day(w.out_of_sample.start)} → {day(w.out_of_sample.end)}
              </Table.Td>
              <Table.Td ff="monospace">
                {w.best_parameters
                  ? Object.entries(w.best_parameters)
                      .map(([k, v]) => `${shortPath(k)}=${showValue(v)}`)
                      .join(' ')
                  : '—'}
              </Table.Td>
              <Table.Td>{formatMetric(objective, w.in_sample_value)}</Table.Td>
              <Table.Td>
                {w.out_of_sample_operation_id ? (
                  <Anchor component={Link} to={`/operations/${w.out_of_sample_operation_id}`}>
                    {formatMetric(objective, w.out_of_sample_metrics?.[objective] ?? null)}
                  </Anchor>
                ) : (
                  (w.out_of_sample_status ?? 'waiting')
                )}
              </Table.Td>
              <Table.Td>{pct(w.out_of_sample_metrics?.total_return)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
