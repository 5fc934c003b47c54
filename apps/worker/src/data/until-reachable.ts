import { ApiError, ConnectionError, retry } from '@ktrdr/shared';

/** How long a job waits for a backend that went away (a restart takes a few seconds). */
const WAIT_FOR_BACKEND_MS = 60_000;

/** The waits between download tries: 250 ms, doubled up to 2 s. */
export const DOWNLOAD_BACKOFF = { initialMs: 250, maxMs: 2000 } as const;

/**
 * A failure worth waiting out: no answer at all (not a cancel), or a 503 — a backend that is
 * shutting down answers 503 before any handler runs, without an error document to name it.
 */
function backendAway(error: unknown): boolean {
  return (
    (error instanceof ConnectionError && error.kind !== 'aborted') ||
    (error instanceof ApiError && error.status === 503)
  );
}

/**
 * Runs a download from the backend, trying again while the backend cannot be reached or
 * is shutting down (503) — a backend restart must not fail the jobs it left running —
 * up to a minute, or until the job is cancelled. Any other error is the answer.
 */
export function untilReachable<T>(
  download: () => Promise<T>,
  signal?: AbortSignal,
  deadlineMs = WAIT_FOR_BACKEND_MS,
): Promise<T> {
  return retry(download, {
    ...DOWNLOAD_BACKOFF,
    deadlineMs,
    retryable: backendAway,
    ...(signal ? { signal } : {}),
  });
}
