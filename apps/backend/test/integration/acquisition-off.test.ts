import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiError, BackendClient } from '@ktrdr/shared';
import { freePort, tempDir } from '@ktrdr/testkit';
import type { BackendHandle } from '../../src/index.js';
import { startTestBackend, TEST_TOKEN } from './cluster-fixture.js';

const request = {
  symbol: 'AAPL',
  timeframe: '1h',
  start_date: '2024-01-01',
  end_date: '2024-03-31',
} as const;

describe('data downloads fail fast, saying what to start, when IB cannot be reached', () => {
  const dir = tempDir();
  const backends: BackendHandle[] = [];
  after(async () => {
    await Promise.all(backends.map((b) => b.close()));
    dir.remove();
  });

  const start = async (overrides: Parameters<typeof startTestBackend>[1]) => {
    const backend = await startTestBackend(`${dir.path}/${backends.length}`, overrides);
    backends.push(backend);
    return new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
  };

  const rejects503 = (promise: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(promise, (e: unknown) => {
      assert.ok(e instanceof ApiError, String(e));
      assert.equal(e.status, 503);
      assert.equal(e.code, 'SERVICE_UNAVAILABLE');
      assert.match(e.message, pattern);
      return true;
    });

  it('with the host service off: 503 naming ktrdr-ib-host and USE_IB_HOST_SERVICE, no operation created', async () => {
    const client = await start({ useIbHostService: false });
    const before = (await client.listOperations()).total_count;
    await rejects503(
      client.startDataDownload(request),
      /USE_IB_HOST_SERVICE is off.*`ktrdr-ib-host`/s,
    );
    await rejects503(client.ibValidate({ symbol: 'AAPL' }), /USE_IB_HOST_SERVICE is off/);
    assert.equal((await client.listOperations()).total_count, before);
    const status = await client.ibStatus();
    assert.equal(status.enabled, false);
    assert.equal(status.reachable, false);
    assert.equal(status.gateway, null);
  });

  it('with the host service on but not running: 503 with its URL, within a few seconds', async () => {
    const port = await freePort();
    const client = await start({
      useIbHostService: true,
      ibHostServiceUrl: `http://127.0.0.1:${port}`,
    });
    const started = Date.now();
    await rejects503(
      client.startDataDownload(request),
      new RegExp(
        `IB host service at http://127\\.0\\.0\\.1:${port} does not answer.*ktrdr-ib-host`,
        's',
      ),
    );
    assert.ok(Date.now() - started < 5000, 'fails fast');
    const status = await client.ibStatus();
    assert.equal(status.enabled, true);
    assert.equal(status.reachable, false);
  });

  it('bad values are 400s naming the field, before IB is asked anything', async () => {
    const client = await start({ useIbHostService: false });
    const bad = async (body: Record<string, unknown>, pattern: RegExp) =>
      assert.rejects(
        client.startDataDownload({ ...request, ...body }),
        (e: unknown) => e instanceof ApiError && e.status === 400 && pattern.test(e.message),
      );
    await bad({ start_date: 'not a date' }, /^start_date: "not a date" is not a date/);
    await bad({ end_date: '2023-01-01' }, /^end_date: is before start_date/);
    await bad({ timeframe: '2h' }, /timeframe/);
    await bad({ mode: 'all' }, /mode/);
    await bad({ symbol: 'A B' }, /symbol/);
  });
});
