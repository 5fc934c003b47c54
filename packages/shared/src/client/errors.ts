import type { ErrorCode } from '../contracts/errors.js';

/** A service answered with an error response (`{error: {code, message, details}}`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** Machine-readable code; `INTERNAL_ERROR` when the body was not an error document. */
    readonly code: ErrorCode,
    message: string,
    /** Extra structured information (the failing field, a hint…). */
    readonly details: Record<string, unknown> | undefined,
    /** `METHOD url` of the failed request, for messages. */
    readonly request: string,
  ) {
    super(message);
  }
}

/** Why a request never got an answer. */
export type ConnectionFailureKind =
  'refused' | 'timeout' | 'unreachable' | 'reset' | 'aborted' | 'other';

/** A request got no HTTP answer at all: nothing listens, the host is silent, or it was aborted. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    readonly kind: ConnectionFailureKind,
    /** The URL that could not be reached. */
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CODE_KINDS: Record<string, ConnectionFailureKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
};

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in CODE_KINDS) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The most specific message in a cause chain: `fetch failed` says nothing, its cause (a TLS
 * certificate that is not the pinned one, a DNS failure) says what to fix.
 */
function deepestMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error && e.message) message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return message;
}

/** Turns whatever `fetch` threw into a {@link ConnectionError} that says what happened. */
export function toConnectionError(error: unknown, url: string, timedOut: boolean): ConnectionError {
  if (error instanceof ConnectionError) return error;
  const name = (error as { name?: unknown }).name;
  if (timedOut || name === 'TimeoutError') {
    return new ConnectionError('timeout', url, `no answer from ${url} in time`, { cause: error });
  }
  if (name === 'AbortError') {
    return new ConnectionError('aborted', url, `request to ${url} was aborted`, { cause: error });
  }
  const code = errorCode(error);
  const kind = code ? (CODE_KINDS[code] ?? 'other') : 'other';
  const what =
    kind === 'refused'
      ? 'connection refused (is it running?)'
      : kind === 'unreachable'
        ? 'host unreachable'
        : kind === 'reset'
          ? 'connection reset'
          : kind === 'timeout'
            ? 'timed out'
            : deepestMessage(error);
  return new ConnectionError(kind, url, `cannot reach ${url}: ${what}`, { cause: error });
}
