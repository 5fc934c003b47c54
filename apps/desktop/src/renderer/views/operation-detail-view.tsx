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
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { useClient } from '../api/client-context';
import { operationKeys, operationQuery } from '../api/queries';
import { CancelButton } from '../components/cancel-button';
import { OperationProgress } from '../components/operation-progress';
import { OperationTitle } from '../components/operation-title';
import { StatusBadge } from '../components/status-badge';
import { shortPath } from '../components/sweep-space';
import { dateTime, number, shortId } from '../format';
import { kindView } from './kind-views';

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
  const view = kindView(op.operation_type);
  const Heading = view.Title ?? OperationTitle;
  const context = view.ownContext
    ? []
    : Object.entries(op.progress.context).filter(([, v]) => v === null || typeof v !== 'object');
  const swept = op.metadata.parameters;
  return (
    <Stack data-testid="operation-detail" data-status={op.status}>
      <Group justify="space-between">
        <Group>
          <Heading operation={op} />
          <StatusBadge status={op.status} />
        </Group>
        <Group>
          <CancelButton operation={op} size="sm" />
          {(op.status === 'failed' || op.status === 'cancelled') &&
            (op.checkpoint_ref || view.resumeWithoutCheckpoint) && (
              <Button
                size="sm"
                variant="light"
                onClick={() => resume.mutate()}
                loading={resume.isPending}
                title={view.resumeWithoutCheckpoint ?? 'Continue from the last checkpoint'}
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
      {view.LivePanel && <view.LivePanel operation={op} />}
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
      {view.ResultPanel && <view.ResultPanel operation={op} />}
    </Stack>
  );
}
