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
import type { MetricRow } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useClient } from '../api/client-context';
import { modelQuery, modelsQuery } from '../api/queries';
import { baselineNote } from '../components/class-report';
import { TrainingCurves } from '../components/training-curves';
import { dateTime, number, percent } from '../format';

function backtestLink(strategy: string, modelId: string): string {
  return `/launch?strategy=${encodeURIComponent(strategy)}&model=${encodeURIComponent(modelId)}`;
}

/** One model: headline figures, lineage (what it was made from), curves and inputs. */
function ModelDetail({ modelId }: { modelId: string }) {
  const client = useClient();
  const { data: m, error } = useQuery(modelQuery(client, modelId));
  if (error) return <Alert color="red">{error.message}</Alert>;
  if (!m) return <Text c="dimmed">Loading…</Text>;
  const metric = (key: string) => (typeof m.metrics[key] === 'number' ? m.metrics[key] : null);
  return (
    <Stack data-testid="model-detail">
      <Group justify="space-between">
        <Title order={3} ff="monospace">
          {m.model_id}
        </Title>
        <Button component={Link} to={backtestLink(m.strategy_name, m.model_id)}>
          Backtest this model
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {[
          ['Test accuracy', percent(metric('test_accuracy'), 1)],
          ['Majority baseline', baselineNote(m.metrics).replace(/^baseline /, '') || '—'],
          ['Best val loss', number(metric('best_val_loss'), 4)],
          ['Epochs (best)', `${metric('epochs_trained') ?? '—'} (${metric('best_epoch') ?? '—'})`],
          ['Size', `${(m.size_bytes / 1024).toFixed(1)} KiB`],
        ].map(([label, value]) => (
          <Card key={label} withBorder padding="sm">
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={600}>{value}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Card withBorder data-testid="model-lineage">
        <Title order={4} mb="xs">
          Lineage
        </Title>
        <Text size="sm">
          Strategy{' '}
          <Anchor component={Link} to={`/strategies/${m.strategy_name}`}>
            {m.strategy_name}
          </Anchor>{' '}
          version <Code>{m.strategy_hash}</Code> · inputs <Code>{m.feature_spec_hash}</Code>
        </Text>
        <Text size="sm">
          Trained on {m.symbol} {m.timeframe}, {m.start.slice(0, 10)} → {m.end.slice(0, 10)} · seed{' '}
          {m.seed} · backend {m.training_backend}
        </Text>
        {m.split && (
          <Text size="sm" data-testid="model-split">
            Split in time order: train {m.split.train.start.slice(0, 10)} →{' '}
            {m.split.train.end.slice(0, 10)}
            {m.split.validation &&
              ` · validation ${m.split.validation.start.slice(0, 10)} → ${m.split.validation.end.slice(0, 10)}`}
            {m.split.test &&
              ` · test ${m.split.test.start.slice(0, 10)} → ${m.split.test.end.slice(0, 10)} (a backtest's default range)`}
          </Text>
        )}
        <Text size="sm">
          By{' '}
          {m.operation_id ? (
            <Anchor component={Link} to={`/operations/${m.operation_id}`} ff="monospace">
              {m.operation_id}
            </Anchor>
          ) : (
            '—'
          )}{' '}
          on {dateTime(m.created_at)}
        </Text>
      </Card>
      <Card withBorder>
        <TrainingCurves rows={m.history as unknown as MetricRow[]} />
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Inputs ({(m.feature_spec.columns as string[] | undefined)?.length ?? 0} columns)
        </Title>
        <Text size="sm" ff="monospace">
          {(m.feature_spec.columns as string[] | undefined)?.join(' · ')}
        </Text>
      </Card>
    </Stack>
  );
}

/** Trained models: the list, and one model's detail when the URL names it. */
export function ModelsView() {
  const client = useClient();
  const { modelId } = useParams();
  const { data, error } = useQuery(modelsQuery(client));
  return (
    <Stack>
      <Title order={2}>Models</Title>
      {error && <Alert color="red">{error.message}</Alert>}
      {data && data.models.length === 0 ? (
        <Text c="dimmed">
          No trained models yet. Train a neuro_fuzzy strategy from{' '}
          <Anchor component={Link} to="/launch?mode=train">
            Launch
          </Anchor>
          ; a backtest of it then runs the model.
        </Text>
      ) : (
        <Table striped data-testid="models-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Model</Table.Th>
              <Table.Th>Strategy</Table.Th>
              <Table.Th>Data</Table.Th>
              <Table.Th>Test accuracy</Table.Th>
              <Table.Th>Backend</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data?.models.map((m) => (
              <Table.Tr key={m.model_id} data-testid="model-row" data-model-id={m.model_id}>
                <Table.Td ff="monospace">
                  <Anchor component={Link} to={`/models/${m.model_id}`}>
                    {m.model_id}
                  </Anchor>
                </Table.Td>
                <Table.Td>{m.strategy_name}</Table.Td>
                <Table.Td>
                  {m.symbol} {m.timeframe}
                </Table.Td>
                <Table.Td>
                  {percent(
                    typeof m.metrics.test_accuracy === 'number' ? m.metrics.test_accuracy : null,
                    1,
                  )}
                  <Text span size="xs" c="dimmed" ml={6}>
                    {baselineNote(m.metrics)}
                  </Text>
                </Table.Td>
                <Table.Td>{m.training_backend}</Table.Td>
                <Table.Td>{dateTime(m.created_at)}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={backtestLink(m.strategy_name, m.model_id)} size="sm">
                    Backtest
                  </Anchor>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {modelId && <ModelDetail modelId={modelId} />}
    </Stack>
  );
}
