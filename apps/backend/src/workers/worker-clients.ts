import { WorkerClient } from '@ktrdr/shared';
import { Agent } from 'undici';
import type { ChannelHub } from './channel-hub.js';
import type { WorkerRecord } from './worker-registry.js';

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

  constructor(
    private readonly token: () => string,
    private readonly channels: ChannelHub,
  ) {}

  /** The client of a registered worker: over HTTP, or down its channel when it is `reverse`. */
  forWorker(worker: Pick<WorkerRecord, 'worker_id' | 'endpoint_url' | 'connection'>): WorkerClient {
    if (worker.connection === 'direct') return this.for(worker.endpoint_url);
    const key = `channel:${worker.worker_id}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new WorkerClient({
        baseUrl: `http://channel.invalid`,
        token: this.token,
        fetch: this.channels.fetchFor(worker.worker_id),
        timeoutMs: 10_000,
      });
      this.clients.set(key, client);
    }
    return client;
  }

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
