import {
  LatestValueThrottle,
  type BackendEventMap,
  type BackendEventName,
  type Progress,
} from '@ktrdr/shared';

/** An event as kept in the replay buffer, already serialized once for every subscriber. */
export interface StoredEvent {
  id: number;
  event: BackendEventName;
  /** The SSE frame, ready to write. */
  frame: string;
}

type Listener = (event: StoredEvent) => void;

/**
 * Fan-out of backend events to SSE subscribers. Each event gets an increasing id and is
 * serialized once; the last `capacity` events are kept so a client that reconnects with
 * `Last-Event-ID` misses nothing. Progress is coalesced per operation (latest wins) to at
 * most one event per `progressIntervalMs`.
 */
export class EventBus {
  private nextId = 1;
  /**
   * The replay buffer as a ring: event `id` sits at `(id - 1) % capacity`. Dropping the
   * oldest event from the front of an array moved every kept one at each publish (the
   * largest single cost of a busy backend's event publishing).
   */
  private readonly ring: (StoredEvent | undefined)[];
  private readonly listeners = new Set<Listener>();
  private readonly progressThrottles = new Map<string, LatestValueThrottle<Progress>>();

  constructor(
    private readonly capacity = 4096,
    private readonly progressIntervalMs = 50,
  ) {
    this.ring = new Array<StoredEvent | undefined>(capacity);
  }

  /** Publishes an event to every subscriber. */
  publish<K extends BackendEventName>(event: K, data: BackendEventMap[K]): void {
    const id = this.nextId++;
    const stored: StoredEvent = {
      id,
      event,
      frame: `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
    };
    this.ring[(id - 1) % this.capacity] = stored;
    for (const listener of this.listeners) listener(stored);
  }

  /** Publishes progress, coalesced per operation. */
  publishProgress(operationId: string, progress: Progress): void {
    let throttle = this.progressThrottles.get(operationId);
    if (!throttle) {
      throttle = new LatestValueThrottle<Progress>(this.progressIntervalMs, (p) =>
        this.publish('progress', { operation_id: operationId, progress: p }),
      );
      this.progressThrottles.set(operationId, throttle);
    }
    throttle.push(progress);
  }

  /** Sends any coalesced progress of an operation now and forgets its throttle (it ended). */
  flushProgress(operationId: string): void {
    const throttle = this.progressThrottles.get(operationId);
    if (!throttle) return;
    throttle.flush();
    this.progressThrottles.delete(operationId);
  }

  /** Events after `lastId` still in the buffer. */
  since(lastId: number): StoredEvent[] {
    const newest = this.nextId - 1;
    const oldest = Math.max(1, newest - this.capacity + 1);
    const events: StoredEvent[] = [];
    for (let id = Math.max(oldest, lastId + 1); id <= newest; id++)
      events.push(this.ring[(id - 1) % this.capacity] as StoredEvent);
    return events;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of live subscribers. */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Stops every timer. */
  close(): void {
    for (const throttle of this.progressThrottles.values()) throttle.cancel();
    this.progressThrottles.clear();
    this.listeners.clear();
  }
}
