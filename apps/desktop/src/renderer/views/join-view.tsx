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
      ) : null}
      {data.docker_command && (
        <>
          <Title order={3}>Or as a container (Linux host)</Title>
          <Text>
            Build the image once on that machine from this repository (
            <Code>docker build -t ktrdr-worker .</Code>), then run as many as you like; each picks a
            free port and advertises the host&apos;s address. For several at once use{' '}
            <Code>deploy/compose/docker-compose.yml</Code> with{' '}
            <Code>docker compose up -d --scale backtest-worker=5 --scale training-worker=3</Code>.
          </Text>
          <Code block data-testid="docker-command">
            {data.docker_command}
          </Code>
          <CopyButton value={data.docker_command}>
            {({ copied, copy }) => (
              <Button
                onClick={copy}
                variant={copied ? 'light' : 'default'}
                aria-label="Copy the docker command"
                w={120}
              >
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </>
      )}
      {!data.join_command && (
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
