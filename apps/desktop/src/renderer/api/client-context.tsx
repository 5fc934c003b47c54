import type { BackendClient } from '@ktrdr/shared';
import { createContext, useContext, type ReactNode } from 'react';

const ClientContext = createContext<BackendClient | null>(null);

/** Makes the backend client available to every view. */
export function ClientProvider({
  client,
  children,
}: {
  client: BackendClient;
  children: ReactNode;
}) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The backend client. */
export function useClient(): BackendClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}
