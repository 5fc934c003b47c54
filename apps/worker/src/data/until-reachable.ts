import { ApiError, ConnectionError } from '@ktrdr/shared';

/** How long a job waits for a backend that went away (a restart takes a few seconds). */
const WAIT_FOR_BACKEND_MS = 60_000;

/**
 * Runs a download from the backend, trying again while the backend cannot be reached or
 * is shutting down (503) — a backend restart must not fail the jobs it left running —
 * up to a minute, or until the job is cancelled. Any other error is the answer.
 */
export async function untilReachable<T>(
  download: () => Promise<T>,
  signal?: AbortSignal,
  deadlineMs = WAIT_FOR_BACKEND_MS,
): Promise<T> {
  const started = Date.now();
  let wait = 250;
  for (;;) {
    try {
      return await download();
    } catch (error) {
      const transient =
        (error instanceof ConnectionError && error.kind !== 'aborted') ||
        (error instanceof ApiError && error.status === 503);
      if (!transient || signal?.aborted || Date.now() - started + wait > deadlineMs) throw error;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      wait = Math.min(wait * 2, 2000);
    }
  }
}
