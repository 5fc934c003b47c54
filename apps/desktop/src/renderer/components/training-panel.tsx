import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import type { Operation } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../api/client-context';
import { metricsQuery, trainingResultQuery } from '../api/queries';
import { number, percent } from '../format';
import { ClassReport } from './class-report';
import { TrainingCurves } from './training-curves';

/** The class order of every confusion matrix. */
const LABELS_BUY_HOLD_SELL = ['BUY', 'HOLD', 'SELL'] as const;

/** Live loss and accuracy curves of a training run and, once it completed, its result. */
export function TrainingPanel({ operation }: { operation: Operation }) {
  const client = useClient();
  const id = operation.operation_id;
  const metrics = useQuery(metricsQuery(client, id));
  const result = useQuery({
    ...trainingResultQuery(client, id),
    enabled: operation.status === 'completed',
  });
  const r = result.data;
  return (
    <Stack data-testid="training-panel">
      <Card withBorder>
        <Title order={4} mb="xs">
          Training curves
        </Title>
        <TrainingCurves rows={metrics.data ?? []} />
      </Card>
      {result.error && <Alert color="red">{result.error.message}</Alert>}
      {r && (
        <Card withBorder data-testid="training-result">
          <Group justify="space-between" mb="xs">
            <Title order={4}>
              Model{' '}
              <Anchor component={Link} to={`/models/${r.model_id}`} ff="monospace">
                {r.model_id}
              </Anchor>
            </Title>
            <Button
              component={Link}
              to={`/launch?strategy=${encodeURIComponent(String(operation.metadata.strategy_name))}&model=${encodeURIComponent(r.model_id)}`}
              size="xs"
            >
              Backtest this model
            </Button>
          </Group>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            {[
              ['Test accuracy', percent(r.test_metrics?.accuracy ?? null, 1)],
              [
                'Majority baseline',
                r.test_metrics?.majority_baseline
                  ? `${percent(r.test_metrics.majority_baseline.accuracy, 1)} (always ${r.test_metrics.majority_baseline.label})`
                  : '—',
              ],
              ['Test loss', number(r.test_metrics?.loss ?? null, 4)],
              ['Best val loss', number(r.training_metrics.best_val_loss, 4)],
              [
                'Epochs (best)',
                `${r.training_metrics.epochs_trained} (${r.training_metrics.best_epoch})`,
              ],
              ['Stopped early', r.training_metrics.stopped_early ? 'yes' : 'no'],
              ['Samples/s', number(r.training_metrics.samples_per_second, 0)],
              ['Backend', r.model_info.training_backend],
              ['Parameters', number(r.model_info.parameters, 0)],
            ].map(([label, value]) => (
              <Card key={label} withBorder padding="sm">
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
                <Text fw={600} data-metric={label}>
                  {value}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
          {r.test_metrics && (
            <Table mt="sm" maw={520} data-testid="confusion">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>actual \ predicted</Table.Th>
                  {LABELS_BUY_HOLD_SELL.map((l) => (
                    <Table.Th key={l}>{l}</Table.Th>
                  ))}
                  <Table.Th>recall</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.test_metrics.confusion.map((row, i) => {
                  const label = LABELS_BUY_HOLD_SELL[i] ?? String(i);
                  return (
                    <Table.Tr key={label}>
                      <Table.Td fw={600}>{label}</Table.Td>
                      {row.map((n, j) => (
                        <Table.Td key={j}>{n}</Table.Td>
                      ))}
                      <Table.Td>
                        {percent(r.test_metrics?.per_class[label]?.recall ?? null, 1)}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
          {r.test_metrics && <ClassReport test={r.test_metrics} />}
          <Text size="xs" c="dimmed" mt="xs">
            {r.data_summary.symbol} {r.data_summary.timeframe},{' '}
            {r.data_summary.bars.toLocaleString()} bars; rows train / validation / test:{' '}
            {r.data_summary.rows.train} / {r.data_summary.rows.validation} /{' '}
            {r.data_summary.rows.test} (split in time order)
          </Text>
        </Card>
      )}
    </Stack>
  );
}
