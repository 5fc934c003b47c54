/**
 * A `fetch` for the typed clients (@ktrdr/shared) in Node processes, made of undici's
 * `request`: the same Response to the client, without the WHATWG fetch machinery (Request
 * objects, body mixins, a stream per request) that Node's own `fetch` runs for each call.
 * On loopback that machinery was most of a small request's cost: 450 µs of CPU (client and
 * server together) against 155 µs for the same POST through `request` and a Response over
 * its body (2026-12-02, 2,000 requests each, quiet). The workers' reports and the
 * backend's dispatches are such requests, one or more per operation.
 *
 * Like fetch, it decodes a gzip, deflate or br answer (`request` hands over the bytes as
 * sent). It covers what `HttpClient` sends: a string URL, a method, a plain header object, a body
 * (string, bytes or a ReadableStream) and a signal. An answer of a known length up to
 * 64 KiB (a JSON answer) is read whole before its Response; any other stays a stream (an
 * event stream or a large file is read as it arrives).
 */
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Dispatcher } from 'undici';

type FetchInit = {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | null;
  signal?: AbortSignal | null;
};

/** Statuses whose Response must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A `fetch` that sends every request through `dispatcher` (an undici Agent, Pool…). */
export function undiciFetch(dispatcher: Dispatcher): typeof fetch {
  return (async (input: string | URL, init: FetchInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? new URL(input) : input;
    const method = (init.method ?? 'GET').toUpperCase();
    const answer: Dispatcher.ResponseData = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers: init.headers ?? {},
      body: requestBody(init.body),
      signal: init.signal ?? undefined,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (typeof value === 'string') headers.set(name, value);
    }
    const status = answer.statusCode;
    if (method === 'HEAD' || NULL_BODY.has(status)) {
      answer.body.resume();
      return new Response(null, { status, headers });
    }
    if (isSmallPlain(headers)) {
      // read whole: a Response over bytes skips the Node-to-web stream adapter, which was
      // most of what a short JSON answer cost beyond the request itself
      return new Response(await answer.body.arrayBuffer(), { status, headers });
    }
    return new Response(
      Readable.toWeb(decoded(answer.body, headers)) as ReadableStream<Uint8Array>,
      {
        status,
        headers,
      },
    );
  }) as typeof fetch;
}

// HttpClient passes the global ReadableStream; node:stream/web's is the same class at run
// time, but the build (no DOM lib) and the linter (DOM lib) type them differently
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed by the build
const fromWebStream = ((stream: WebReadableStream<Uint8Array>) =>
  Readable.fromWeb(stream)) as unknown as (stream: ReadableStream<Uint8Array>) => Readable;

/** A fetch body as `request` takes it (a web stream becomes a Node one). */
function requestBody(body: FetchInit['body']): string | Uint8Array | Readable | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return fromWebStream(body);
}

/** Answers at most this long (by their `content-length`) are read whole before the Response. */
const SMALL_ANSWER_BYTES = 64 * 1024;

/** An answer of a known, small length, not compressed and not an event stream. */
function isSmallPlain(headers: Headers): boolean {
  const length = Number(headers.get('content-length') ?? Number.NaN);
  return (
    Number.isInteger(length) &&
    length <= SMALL_ANSWER_BYTES &&
    !headers.has('content-encoding') &&
    !headers.get('content-type')?.startsWith('text/event-stream')
  );
}

/** The body as fetch gives it: decoded when the server compressed it. */
function decoded(body: Readable, headers: Headers): Readable {
  const encoding = headers.get('content-encoding')?.trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return body;
  body.on('error', (error) => decoder.destroy(error));
  return body.pipe(decoder);
}
