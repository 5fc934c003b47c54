import { retry } from '@ktrdr/shared';
import { ConnectionLostError } from '../errors.js';

/**
 * Runs `attempt`, again when the connection dropped under it, at most `times` times in all.
 * No wait between tries: each one waits for the link to come back on its own.
 */
export function retryOnConnectionLoss<T>(attempt: () => Promise<T>, times = 3): Promise<T> {
  return retry(attempt, {
    initialMs: 0,
    growth: 'fixed',
    maxAttempts: times,
    retryable: (error) => error instanceof ConnectionLostError,
  });
}
