import { WorkerClient } from '@ktrdr/shared';
import { Agent } from 'undici';

/**
 * One keep-alive connection pool for every call the backend makes to workers, and one
 * cached client per worker URL.
 */
export class WorkerClients {
  private readonly agent = new Agent({
    keepAliveTimeout: 10_000,
    connectTimeout: 3_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  private readonly clients = new Map<string, WorkerClient>();

  constructor(private readonly token: () => string) {}

  /** The client of the worker at `endpointUrl`. */
  for(endpointUrl: string): WorkerClient {
    let client = this.clients.get(endpointUrl);
    if (!client) {
      client = new WorkerClient({
        baseUrl: endpointUrl,
        token: this.token,
        dispatcher: this.agent,
        timeoutMs: 10_000,
      });
      this.clients.set(endpointUrl, client);
    }
    return client;
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    this.clients.clear();
    await this.agent.close();
  }
}
