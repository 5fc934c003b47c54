import { abortReason } from '../errors.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/**
 * Requests waiting for the link to become usable. Each waits a bounded time and can be
 * abandoned by its caller; whichever comes first (ready, timeout, abort, close) settles it
 * and removes its timer and abort listener, so a long outage leaks neither.
 */
export class ReadyWaiters<T> {
  private readonly waiting = new Set<Waiter<T>>();

  /**
   * Resolves at the next {@link resolveAll}; rejects with the abort reason when `signal`
   * aborts, or with `timedOut(waitedMs)` after `timeoutMs` (made then, so it can say how
   * things stood when the wait gave up). `signal` must not be aborted already.
   */
  wait(timeoutMs: number, timedOut: (waitedMs: number) => Error, signal?: AbortSignal): Promise<T> {
    const startedAt = Date.now();
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiting.delete(waiter);
      };
      const waiter: Waiter<T> = {
        resolve: (value) => {
          done();
          resolve(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(abortReason(signal as AbortSignal));
      const timer = setTimeout(() => waiter.reject(timedOut(Date.now() - startedAt)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(waiter);
    });
  }

  /** Every waiter gets `value`. */
  resolveAll(value: T): void {
    for (const waiter of [...this.waiting]) waiter.resolve(value);
  }

  /** Every waiter fails, each with an error of its own from `error`. */
  rejectAll(error: () => Error): void {
    for (const waiter of [...this.waiting]) waiter.reject(error());
  }
}
