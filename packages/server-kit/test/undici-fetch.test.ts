import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ApiError, BackendClient, ConnectionError } from '@ktrdr/shared';
import { freePort } from '@ktrdr/testkit';
import { Agent } from 'undici';
import { undiciFetch } from '../src/undici-fetch.js';

/**
 * The typed client over {@link undiciFetch} against a real HTTP server on loopback: what
 * it sends, what it reads (JSON, bytes, a stream as it arrives, an empty answer) and how
 * failures read, exactly as over Node's own fetch.
 */
describe('undiciFetch: the typed client over undici request', () => {
  let server: Server;
  let base = '';
  const agent = new Agent({ keepAliveTimeout: 1000 });
  const client = (url = base) =>
    new BackendClient({ baseUrl: url, token: 'tok-1', fetch: undiciFetch(agent) });

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url?.startsWith('/echo')) {
          res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
          res.end(
            JSON.stringify({
              method: req.method,
              url: req.url,
              auth: req.headers.authorization ?? null,
              type: req.headers['content-type'] ?? null,
              body: body.toString('base64'),
            }),
          );
        } else if (req.url === '/empty') {
          res.writeHead(204);
          res.end();
        } else if (req.url === '/error') {
          res.writeHead(409, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'CONFLICT', message: 'already done' } }));
        } else if (req.url === '/stream') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: one\n\n');
          setTimeout(() => res.end('data: two\n\n'), 300);
        } else if (req.url === '/gzip') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(gzipSync(JSON.stringify({ bars: [1, 2, 3] })));
        } else if (req.url === '/slow') {
          setTimeout(() => res.end('{}'), 2000);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await agent.close();
  });

  type Echo = { method: string; url: string; auth: string; type: string; body: string };
  const bytesOf = (echo: Echo) => [...Buffer.from(echo.body, 'base64')];

  it('sends the method, the query, the token and a JSON body, and parses the answer', async () => {
    const echo = await client().http.request<Echo>('POST', '/echo', {
      query: { a: 1, b: 'x y' },
      body: { n: 5 },
    });
    assert.equal(echo.method, 'POST');
    assert.equal(echo.url, '/echo?a=1&b=x+y');
    assert.equal(echo.auth, 'Bearer tok-1');
    assert.equal(echo.type, 'application/json');
    assert.equal(Buffer.from(echo.body, 'base64').toString(), '{"n":5}');
  });

  it('sends bytes and a web stream as they are', async () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    assert.deepEqual(
      bytesOf(await client().http.request<Echo>('PUT', '/echo', { body: bytes })),
      [0, 1, 254, 255],
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2]));
        controller.enqueue(new Uint8Array([3]));
        controller.close();
      },
    });
    assert.deepEqual(
      bytesOf(await client().http.request<Echo>('PUT', '/echo', { body: stream })),
      [1, 2, 3],
    );
  });

  it('reads an answer alike whether it is read whole (small) or streamed (past 64 KiB)', async () => {
    for (const size of [10, 200_000]) {
      const bytes = new Uint8Array(size).fill(7);
      const echo = await client().http.request<Echo>('POST', '/echo', { body: bytes });
      assert.equal(Buffer.from(echo.body, 'base64').length, size);
      assert.ok(bytesOf(echo).every((b) => b === 7));
    }
  });

  it('keeps repeated headers and reads an empty answer', async () => {
    const response = await client().http.fetchRaw('GET', '/echo');
    assert.equal(response.headers.get('set-cookie'), 'a=1, b=2');
    assert.equal(await client().http.request('DELETE', '/empty'), undefined);
  });

  it('decodes a gzip answer, as fetch does (the bars route compresses)', async () => {
    const response = await client().http.fetchRaw('GET', '/gzip', {
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.deepEqual(await response.json(), { bars: [1, 2, 3] });
  });

  it('hands a streamed answer over as it arrives', async () => {
    const response = await client().http.fetchRaw('GET', '/stream');
    const reader = response.body!.getReader();
    const started = performance.now();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), 'data: one\n\n');
    assert.ok(performance.now() - started < 250, 'the first event before the stream ended');
    let rest = '';
    for (let next = await reader.read(); !next.done; next = await reader.read())
      rest += new TextDecoder().decode(next.value);
    assert.equal(rest, 'data: two\n\n');
  });

  it('maps an error document, a closed port and a silent server as over fetch', async () => {
    await assert.rejects(
      client().http.request('GET', '/error'),
      (e: unknown) => e instanceof ApiError && e.status === 409 && e.code === 'CONFLICT',
    );
    const port = await freePort();
    await assert.rejects(
      client(`http://127.0.0.1:${port}`).health(),
      (e: unknown) => e instanceof ConnectionError && e.kind === 'refused',
    );
    await assert.rejects(
      client().http.request('GET', '/slow', { timeoutMs: 100 }),
      (e: unknown) => e instanceof ConnectionError && e.kind === 'timeout',
    );
  });
});
