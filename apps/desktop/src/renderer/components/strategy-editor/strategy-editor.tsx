import { Alert, Badge, Button, Code, Group, List, Stack, Text, Title } from '@mantine/core';
import { ApiError } from '@ktrdr/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useClient } from '../../api/client-context';
import { strategyKeys, strategyQuery } from '../../api/queries';
import { YamlEditor, type YamlIssue } from './yaml-editor';
import { issueSpan } from './yaml-paths';

/**
 * One strategy's YAML in a code editor, saved as a new version. The API validates it; its
 * issues are marked at the lines they name and listed under the editor, until the next
 * edit (then they may no longer hold, so they go).
 */
export function StrategyEditor({ name }: { name: string }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const { data, error } = useQuery(strategyQuery(client, name));
  const [text, setText] = useState('');
  useEffect(() => setText(data?.yaml ?? ''), [data?.yaml]);
  const save = useMutation({
    mutationFn: (yaml: string) => client.putStrategy(name, yaml),
    onSuccess: (doc) => {
      queryClient.setQueryData(strategyKeys.detail(name), doc);
      void queryClient.invalidateQueries({ queryKey: strategyKeys.lists() });
    },
  });
  const issues: YamlIssue[] =
    save.error instanceof ApiError
      ? ((save.error.details?.issues as YamlIssue[] | undefined) ?? [])
      : [];
  // what was sent is what the issues' lines are about (the text has not changed since)
  const sent = save.variables ?? text;
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
      <YamlEditor
        value={text}
        onChange={(next) => {
          setText(next);
          if (save.error && next !== save.variables) save.reset();
        }}
        issues={issues}
        label="Strategy YAML"
        testId="strategy-editor"
      />
      <Group>
        <Button
          onClick={() => save.mutate(text)}
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
                <List.Item key={`${i.path}:${i.message}`} data-testid="strategy-issue">
                  Line {issueSpan(sent, i).line}: <Code>{i.path || '(document)'}</Code> {i.message}
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
