import { subscribeToEvents, type BackendClient, type BackendEvent } from '@ktrdr/shared';
import { waitFor } from './wait.js';

/** Collects every event of a backend's SSE stream for assertions. */
export interface EventRecorder {
  events: BackendEvent[];
  /** Waits for an event matching `predicate` (already received or future). */
  waitFor(
    what: string,
    predicate: (event: BackendEvent) => boolean,
    timeoutMs?: number,
  ): Promise<BackendEvent>;
  close(): void;
}

/** Subscribes to `client`'s event stream and records everything. */
export async function recordEvents(client: BackendClient): Promise<EventRecorder> {
  const events: BackendEvent[] = [];
  const subscription = subscribeToEvents(client.http, { onEvent: (event) => events.push(event) });
  await subscription.ready;
  return {
    events,
    waitFor: (what, predicate, timeoutMs = 10_000) =>
      waitFor(what, () => events.find(predicate), { timeoutMs, intervalMs: 20 }),
    close: () => subscription.close(),
  };
}
