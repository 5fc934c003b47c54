import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@ktrdr/testkit';
import { ApiError, BackendClient, ConnectionError } from '../src/index.js';

describe('HttpClient error mapping', () => {
  let server: Server;
  let base = '';
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/error') {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: 'CONFLICT', message: 'already done', details: { status: 'completed' } },
          }),
        );
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('{}'), 2000);
      } else if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ seen_auth: req.headers.authorization ?? null }));
      } else {
        res.writeHead(502);
        res.end('bad gateway');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends the bearer token', async () => {
    const client = new BackendClient({ baseUrl: base, token: 'tok-123' });
    assert.deepEqual(await client.http.request('GET', '/health'), { seen_auth: 'Bearer tok-123' });
  });

  it('turns an error document into an ApiError with its code and details', async () => {
    const client = new BackendClient({ baseUrl: base });
    await assert.rejects(client.http.request('GET', '/error'), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 409);
      assert.equal(error.code, 'CONFLICT');
      assert.equal(error.message, 'already done');
      assert.deepEqual(error.details, { status: 'completed' });
      return true;
    });
  });

  it('turns a non-JSON error into an ApiError that quotes the status', async () => {
    const client = new BackendClient({ baseUrl: base });
    await assert.rejects(client.http.request('GET', '/other'), /answered 502 bad gateway/);
  });

  it('reports a closed port as refused and a silent server as a timeout', async () => {
    const port = await freePort();
    const refused = new BackendClient({ baseUrl: `http://127.0.0.1:${port}` });
    await assert.rejects(
      refused.health(),
      (e: unknown) =>
        e instanceof ConnectionError &&
        e.kind === 'refused' &&
        e.message.includes(`127.0.0.1:${port}`),
    );
    const slow = new BackendClient({ baseUrl: base });
    await assert.rejects(
      slow.http.request('GET', '/slow', { timeoutMs: 100 }),
      (e: unknown) => e instanceof ConnectionError && e.kind === 'timeout',
    );
  });
});
