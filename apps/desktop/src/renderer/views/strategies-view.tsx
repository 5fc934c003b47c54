import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useClient } from '../api/client-context';
import { strategiesQuery } from '../api/queries';
import { StrategyEditor } from '../components/strategy-editor/strategy-editor';

/** Strategies: the list, and each one's YAML in an editor that marks the API's issues. */
export function StrategiesView() {
  const { name } = useParams();
  const client = useClient();
  const { data } = useQuery(strategiesQuery(client));
  return (
    <Stack>
      <Title order={2}>Strategies</Title>
      <Table striped data-testid="strategies-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Description</Table.Th>
            <Table.Th>Version</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data?.strategies.map((s) => (
            <Table.Tr key={s.name}>
              <Table.Td>
                <Anchor component={Link} to={`/strategies/${s.name}`}>
                  {s.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{s.type}</Table.Td>
              <Table.Td>
                <Text size="sm">{s.description}</Text>
              </Table.Td>
              <Table.Td>{s.version}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {name && <StrategyEditor key={name} name={name} />}
    </Stack>
  );
}
