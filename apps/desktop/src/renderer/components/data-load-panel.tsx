import { Alert, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { Operation } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../api/client-context';
import { dataLoadResultQuery } from '../api/queries';
import { dateTime } from '../format';

/** What a finished download fetched and stored, and the gaps that are not market closures. */
export function DataLoadPanel({ operation }: { operation: Operation }) {
  const client = useClient();
  const result = useQuery({
    ...dataLoadResultQuery(client, operation.operation_id),
    enabled: operation.status === 'completed',
  });
  const r = result.data;
  if (result.error) return <Alert color="red">{result.error.message}</Alert>;
  if (!r) return null;
  const figures: [string, string][] = [
    ['Bars downloaded', r.bars_downloaded.toLocaleString()],
    ['Series now', `${r.bars_stored.toLocaleString()} bars`],
    ['Range stored', `${dateTime(r.first_bar)} → ${dateTime(r.last_bar)}`],
    ['IB requests', `${r.ib_requests} for ${r.chunks} chunks (${r.empty_chunks} without data)`],
  ];
  return (
    <Stack data-testid="data-load-result">
      <Card withBorder>
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          {figures.map(([label, value]) => (
            <div key={label}>
              <Text size="xs" c="dimmed">
                {label}
              </Text>
              <Text>{value}</Text>
            </div>
          ))}
        </SimpleGrid>
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Gaps ({r.gaps})
        </Title>
        {r.gap_list.length === 0 ? (
          <Text size="sm" c="dimmed">
            None: every hole in the range is a weekend, a night or a lone holiday.
          </Text>
        ) : (
          <Table data-testid="gap-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>After</Table.Th>
                <Table.Th>Before</Table.Th>
                <Table.Th>Missing</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {r.gap_list.slice(0, 200).map((g) => (
                <Table.Tr key={g.after}>
                  <Table.Td>{dateTime(g.after)}</Table.Td>
                  <Table.Td>{dateTime(g.before)}</Table.Td>
                  <Table.Td>
                    {g.missing} {g.unit}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </Stack>
  );
}
