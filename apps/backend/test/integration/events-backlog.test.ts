import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { tempDir, waitFor } from '@ktrdr/testkit';
import type { BackendHandle } from '../../src/index.js';
import { startTestBackend, TEST_TOKEN } from './cluster-fixture.js';

describe('live events: a client that stops reading', () => {
  const dir = tempDir();
  let backend: BackendHandle;
  before(async () => {
    backend = await startTestBackend(dir.path);
  });
  after(async () => {
    await backend.close();
    dir.remove();
  });

  it('is cut off once its backlog passes the limit, instead of growing the backend', async () => {
    const { events } = backend.backend.ctx;
    const before = events.subscriberCount;
    const url = new URL('/api/v1/events', backend.url);
    let closed = false;
    const stalled = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(url, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }, resolve);
      req.on('error', reject);
      req.end();
    });
    stalled.on('error', () => undefined);
    stalled.socket.on('close', () => (closed = true));
    stalled.pause(); // never reads another byte
    await waitFor('subscribed', () => events.subscriberCount === before + 1);
    // ~40 MiB of events: more than the socket buffers and the 8 MiB allowed backlog
    const payload = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 640 && events.subscriberCount > before; i++) {
      events.publish('operation', { operation_id: `op_${i}`, padding: payload } as never);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor('the stalled client was dropped', () => events.subscriberCount === before);
    // reading again, the client drains what was sent and finds its stream closed
    stalled.resume();
    await waitFor('its connection closed', () => closed, { timeoutMs: 20_000 });
    // the backend still serves everyone else
    const health = await fetch(`${backend.url}/health`);
    assert.equal(health.status, 200);
  });
});
