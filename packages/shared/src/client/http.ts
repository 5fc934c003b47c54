import { ERROR_CODES, type ErrorCode } from '../contracts/errors.js';
import { ApiError, toConnectionError } from './errors.js';

/** Options shared by every client of this package. */
export interface HttpClientOptions {
  /** e.g. `http://127.0.0.1:8000` (no trailing slash needed). */
  baseUrl: string;
  /** Bearer token, or a function that returns the current one (tokens can rotate). */
  token?: string | (() => string | undefined);
  /**
   * In Node, an undici `Agent`/`Pool` for keep-alive and timeouts. Left untyped so that
   * this package never depends on undici (it also runs in the browser).
   */
  dispatcher?: unknown;
  /** A `fetch` implementation; defaults to the global one. */
  fetch?: typeof fetch;
  /** Per-request timeout in ms unless a call says otherwise (default 30 s; 0 = none). */
  timeoutMs?: number;
  /** Browser only: send the session cookie (`'include'` or `'same-origin'`). */
  credentials?: RequestCredentials;
}

/** One request. `body` is sent as JSON unless it is a string, bytes or a stream. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

type RawBody = string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>;

function isRawBody(body: unknown): body is RawBody {
  return (
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
  );
}

const KNOWN_CODES = new Set<string>(ERROR_CODES);

/** The small core every typed client is built on: URL building, auth, timeouts and error mapping. */
export class HttpClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Builds the absolute URL of `path` with `query` (undefined and null values are left out). */
  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** The current bearer token, if any. */
  token(): string | undefined {
    const { token } = this.options;
    return typeof token === 'function' ? token() : token;
  }

  /** Sends a request and returns the raw `Response` of a 2xx answer; throws {@link ApiError} otherwise. */
  async fetchRaw(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      if (isRawBody(options.body)) {
        body = options.body as BodyInit;
        headers['content-type'] = options.contentType ?? 'application/octet-stream';
      } else {
        body = JSON.stringify(options.body);
        headers['content-type'] = options.contentType ?? 'application/json';
      }
    }
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    // `dispatcher` and `duplex` are Node (undici) extensions of RequestInit
    const init: Record<string, unknown> = { method, headers, body, signal };
    if (this.options.dispatcher) init.dispatcher = this.options.dispatcher;
    if (this.options.credentials) init.credentials = this.options.credentials;
    if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
      init.duplex = 'half';
    let response: Response;
    try {
      response = await this.fetchImpl(url, init);
    } catch (error) {
      throw toConnectionError(error, url, timeout?.aborted === true);
    }
    if (!response.ok) throw await toApiError(response, `${method} ${url}`);
    return response;
  }

  /** Sends a request and parses a JSON answer (an empty body yields `undefined`). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.fetchRaw(method, path, options);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

async function toApiError(response: Response, request: string): Promise<ApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // the body could not be read: the status alone still says what happened
  }
  try {
    const parsed = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    };
    const error = parsed.error;
    if (error && typeof error.message === 'string') {
      const code = (
        typeof error.code === 'string' && KNOWN_CODES.has(error.code)
          ? error.code
          : 'INTERNAL_ERROR'
      ) as ErrorCode;
      const details =
        error.details && typeof error.details === 'object'
          ? (error.details as Record<string, unknown>)
          : undefined;
      return new ApiError(response.status, code, error.message, details, request);
    }
  } catch {
    // not JSON: fall through to a generic message
  }
  const code: ErrorCode =
    response.status === 401
      ? 'UNAUTHORIZED'
      : response.status === 404
        ? 'NOT_FOUND'
        : 'INTERNAL_ERROR';
  return new ApiError(
    response.status,
    code,
    `${request} answered ${response.status} ${text.slice(0, 200)}`.trim(),
    undefined,
    request,
  );
}
