import { Alert, Button, Code, CopyButton, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../api/client-context';
import { clusterQuery } from '../api/queries';

/** The exact command that adds a worker from another machine of the LAN. */
export function JoinView() {
  const client = useClient();
  const { data, error } = useQuery(clusterQuery(client));
  if (error) return <Alert color="red">{error.message}</Alert>;
  if (!data) return null;
  return (
    <Stack maw={900}>
      <Title order={2}>Join a worker</Title>
      <Text>
        Run this on another machine of your network (with this repository checked out and{' '}
        <Code>npm ci &amp;&amp; npm run build</Code> done). The worker registers itself; the backend
        calls it back at its LAN address before accepting it.
      </Text>
      {data.join_command ? (
        <>
          <Code block data-testid="join-command">
            {data.join_command}
          </Code>
          <Group>
            <CopyButton value={data.join_command}>
              {({ copied, copy }) => (
                <Button
                  onClick={copy}
                  variant={copied ? 'light' : 'filled'}
                  aria-label="Copy the join command"
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
            <Text size="sm" c="dimmed">
              The command holds this cluster's token: share it only with machines you own.
            </Text>
          </Group>
        </>
      ) : (
        <Alert color="yellow" title="No other machine can join yet" data-testid="join-hint">
          {data.join_hint}
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        Backend {data.version} listening on {data.listening.host}:{data.listening.port} · data in{' '}
        <Code>{data.data_dir}</Code>
      </Text>
    </Stack>
  );
}
