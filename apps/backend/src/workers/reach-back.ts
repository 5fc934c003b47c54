import { ConnectionError, type WorkerClient } from '@ktrdr/shared';
import { ValidationError } from '@ktrdr/server-kit';

const HINT = 'set KTRDR_WORKER_PUBLIC_URL on the worker to a URL this backend can reach';

/** Checks that `endpoint_url` is an http(s) URL without credentials or a fragment. */
export function checkEndpointUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('endpoint_url', `"${raw}" is not a URL; ${HINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(
      'endpoint_url',
      `"${raw}" must start with http:// or https://; ${HINT}`,
    );
  }
  if (url.username || url.password || url.hash || url.search) {
    throw new ValidationError(
      'endpoint_url',
      `"${raw}" must be a plain base URL (no credentials, query or fragment); ${HINT}`,
    );
  }
  return raw.replace(/\/+$/, '');
}

/**
 * Calls the worker back at `endpoint_url/health` and checks it answers as `workerId`, so
 * the roster only ever holds workers the backend can actually reach.
 */
export async function verifyReachBack(
  client: WorkerClient,
  endpointUrl: string,
  workerId: string,
): Promise<void> {
  let health;
  try {
    health = await client.health({ timeoutMs: 3000 });
  } catch (error) {
    const why =
      error instanceof ConnectionError
        ? {
            refused: 'connection refused',
            timeout: 'no answer within 3 s',
            unreachable: 'host unreachable',
            reset: 'connection reset',
            aborted: 'aborted',
            other: error.message,
          }[error.kind]
        : error instanceof Error
          ? error.message
          : String(error);
    throw new ValidationError(
      'endpoint_url',
      `the backend could not reach ${endpointUrl}/health (${why}); ${HINT}`,
      {
        endpoint_url: endpointUrl,
      },
    );
  }
  if (!health || health.worker_id !== workerId) {
    throw new ValidationError(
      'endpoint_url',
      `${endpointUrl}/health answered as worker "${String(health?.worker_id)}", not "${workerId}": another process holds that address; ${HINT}`,
      { endpoint_url: endpointUrl },
    );
  }
}
