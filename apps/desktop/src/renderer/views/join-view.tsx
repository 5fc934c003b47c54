import { Alert, Anchor, Button, Code, CopyButton, Group, Stack, Text, Title } from '@mantine/core';
import type { TokenRotateRequest } from '@ktrdr/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../api/client-context';
import { adoptAdminToken, desktopApi } from '../api/connection';
import { clusterKeys, clusterQuery } from '../api/queries';

const ROTATIONS: { kind: TokenRotateRequest['kind']; label: string; confirm: string }[] = [
  {
    kind: 'join',
    label: 'New join token',
    confirm:
      'Replace the join token? Running workers keep working; new workers need the new command.',
  },
  {
    kind: 'workers',
    label: 'Revoke worker credentials',
    confirm:
      'Revoke every worker credential? Each worker registers again with the join token at its next heartbeat.',
  },
  {
    kind: 'admin',
    label: 'New admin token',
    confirm:
      'Replace the admin token? Every other UI and CLI must use the new one (the CLI on this machine reads it from the data folder).',
  },
];

/** Rotating the cluster's secrets; nothing restarts, workers included. */
function CredentialsPanel() {
  const client = useClient();
  const queries = useQueryClient();
  const rotate = useMutation({
    mutationFn: (kind: TokenRotateRequest['kind']) => client.rotateToken(kind),
    onSuccess: async (answer) => {
      if (answer.kind === 'admin' && answer.token) adoptAdminToken(answer.token);
      await queries.invalidateQueries({ queryKey: clusterKeys.all });
    },
  });
  return (
    <Stack gap="xs" data-testid="credentials-panel">
      <Title order={3}>Credentials</Title>
      <Group>
        {ROTATIONS.map((r) => (
          <Button
            key={r.kind}
            variant="default"
            loading={rotate.isPending && rotate.variables === r.kind}
            onClick={() => {
              if (window.confirm(r.confirm)) rotate.mutate(r.kind);
            }}
          >
            {r.label}
          </Button>
        ))}
      </Group>
      {rotate.data && (
        <Alert color="green" data-testid="rotation-result">
          {rotate.data.note}
        </Alert>
      )}
      {rotate.error && <Alert color="red">{rotate.error.message}</Alert>}
    </Stack>
  );
}

/**
 * How to let other machines in: a setting in the desktop app; elsewhere (the web UI of
 * `npm start` or a headless backend) the backend's bind address, which only a restart changes.
 */
function OpenToLan({ host }: { host: string }) {
  if (desktopApi())
    return (
      <Text size="sm" data-testid="join-instruction">
        Turn on{' '}
        <Anchor component={Link} to="/settings">
          Settings → Allow LAN workers
        </Anchor>
        , then restart the app.
      </Text>
    );
  return (
    <Text size="sm" data-testid="join-instruction">
      Stop the backend (Ctrl-C in its terminal) and start it again listening on every interface:{' '}
      <Code>KTRDR_HOST=0.0.0.0 npm start</Code> (or{' '}
      <Code>KTRDR_HOST=0.0.0.0 npx ktrdr-backend</Code>
      ), then reload this page. It listens on {host} now; the join command appears here once it can
      be reached.
    </Text>
  );
}

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
              The command holds this cluster&apos;s join token: it can only register workers, and
              each worker then gets a credential of its own. Share it only with machines you own.
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
          <Stack gap="xs">
            <Text size="sm">{data.join_hint}.</Text>
            {!data.accepts_lan_workers && <OpenToLan host={data.listening.host} />}
          </Stack>
        </Alert>
      )}
      <CredentialsPanel />
      <Text size="sm" c="dimmed">
        Backend {data.version} listening on {data.listening.host}:{data.listening.port} · data in{' '}
        <Code>{data.data_dir}</Code>
      </Text>
    </Stack>
  );
}
