import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  List,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { ApiError } from '@ktrdr/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useClient } from '../api/client-context';
import { strategiesQuery, strategyKeys, strategyQuery } from '../api/queries';

function StrategyEditor({ name }: { name: string }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const { data, error } = useQuery(strategyQuery(client, name));
  const [text, setText] = useState('');
  useEffect(() => setText(data?.yaml ?? ''), [data?.yaml]);
  const save = useMutation({
    mutationFn: () => client.putStrategy(name, text),
    onSuccess: (doc) => {
      queryClient.setQueryData(strategyKeys.detail(name), doc);
      void queryClient.invalidateQueries({ queryKey: strategyKeys.lists() });
    },
  });
  const issues =
    save.error instanceof ApiError
      ? ((save.error.details?.issues as { path: string; message: string }[] | undefined) ?? [])
      : [];
  if (error) return <Alert color="red">{error.message}</Alert>;
  return (
    <Stack>
      <Group>
        <Title order={3}>{name}</Title>
        {data && (
          <>
            <Badge variant="light">version {data.version}</Badge>
            <Code>{data.hash}</Code>
          </>
        )}
      </Group>
      <Textarea
        aria-label="Strategy YAML"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        autosize
        minRows={16}
        styles={{ input: { fontFamily: 'monospace', fontSize: 13 } }}
        spellCheck={false}
      />
      <Group>
        <Button
          onClick={() => save.mutate()}
          loading={save.isPending}
          disabled={text === data?.yaml}
        >
          Save as a new version
        </Button>
        {save.isSuccess && text === save.data.yaml && (
          <Text c="green">Saved as version {save.data.version}.</Text>
        )}
      </Group>
      {save.error && (
        <Alert
          color="red"
          title="Not saved: the strategy has problems"
          data-testid="strategy-errors"
        >
          {issues.length > 0 ? (
            <List size="sm">
              {issues.map((i) => (
                <List.Item key={`${i.path}:${i.message}`}>
                  <Code>{i.path || '(document)'}</Code> {i.message}
                </List.Item>
              ))}
            </List>
          ) : (
            save.error.message
          )}
        </Alert>
      )}
    </Stack>
  );
}

/** Strategies: the list, and each one's YAML with validation on save. */
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
