import { Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../api/client-context';
import { modelsQuery } from '../api/queries';
import { dateTime } from '../format';

/** Trained models (the training issue fills the store). */
export function ModelsView() {
  const client = useClient();
  const { data } = useQuery(modelsQuery(client));
  return (
    <Stack>
      <Title order={2}>Models</Title>
      {data && data.models.length === 0 ? (
        <Text c="dimmed">
          No trained models yet. A neuro_fuzzy strategy needs one before it can be backtested.
        </Text>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Model</Table.Th>
              <Table.Th>Strategy</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data?.models.map((m) => (
              <Table.Tr key={m.model_id}>
                <Table.Td ff="monospace">{m.model_id}</Table.Td>
                <Table.Td>{m.strategy_name}</Table.Td>
                <Table.Td>{dateTime(m.created_at)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
