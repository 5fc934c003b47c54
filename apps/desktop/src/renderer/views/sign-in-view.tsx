import {
  Alert,
  Button,
  Center,
  Code,
  Paper,
  PasswordInput,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import type { BackendClient } from '@ktrdr/shared';
import { useState, type FormEvent } from 'react';
import { signIn } from '../api/connection';

/** Asks for the token when the browser has no session (the ready-to-click URL carries it). */
export function SignInView({
  client,
  onSignedIn,
}: {
  client: BackendClient;
  onSignedIn: () => void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await signIn(client, token);
      onSignedIn();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Center h="100vh">
      <Paper withBorder p="xl" w={460}>
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <Title order={2}>ktrdr</Title>
            <Text size="sm">
              Paste the cluster token: it is in <Code>~/.ktrdr/cluster-token</Code> on the machine
              that runs the backend (the start-up banner's link signs you in directly).
            </Text>
            <PasswordInput
              label="Token"
              value={token}
              onChange={(e) => setToken(e.currentTarget.value)}
              autoFocus
            />
            {error && <Alert color="red">{error}</Alert>}
            <Button type="submit" disabled={!token.trim()}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
