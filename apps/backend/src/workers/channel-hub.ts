import { randomUUID } from 'node:crypto';
import type { ChannelReply, ChannelRequest } from '@ktrdr/shared';

/**
 * The SSE event a request travels as (the wire contract, packages/shared/src/contracts): `dispatch` (a job's start), `cancel`,
 * or `request` (anything else: a health probe, an operation's state).
 */
function eventName(request: Omit<ChannelRequest, 'id'>): 'dispatch' | 'cancel' | 'request' {
  if (request.method === 'DELETE' && /\/cancel(\?|$)/.test(request.url)) return 'cancel';
  return request.method === 'POST' ? 'dispatch' : 'request';
}

/** How long a channel request may take (the HTTP client's own timeouts are as long). */
const CHANNEL_TIMEOUT_MS = 10_000;

/** One worker's open channel: where requests are written, and the replies awaited. */
interface OpenChannel {
  write(event: string, data: string): void;
  pending: Map<string, { resolve: (reply: ChannelReply) => void; reject: (e: Error) => void }>;
}

/** The channel is not open (the worker is away) or it answered too late. */
function unreachable(message: string): Error {
  // the code makes the shared client report a silent worker ('unreachable'), not a dead one
  return Object.assign(new Error(message), { code: 'EHOSTUNREACH' });
}

/**
 * Channels held open by workers the backend cannot call (the wire contract, `connection:
 * reverse`): each request the backend would send to a worker's URL goes down the worker's
 * SSE stream (as a `dispatch`, `cancel` or `request` event), and the worker posts the answer
 * back.
 */
export class ChannelHub {
  private readonly channels = new Map<string, OpenChannel>();
  /** When each worker's last channel closed (while none is open): its process may be gone. */
  private readonly closedAt = new Map<string, number>();

  /**
   * @param onOpen called when a worker's channel opens (queued work may go to it now)
   * @param now the clock of {@link closedSince}
   */
  constructor(
    private readonly onOpen: (workerId: string) => void = () => undefined,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** A worker opened its channel (a newer one replaces an older one). */
  open(workerId: string, write: (event: string, data: string) => void): () => void {
    this.channels.get(workerId)?.pending.forEach((p) => p.reject(unreachable('channel replaced')));
    const channel: OpenChannel = { write, pending: new Map() };
    this.channels.set(workerId, channel);
    this.closedAt.delete(workerId);
    this.onOpen(workerId);
    return () => {
      if (this.channels.get(workerId) !== channel) return;
      this.channels.delete(workerId);
      this.closedAt.set(workerId, this.now());
      for (const p of channel.pending.values())
        p.reject(unreachable(`the channel of worker ${workerId} closed`));
    };
  }

  /** Whether the worker holds its channel open now. */
  isOpen(workerId: string): boolean {
    return this.channels.has(workerId);
  }

  /**
   * When the worker's channel closed, while none is open (undefined when one is open or
   * none ever was). A channel closes at once when the process holding it dies.
   */
  closedSince(workerId: string): number | undefined {
    return this.closedAt.get(workerId);
  }

  /** Sends a request down the worker's channel and waits for its reply. */
  send(
    workerId: string,
    request: Omit<ChannelRequest, 'id'>,
    timeoutMs: number,
  ): Promise<ChannelReply> {
    const channel = this.channels.get(workerId);
    if (!channel) return Promise.reject(unreachable(`worker ${workerId} has no open channel`));
    const id = randomUUID();
    return new Promise<ChannelReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        channel.pending.delete(id);
        reject(unreachable(`worker ${workerId} did not answer on its channel in ${timeoutMs} ms`));
      }, timeoutMs);
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          channel.pending.delete(id);
          fn(value);
        };
      channel.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      channel.write(eventName(request), JSON.stringify({ id, ...request }));
    });
  }

  /** A worker's answer; false when nothing waits for it (late, or another channel's). */
  reply(workerId: string, reply: ChannelReply): boolean {
    const waiting = this.channels.get(workerId)?.pending.get(reply.id);
    waiting?.resolve(reply);
    return waiting !== undefined;
  }

  /**
   * A `fetch` that carries the shared client's requests down a worker's channel, so the
   * dispatcher, cancel and probes talk to reverse workers through the same typed client.
   */
  fetchFor(workerId: string): typeof fetch {
    return async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const method = (init?.method ?? 'GET').toUpperCase() as ChannelRequest['method'];
      const text = typeof init?.body === 'string' ? init.body : undefined;
      const reply = await this.send(
        workerId,
        {
          method,
          url: `${url.pathname}${url.search}`,
          ...(text ? { body: JSON.parse(text) as unknown } : {}),
        },
        CHANNEL_TIMEOUT_MS,
      );
      return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
        status: reply.status,
        headers: { 'content-type': 'application/json' },
      });
    };
  }
}
