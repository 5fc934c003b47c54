import { yieldToEventLoop } from './sweep-plan.js';
import type { NewSweepSet, SweepSetStore } from './sweep-set-store.js';

/**
 * Sets stored per turn of the event loop once a sweep runs: small, so the dispatch and the
 * reports of its first shards wait a few milliseconds between slices, not tens.
 */
const BACKGROUND_SLICE = 1000;

/** What storing a sweep's sets asks of the sweep service as it goes. */
export interface StoringHooks {
  /** Whether the sweep still runs (its next slice is stored `pending`, else `cancelled`). */
  live(): boolean;
  /** A live slice was stored (shards may take it). */
  stored(): void;
  /** Every set is stored, or storing failed with `error` (called once; it logs its own errors). */
  ended(error?: Error): void | Promise<void>;
}

/**
 * The sets of started sweeps that are still being stored, one slice per turn of the event
 * loop (a sweep runs from its first slice on: see `SweepService.start`). Knows how many
 * are left per sweep (they count as pending) and when each storing ends.
 */
export class SetStoring {
  private readonly active = new Map<string, { left: number; loop: Promise<unknown> }>();
  /** Every storing not yet ended, `ended` hook included (what closing waits for). */
  private readonly ending = new Set<Promise<void>>();

  constructor(private readonly sets: SweepSetStore) {}

  /** Stores `all` from index `from` on for sweep `sweepId`. */
  start(sweepId: string, all: readonly NewSweepSet[], from: number, hooks: StoringHooks): void {
    const entry: { left: number; loop: Promise<unknown> } = {
      left: all.length - from,
      loop: Promise.resolve(),
    };
    const loop = (async (): Promise<Error | undefined> => {
      try {
        for (let at = from; at < all.length; at += BACKGROUND_SLICE) {
          await yieldToEventLoop();
          const slice = all.slice(at, at + BACKGROUND_SLICE);
          const live = hooks.live();
          await this.sets.insert(sweepId, slice, yieldToEventLoop, live ? 'pending' : 'cancelled');
          entry.left -= slice.length;
          if (live) hooks.stored();
        }
        return undefined;
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      } finally {
        // no longer storing before anyone waiting on the loop goes on
        this.active.delete(sweepId);
      }
    })();
    entry.loop = loop;
    this.active.set(sweepId, entry);
    // the hook reports its own errors (see StoringHooks.ended); none may go unhandled here
    const ended = loop
      .then((failure) => hooks.ended(failure))
      .catch(() => {})
      .finally(() => this.ending.delete(ended));
    this.ending.add(ended);
  }

  /** Whether sweep `sweepId` still has sets being stored. */
  has(sweepId: string): boolean {
    return this.active.has(sweepId);
  }

  /** Sets of sweep `sweepId` not stored yet (0 when none). */
  left(sweepId: string): number {
    return this.active.get(sweepId)?.left ?? 0;
  }

  /**
   * Resolves once sweep `sweepId`'s sets are all stored or storing failed (not waiting for
   * its `ended` hook, which may itself cancel the sweep and so wait here).
   */
  async stored(sweepId: string): Promise<void> {
    await this.active.get(sweepId)?.loop;
  }

  /** Resolves once every sweep's sets are stored and their `ended` hooks have run. */
  async close(): Promise<void> {
    await Promise.all([...this.ending]);
  }
}
