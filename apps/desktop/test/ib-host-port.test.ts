// The IB host service's port when it is 0: picked below the ephemeral range, where no
// port-0 listener or outgoing connection can take it before the service binds it, and
// never one that something listens on.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { PICKED_PORTS, resolvePort } from '../src/stack/ib-host-service.js';

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('the IB host port', () => {
  it('keeps a port that is given', async () => {
    assert.equal(await resolvePort(5001), 5001);
  });

  it('picks a free one below the ephemeral ports when it is 0', async () => {
    assert.ok(PICKED_PORTS.to < 32_768, 'the range ends below Linux ephemeral ports');
    for (let i = 0; i < 20; i++) {
      const port = await resolvePort(0);
      assert.ok(
        port >= PICKED_PORTS.from && port <= PICKED_PORTS.to,
        `${port} is outside the range`,
      );
      (await listen(port)).close();
    }
  });

  it('passes over a port something listens on', async () => {
    // the first draw lands on the range's first port, which this test holds (or something else does)
    const held = await listen(PICKED_PORTS.from).catch(() => undefined);
    try {
      const draws = [0, 0.5];
      const port = await resolvePort(0, () => draws.shift() ?? 0.5);
      const middle =
        PICKED_PORTS.from + Math.floor(0.5 * (PICKED_PORTS.to - PICKED_PORTS.from + 1));
      assert.equal(port, middle);
    } finally {
      held?.close();
    }
  });
});
