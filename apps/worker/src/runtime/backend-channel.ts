import { createParser } from 'eventsource-parser';
import {
  ApiError,
  fillPath,
  retry,
  Routes,
  type BackendClient,
  type ChannelReply,
  type ChannelRequest,
} from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';

const CHANNEL_EVENTS = new Set(['dispatch', 'cancel', 'request']);

/** Answers one request as the worker's own HTTP API would (the app, injected). */
export type LocalRequestHandler = (request: ChannelRequest) => Promise<Omit<ChannelReply, 'id'>>;

/**
 * The outbound channel of a worker the backend cannot call (NAT, Docker Desktop, a
 * firewall): it holds `GET /api/v1/workers/{id}/channel` open, answers each request that
 * comes down it through the worker's own API, and posts the answer back. Heartbeats, reports
 * and artifacts go up as usual. Reconnects until closed.
 */
export class BackendChannel {
  private controller: AbortController | undefined;
  private running = false;

  constructor(
    private readonly deps: {
      client: BackendClient;
      workerId: () => string;
      handle: LocalRequestHandler;
      log: FastifyBaseLogger;
      retryMs?: number;
    },
  ) {}

  /** Opens the channel (and keeps it open); a no-op when it already runs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /** Closes the channel for good. */
  close(): void {
    this.running = false;
    this.controller?.abort();
  }

  private async loop(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    // a channel never ends well: each drop is reopened after the same short wait, until closed
    await retry(() => this.connectOnce(controller.signal), {
      initialMs: this.deps.retryMs ?? 1000,
      growth: 'fixed',
      signal: controller.signal,
      onRetry: (error) => {
        const why =
          error instanceof ApiError ? `${error.status} ${error.message}` : (error as Error).message;
        this.deps.log.warn({ err: why }, 'channel to the backend dropped; reopening');
      },
    }).catch(() => undefined);
  }

  private async connectOnce(signal: AbortSignal): Promise<void> {
    const { client } = this.deps;
    const response = await client.http.fetchRaw(
      'GET',
      fillPath(Routes.backend.workerChannel, { worker_id: this.deps.workerId() }),
      { headers: { accept: 'text/event-stream' }, signal, timeoutMs: 0 },
    );
    if (!response.body) throw new Error('the channel has no body');
    this.deps.log.info('channel to the backend open');
    const parser = createParser({
      onEvent: (message) => {
        // dispatches, cancels and probes are all HTTP requests of the worker's own API
        if (message.event && CHANNEL_EVENTS.has(message.event))
          void this.answer(JSON.parse(message.data) as ChannelRequest);
      },
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error('the backend closed the channel');
      parser.feed(decoder.decode(value, { stream: true }));
    }
  }

  private async answer(request: ChannelRequest): Promise<void> {
    let reply: Omit<ChannelReply, 'id'>;
    try {
      reply = await this.deps.handle(request);
    } catch (error) {
      reply = {
        status: 500,
        body: { error: { code: 'INTERNAL_ERROR', message: (error as Error).message } },
      };
    }
    try {
      await this.deps.client.http.request(
        'POST',
        fillPath(Routes.backend.workerChannelReplies, { worker_id: this.deps.workerId() }),
        { body: { id: request.id, ...reply } },
      );
    } catch (error) {
      this.deps.log.warn({ err: (error as Error).message }, 'could not deliver a channel reply');
    }
  }
}
