import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  BACKEND_EVENT_NAMES,
  type BackendEvent,
  type BackendEventName,
} from '../contracts/events.js';
import { Routes } from '../contracts/routes.js';
import { retry } from '../retry.js';
import type { HttpClient } from './http.js';

const KNOWN = new Set<string>(BACKEND_EVENT_NAMES);

/** Options of {@link subscribeToEvents}. */
export interface EventSubscriptionOptions {
  /** Called for every event, in order. */
  onEvent: (event: BackendEvent) => void;
  /** Called when the stream (re)connects; `resumed` is true when it picked up from `Last-Event-ID`. */
  onOpen?: (info: { resumed: boolean }) => void;
  /** Called when the stream drops; it reconnects by itself unless the subscription was closed. */
  onDisconnect?: (error: unknown) => void;
  /** Only these events (default: all). */
  events?: readonly BackendEventName[];
  /** Delay before a reconnect, in ms (default 500). */
  retryMs?: number;
}

/** A live subscription. */
export interface EventSubscription {
  /** Resolves when the first connection is established. */
  ready: Promise<void>;
  /** Stops the subscription for good. */
  close(): void;
}

/**
 * Follows `GET /api/v1/events` over `fetch` streaming (works in Node and browsers, and
 * sends the bearer token, which `EventSource` cannot). Reconnects with `Last-Event-ID`.
 */
export function subscribeToEvents(
  http: HttpClient,
  options: EventSubscriptionOptions,
): EventSubscription {
  const controller = new AbortController();
  let lastId: string | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (error: unknown) => void;
  let opened = false;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const wanted = options.events ? new Set<string>(options.events) : undefined;

  const onMessage = (message: EventSourceMessage) => {
    if (message.id) lastId = message.id;
    const name = message.event;
    if (!name || !KNOWN.has(name) || (wanted && !wanted.has(name))) return;
    options.onEvent({
      id: Number(message.id ?? 0),
      event: name,
      data: JSON.parse(message.data) as unknown,
    } as BackendEvent);
  };

  const connectOnce = async () => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastId) headers['last-event-id'] = lastId;
    const response = await http.fetchRaw('GET', Routes.backend.events, {
      headers,
      signal: controller.signal,
      timeoutMs: 0,
    });
    if (!response.body) throw new Error('event stream has no body');
    options.onOpen?.({ resumed: lastId !== undefined });
    if (!opened) {
      opened = true;
      resolveReady();
    }
    const parser = createParser({ onEvent: onMessage });
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  };

  // a refusal of the first connection (401, 404) is the answer: every other drop is retried
  let refused = false;
  const followOnce = async () => {
    try {
      await connectOnce();
    } catch (error) {
      if (controller.signal.aborted) throw error;
      if (!opened && (error as { name?: string }).name === 'ApiError') {
        refused = true;
        rejectReady(error);
      } else options.onDisconnect?.(error);
      throw error;
    }
    const ended = new Error('event stream ended');
    if (!controller.signal.aborted) options.onDisconnect?.(ended);
    throw ended;
  };
  void retry(followOnce, {
    initialMs: options.retryMs ?? 500,
    growth: 'fixed',
    signal: controller.signal,
    retryable: () => !refused,
  }).catch(() => undefined);

  return {
    ready,
    close: () => controller.abort(),
  };
}
