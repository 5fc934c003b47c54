/** Thrown by a job that stopped because it was cancelled. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

const FLAG = 0;

/**
 * A cancellation flag in shared memory. The worker's main thread sets it; a synchronous
 * loop in a worker thread reads it with `Atomics.load` (no message, no yield needed),
 * and a paced loop can sleep on it with {@link CancellationToken.sleep}, which wakes at once
 * on cancellation. Where `SharedArrayBuffer` is unavailable (a browser page without
 * cross-origin isolation) it falls back to a plain buffer and works within one thread.
 */
export class CancellationToken {
  private readonly cells: Int32Array;

  private constructor(readonly buffer: SharedArrayBuffer | ArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  /** A fresh, not-cancelled token. */
  static create(): CancellationToken {
    const bytes = Int32Array.BYTES_PER_ELEMENT;
    const buffer =
      typeof SharedArrayBuffer === 'function'
        ? new SharedArrayBuffer(bytes)
        : new ArrayBuffer(bytes);
    return new CancellationToken(buffer);
  }

  /** A view of a token created elsewhere (e.g. passed to a worker thread in `workerData`). */
  static fromBuffer(buffer: SharedArrayBuffer | ArrayBuffer): CancellationToken {
    return new CancellationToken(buffer);
  }

  /** True once {@link cancel} was called, from any thread. */
  get isCancelled(): boolean {
    return Atomics.load(this.cells, FLAG) === 1;
  }

  /** Sets the flag and wakes a thread sleeping in {@link sleep}. Idempotent. */
  cancel(): void {
    Atomics.store(this.cells, FLAG, 1);
    if (this.buffer instanceof SharedArrayBuffer) Atomics.notify(this.cells, FLAG);
  }

  /** Throws {@link CancelledError} if the token is set. Cheap enough for a hot loop every N items. */
  throwIfCancelled(): void {
    if (this.isCancelled) throw new CancelledError();
  }

  /**
   * Blocks the calling thread for up to `ms`, returning early (true) on cancellation.
   * For worker threads only: it blocks the event loop of whoever calls it.
   */
  sleep(ms: number): boolean {
    if (this.isCancelled) return true;
    if (ms <= 0 || !(this.buffer instanceof SharedArrayBuffer)) return this.isCancelled;
    Atomics.wait(this.cells, FLAG, 0, ms);
    return this.isCancelled;
  }

  /** An `AbortSignal` that fires when the token is set, polled every `pollMs` (for async code). */
  toAbortSignal(pollMs = 50): { signal: AbortSignal; dispose: () => void } {
    const controller = new AbortController();
    const timer = setInterval(() => {
      if (this.isCancelled) {
        controller.abort(new CancelledError());
        clearInterval(timer);
      }
    }, pollMs);
    return { signal: controller.signal, dispose: () => clearInterval(timer) };
  }
}
