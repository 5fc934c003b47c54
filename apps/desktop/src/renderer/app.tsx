import {
  Alert,
  AppShell,
  Badge,
  Burger,
  Center,
  Group,
  Loader,
  MantineProvider,
  NavLink,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { BrowserRouter, Link, Route, Routes, useLocation } from 'react-router';
import { ClientProvider, useClient } from './api/client-context';
import { connect, type Connection } from './api/connection';
import { useLiveUpdates } from './api/live';
import { clusterQuery, operationsQuery, workersQuery } from './api/queries';
import { IbStatusBadge } from './components/ib-status-badge';
import { CompareView } from './views/compare-view';
import { DataView } from './views/data-view';
import { JoinView } from './views/join-view';
import { LaunchView } from './views/launch-view';
import { ModelsView } from './views/models-view';
import { OperationDetailView } from './views/operation-detail-view';
import { OperationsView } from './views/operations-view';
import { SettingsView } from './views/settings-view';
import { SignInView } from './views/sign-in-view';
import { StrategiesView } from './views/strategies-view';
import { WorkersView } from './views/workers-view';

// Each view registers here.
const NAV = [
  { to: '/', label: 'Operations' },
  { to: '/launch', label: 'Launch' },
  { to: '/workers', label: 'Workers' },
  { to: '/data', label: 'Data' },
  { to: '/strategies', label: 'Strategies' },
  { to: '/models', label: 'Models' },
  { to: '/join', label: 'Join a worker' },
  { to: '/settings', label: 'Settings' },
];

function Shell() {
  const client = useClient();
  const queryClient = useQueryClient();
  const live = useLiveUpdates(client, queryClient);
  const location = useLocation();
  const workers = useQuery(workersQuery(client));
  const operations = useQuery(operationsQuery(client, { top_level: true }));
  const cluster = useQuery(clusterQuery(client));
  const ready = workers.isSuccess && operations.isSuccess;
  useEffect(() => {
    // end-to-end tests (and screen readers' users) wait for this, never for a fixed time
    document.documentElement.dataset.appState = ready ? 'ready' : 'loading';
  }, [ready]);
  const available = workers.data?.workers.filter((w) => w.status === 'available').length ?? 0;
  // below the `sm` breakpoint (a phone) the views hide behind the burger; picking one closes it
  const [navOpen, nav] = useDisclosure(false);
  return (
    <AppShell
      header={{ height: 52 }}
      navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={navOpen}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={navOpen ? 'Close the views menu' : 'Open the views menu'}
              aria-expanded={navOpen}
              data-testid="nav-burger"
            />
            <Title order={3}>ktrdr</Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Badge color={live ? 'green' : 'gray'} variant="dot" data-testid="live-status">
              {live ? 'live' : 'connecting…'}
            </Badge>
            <IbStatusBadge />
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {workers.data ? `${available} of ${workers.data.total_count} workers available` : ''}{' '}
              {cluster.data ? `· backend ${cluster.data.version}` : ''}
            </Text>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Views">
        {NAV.map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            onClick={nav.close}
            active={
              item.to === '/'
                ? location.pathname === '/' ||
                  location.pathname.startsWith('/operations') ||
                  location.pathname.startsWith('/compare')
                : location.pathname.startsWith(item.to)
            }
          />
        ))}
      </AppShell.Navbar>
      {/* a table wider than a phone scrolls inside the view; the page itself never does */}
      <AppShell.Main style={{ overflowX: 'auto' }}>
        <Routes>
          <Route path="/" element={<OperationsView />} />
          <Route path="/operations/:operationId" element={<OperationDetailView />} />
          <Route path="/compare" element={<CompareView />} />
          <Route path="/launch" element={<LaunchView />} />
          <Route path="/workers" element={<WorkersView />} />
          <Route path="/data" element={<DataView />} />
          <Route path="/strategies" element={<StrategiesView />} />
          <Route path="/strategies/:name" element={<StrategiesView />} />
          <Route path="/models" element={<ModelsView />} />
          <Route path="/models/:modelId" element={<ModelsView />} />
          <Route path="/join" element={<JoinView />} />
          <Route path="/settings" element={<SettingsView />} />
          <Route path="*" element={<Text>Nothing here. Pick a view on the left.</Text>} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}

/** The whole UI: connect (preload or session cookie), then the shell with its views. */
export function App() {
  const [queryClient] = useState(
    () =>
      new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } }),
  );
  const [connection, setConnection] = useState<Connection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    connect().then(setConnection, (e: Error) => setError(e.message));
  }, [attempt]);
  let body;
  if (error) {
    body = (
      <Center h="100vh">
        <Alert color="red" title="Cannot reach the backend">
          {error}
        </Alert>
      </Center>
    );
  } else if (!connection) {
    body = (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  } else if (!connection.authenticated) {
    body = <SignInView client={connection.client} onSignedIn={() => setAttempt((a) => a + 1)} />;
  } else {
    body = (
      <ClientProvider client={connection.client}>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <Shell />
          </BrowserRouter>
        </QueryClientProvider>
      </ClientProvider>
    );
  }
  return <MantineProvider>{body}</MantineProvider>;
}
