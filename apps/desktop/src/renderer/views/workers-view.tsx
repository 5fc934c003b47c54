import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../api/client-context';
import { workersQuery } from '../api/queries';
import { StatusBadge } from '../components/status-badge';
import { BusyFraction, ClusterThroughput, JobsPerMinute } from '../components/worker-activity';
import { useNow } from '../components/use-now';
import { ago, shortId } from '../format';

/** How often the roster is fetched again: activity figures move with time, not with events. */
const ACTIVITY_REFRESH_MS = 5000;

/**
 * The worker roster, live: who is registered, how each is reached, what it runs, how busy
 * it was over the last 10 minutes; and the cluster's throughput.
 */
export function WorkersView() {
  const client = useClient();
  const { data, error } = useQuery({
    ...workersQuery(client),
    refetchInterval: ACTIVITY_REFRESH_MS,
  });
  const now = useNow();
  return (
    <Stack>
      <Title order={2}>Workers</Title>
      {error && <Text c="red">{error.message}</Text>}
      <ClusterThroughput activity={data?.activity} />
      <Table striped data-testid="workers-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Worker</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>GPU</Table.Th>
            <Table.Th>Training backend</Table.Th>
            <Table.Th>CPU / memory</Table.Th>
            <Table.Th>Endpoint</Table.Th>
            <Table.Th>Running</Table.Th>
            <Table.Th>Busy (10 min)</Table.Th>
            <Table.Th>Jobs/min</Table.Th>
            <Table.Th>Last heartbeat</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data?.workers.map((w) => (
            <Table.Tr
              key={w.worker_id}
              data-testid="worker-row"
              data-worker-id={w.worker_id}
              data-status={w.status}
            >
              <Table.Td ff="monospace">{w.worker_id}</Table.Td>
              <Table.Td>{w.worker_type}</Table.Td>
              <Table.Td>
                <StatusBadge status={w.status} />
              </Table.Td>
              <Table.Td>
                {w.capabilities.gpu
                  ? `${w.capabilities.gpu_name ?? 'GPU'}${w.capabilities.gpu_memory_mb ? ` (${Math.round(w.capabilities.gpu_memory_mb / 1024)} GB)` : ''}`
                  : '—'}
              </Table.Td>
              <Table.Td data-testid="training-backend">
                {w.capabilities.training_backend ?? '—'}
              </Table.Td>
              <Table.Td>
                {w.capabilities.cpu_cores} cores / {Math.round(w.capabilities.memory_mb / 1024)} GB
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {w.endpoint_url ?? `(${w.connection} channel)`}
                </Text>
              </Table.Td>
              <Table.Td>
                {w.current_operation_id ? (
                  <Anchor
                    component={Link}
                    to={`/operations/${w.current_operation_id}`}
                    ff="monospace"
                    size="sm"
                  >
                    {shortId(w.current_operation_id)}
                  </Anchor>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td>
                <BusyFraction workerId={w.worker_id} activity={w.activity} />
              </Table.Td>
              <Table.Td>
                <JobsPerMinute activity={w.activity} />
              </Table.Td>
              <Table.Td data-testid="last-heartbeat">{ago(w.last_heartbeat_at, now)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {data && data.workers.length === 0 && (
        <Text c="dimmed">
          No worker is registered. Start one on this machine, or see{' '}
          <Anchor component={Link} to="/join">
            Join a worker
          </Anchor>
          .
        </Text>
      )}
    </Stack>
  );
}
