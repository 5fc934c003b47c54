import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackendClient, type ErrorResponse } from '@ktrdr/shared';
import type { RouteEntry } from '@ktrdr/server-kit';
import { freePort, tempDir, waitFor } from '@ktrdr/testkit';
import { startWorker, type WorkerHandle } from '@ktrdr/worker';
import type { BackendHandle } from '../../src/index.js';
import { startTestBackend, TEST_TOKEN } from './cluster-fixture.js';

const SAMPLE_PARAMS: Record<string, string> = {
  worker_id: 'no-such-worker',
  operation_id: 'op_backtesting_20260101_000000_00000000',
  name: 'result.json',
  symbol: 'SP500',
  timeframe: '1d',
  '*': 'index.html',
};

function concrete(url: string): string {
  return url
    .replace(/:([a-z_]+)/g, (_, key: string) => SAMPLE_PARAMS[key] ?? 'x')
    .replace(/\*$/, SAMPLE_PARAMS['*']!);
}

async function call(
  base: string,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; raw?: string; contentType?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.raw !== undefined || init.body !== undefined) {
    headers['content-type'] = init.contentType ?? 'application/json';
    body = init.raw ?? JSON.stringify(init.body);
  }
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json: json as ErrorResponse & Record<string, unknown>, text };
}

describe('API contract: auth on every route, clear 4xx for bad input, never a 500', () => {
  const dir = tempDir();
  let backend: BackendHandle;
  let worker: WorkerHandle;
  let client: BackendClient;

  before(async () => {
    // this suite sends a wrong token to every route on purpose: no slowing down here
    // (credentials.test.ts checks the slowing down)
    backend = await startTestBackend(dir.path, {
      authThrottle: { freeFailures: 1e9, windowMs: 60_000, firstDelayMs: 0, maxDelayMs: 0 },
    });
    worker = await startWorker({
      workerType: 'backtesting',
      backendUrl: backend.url,
      token: TEST_TOKEN,
      host: '127.0.0.1',
      port: 0,
      cacheDir: `${dir.path}/worker`,
      cancelDeadlineMs: 5000,
      shutdownGraceMs: 1000,
      checkpointSeconds: 10,
      trainingBackend: 'cpu',
      gpuHost: false,
      logLevel: 'silent',
    });
    await worker.registered;
    client = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
  });
  after(async () => {
    await worker.close();
    await backend.close();
    dir.remove();
  });

  const checkAuth = async (base: string, routes: readonly RouteEntry[]) => {
    assert.ok(routes.length > 5, 'the route table is populated');
    for (const route of routes) {
      const path = concrete(route.url);
      const anonymous = await call(base, route.method, path);
      const wrong = await call(base, route.method, path, { token: 'not-the-token-at-all' });
      if (route.public) {
        assert.notEqual(anonymous.status, 401, `${route.method} ${route.url} is public`);
        continue;
      }
      for (const answer of [anonymous, wrong]) {
        assert.equal(
          answer.status,
          401,
          `${route.method} ${route.url} without a valid token → ${answer.status}`,
        );
        assert.equal(answer.json.error.code, 'UNAUTHORIZED');
      }
    }
  };

  it('answers 401 on every backend route but /health without a valid token', async () => {
    const routes = backend.backend.app.routeTable;
    assert.deepEqual(
      routes
        .filter((r) => r.public)
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
      // the web UI's files (no data in them) and the token-for-cookie exchange itself
      ['DELETE /api/v1/session', 'GET /*', 'GET /health', 'HEAD /health', 'POST /api/v1/session'],
    );
    assert.ok(
      routes.some((r) => r.url === '/docs/json'),
      '/docs/json is behind the token too',
    );
    await checkAuth(backend.url, routes);
  });

  it('exchanges the token for an HttpOnly session cookie that the API accepts (the web UI)', async () => {
    const wrong = await call(backend.url, 'POST', '/api/v1/session', {
      body: { token: 'not-the-token-at-all' },
    });
    assert.equal(wrong.status, 401);
    const response = await fetch(`${backend.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TEST_TOKEN }),
    });
    assert.equal(response.status, 200);
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^ktrdr_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\//);
    assert.ok(!cookie.includes(TEST_TOKEN), 'the cookie is not the token');
    const session = cookie.split(';')[0]!;
    const withCookie = await fetch(`${backend.url}/api/v1/workers`, {
      headers: { cookie: session },
    });
    assert.equal(withCookie.status, 200);
    const forged = await fetch(`${backend.url}/api/v1/workers`, {
      headers: { cookie: 'ktrdr_session=forged' },
    });
    assert.equal(forged.status, 401);
    // the web UI itself is served at / with a strict Content-Security-Policy
    const page = await fetch(`${backend.url}/operations/anything`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    assert.match(
      page.headers.get('content-security-policy') ?? '',
      /default-src 'self'; script-src 'self'/,
    );
    assert.equal(
      (await fetch(`${backend.url}/api/v1/unknown`)).status,
      404,
      'unknown API paths are not the UI',
    );
  });

  it('answers 401 on every worker route but /health without a valid token', async () => {
    assert.ok(worker.routeTable.some((r) => r.url === '/backtests/start'));
    await checkAuth(worker.url, worker.routeTable);
  });

  it('serves the OpenAPI document with every backend route in it', async () => {
    const doc = await call(backend.url, 'GET', '/docs/json', { token: TEST_TOKEN });
    assert.equal(doc.status, 200);
    const paths = Object.keys((doc.json as unknown as { paths: Record<string, unknown> }).paths);
    for (const route of backend.backend.app.routeTable.filter((r) => r.url.startsWith('/api/'))) {
      const openapi = route.url.replace(/:([a-z_]+)/g, '{$1}');
      assert.ok(paths.includes(openapi), `${openapi} documented`);
    }
  });

  describe('bad input gets a 400 that names the field', () => {
    const post = (path: string, body: unknown) =>
      call(backend.url, 'POST', path, { token: TEST_TOKEN, body });
    const expect400 = async (
      answer: Awaited<ReturnType<typeof call>>,
      field: string,
      pattern?: RegExp,
    ) => {
      assert.equal(answer.status, 400, answer.text);
      assert.equal(answer.json.error.code, 'VALIDATION_ERROR');
      assert.ok(
        answer.json.error.message.includes(field),
        `"${answer.json.error.message}" names ${field}`,
      );
      if (pattern) assert.match(answer.json.error.message, pattern);
    };
    const registration = (over: Record<string, unknown> = {}) => ({
      worker_id: 'w-test',
      worker_type: 'backtesting',
      endpoint_url: worker.url,
      capabilities: { gpu: false, cpu_cores: 2, memory_mb: 1024, version: '0.1.0' },
      ...over,
    });

    it('malformed registrations', async () => {
      await expect400(
        await post('/api/v1/workers/register', { worker_type: 'backtesting' }),
        'worker_id',
        /is required/,
      );
      await expect400(
        await post('/api/v1/workers/register', registration({ worker_type: 'quantum' })),
        'worker_type',
        /one of: backtesting, training/,
      );
      await expect400(
        await post('/api/v1/workers/register', registration({ capabilities: { gpu: 'yes' } })),
        'capabilities.gpu',
      );
      await expect400(
        await post('/api/v1/workers/register', registration({ endpoint_url: 'ftp://host' })),
        'endpoint_url',
        /http/,
      );
    });

    it('a registration whose endpoint_url cannot be reached names the URL and KTRDR_WORKER_PUBLIC_URL', async () => {
      const port = await freePort();
      const answer = await post(
        '/api/v1/workers/register',
        registration({ worker_id: 'ghost', endpoint_url: `http://127.0.0.1:${port}` }),
      );
      await expect400(
        answer,
        'endpoint_url',
        new RegExp(
          `http://127\\.0\\.0\\.1:${port}/health \\(connection refused\\).*KTRDR_WORKER_PUBLIC_URL`,
        ),
      );
    });

    it('a registration whose endpoint_url answers as another worker is refused', async () => {
      const answer = await post(
        '/api/v1/workers/register',
        registration({ worker_id: 'impostor' }),
      );
      await expect400(
        answer,
        'endpoint_url',
        new RegExp(`answered as worker "${worker.workerId}", not "impostor"`),
      );
      assert.equal(backend.backend.ctx.registry.get('impostor'), undefined);
    });

    it('bad training requests and model uploads', async () => {
      const start = (body: Record<string, unknown>) => post('/api/v1/training/start', body);
      await expect400(
        await start({ strategy_name: 'neuro_fuzzy_example', epochs: 0 }),
        'epochs',
        />= 1/,
      );
      await expect400(
        await start({ strategy_name: 'neuro_fuzzy_example', seed: -1 }),
        'seed',
        />= 0/,
      );
      await expect400(
        await start({ strategy_name: 'macd_trend' }),
        'strategy_name',
        /only neuro_fuzzy strategies are trained/,
      );
      await expect400(
        await start({
          strategy_name: 'neuro_fuzzy_example',
          start_date: '2020-01-01',
          end_date: '2020-03-01',
        }),
        'start_date',
        /widen the range/,
      );
      // valid, but no training worker is registered in this suite
      const none = await start({ strategy_name: 'neuro_fuzzy_example' });
      assert.equal(none.status, 503);
      assert.equal(none.json.error.code, 'WORKER_UNAVAILABLE');
      assert.match(none.json.error.message, /ktrdr-worker --type training/);

      const put = (id: string, query: string, body: unknown) =>
        call(backend.url, 'PUT', `/api/v1/models/${id}?${query}`, { token: TEST_TOKEN, body });
      await expect400(await put('a%2Fb', 'worker_id=w&operation_id=o&attempt=1', {}), 'model_id');

      await expect400(
        await put('m1', 'worker_id=w&operation_id=o&attempt=1', { format: 'keras-h5' }),
        'format',
      );
      const missing = await call(backend.url, 'GET', '/api/v1/models/nope', { token: TEST_TOKEN });
      assert.equal(missing.status, 404);
      assert.match(missing.json.error.message, /model.*nope/);
      const list = await call(backend.url, 'GET', '/api/v1/models', { token: TEST_TOKEN });
      assert.deepEqual(list.json, { models: [] });
    });

    it('bad backtest requests', async () => {
      const start = (body: Record<string, unknown>) => post('/api/v1/backtests/start', body);
      await expect400(
        await start({
          strategy_name: 'sma_crossover',
          start_date: '2015-01-01',
          end_date: '2010-01-01',
        }),
        'end_date',
        /before start_date/,
      );
      await expect400(
        await start({ strategy_name: 'sma_crossover', symbol: 'NOPE' }),
        'symbol',
        /no stored series "NOPE".*SP500 1d/,
      );
      await expect400(
        await start({ strategy_name: 'no_such_strategy' }),
        'strategy_name',
        /unknown strategy "no_such_strategy".*sma_crossover/,
      );
      await expect400(
        await start({ strategy_name: 'sma_crossover', initial_capital: -1000 }),
        'initial_capital',
        /> 0/,
      );
      await expect400(
        await start({ strategy_name: 'sma_crossover', initial_capital: 'lots' }),
        'initial_capital',
        /must be number/,
      );
      await expect400(
        await start({ strategy_name: 'sma_crossover', timeframe: '7m' }),
        'timeframe',
        /one of: 1m/,
      );
      await expect400(
        await start({ strategy_name: 'sma_crossover', start_date: '2020-02-30' }),
        'start_date',
        /not a date/,
      );
      await expect400(
        await start({ strategy_name: 'sma_crossover', parameters: { 'indicators.fast.perio': 5 } }),
        'parameters.indicators.fast.perio',
        /no value/,
      );
      await expect400(
        await start({
          strategy_name: 'sma_crossover',
          parameters: { 'indicators.fast.period': 0 },
        }),
        'indicators.fast.period',
        />= 1/,
      );
      await expect400(
        await start({
          strategy_name: 'sma_crossover',
          start_date: '2020-01-01',
          end_date: '2020-02-01',
        }),
        'start_date',
        /indicator "slow" \(sma, period 50\) needs 50 bars to warm up/,
      );
      await expect400(
        await start({ strategy_name: 'sma_crossover', colour: 'blue' }),
        'colour',
        /not a known field/,
      );
      await expect400(
        await call(backend.url, 'POST', '/api/v1/backtests/start', {
          token: TEST_TOKEN,
          raw: '{"strategy_name": ',
        }),
        'body',
        /not valid JSON/,
      );
      await expect400(
        await call(backend.url, 'POST', '/api/v1/backtests/start', {
          token: TEST_TOKEN,
          raw: '[]',
        }),
        'body',
        /must be object/,
      );
      const text = await call(backend.url, 'POST', '/api/v1/backtests/start', {
        token: TEST_TOKEN,
        raw: 'strategy_name=sma_crossover',
        contentType: 'text/plain',
      });
      assert.equal(text.status, 415, text.text);
      assert.match(
        text.json.error.message,
        /body: content type "text\/plain" is not accepted here; send application\/json/,
      );
      await expect400(
        await call(backend.url, 'GET', '/api/v1/operations?limit=lots', { token: TEST_TOKEN }),
        'query.limit',
      );
      await expect400(
        await call(backend.url, 'GET', '/api/v1/data/SP500/1d?start=yesterday', {
          token: TEST_TOKEN,
        }),
        'query.start',
      );
    });

    it('nothing was stored by the rejected requests', async () => {
      const { total_count } = await client.listOperations();
      assert.equal(total_count, 0);
    });
  });

  it('answers 404 for unknown ids in the path', async () => {
    const get = (path: string) => call(backend.url, 'GET', path, { token: TEST_TOKEN });
    for (const answer of [
      await get('/api/v1/operations/op_backtesting_20260101_000000_deadbeef'),
      await get('/api/v1/operations/op_backtesting_20260101_000000_deadbeef/result'),
      await get('/api/v1/operations/op_backtesting_20260101_000000_deadbeef/metrics'),
      await get('/api/v1/workers/nobody'),
      await get('/api/v1/strategies/nothing_here'),
      await get('/api/v1/data/NOPE/1d'),
      await call(
        backend.url,
        'DELETE',
        '/api/v1/operations/op_backtesting_20260101_000000_deadbeef/cancel',
        { token: TEST_TOKEN },
      ),
      await call(backend.url, 'POST', '/api/v1/workers/nobody/heartbeat', {
        token: TEST_TOKEN,
        body: { worker_status: 'idle' },
      }),
      await get('/api/v1/no-such-route'),
    ]) {
      assert.equal(answer.status, 404, answer.text);
      assert.equal(answer.json.error.code, 'NOT_FOUND');
    }
  });

  it('refuses a report from a worker that does not hold the operation (409: drop it)', async () => {
    const { operation_id } = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2018-01-01',
    });
    const answer = await call(backend.url, 'POST', `/api/v1/operations/${operation_id}/report`, {
      token: TEST_TOKEN,
      body: { worker_id: 'someone-else', attempt: 1, status: 'completed' },
    });
    assert.equal(answer.status, 409);
    assert.equal(answer.json.error.code, 'CONFLICT');
    assert.match(answer.json.error.message, /drop it/);
    await waitFor(
      'backtest completes',
      async () => (await client.getOperation(operation_id)).status === 'completed',
      { timeoutMs: 15_000 },
    );
    const result = await client.getBacktestResult(operation_id);
    assert.ok(result.metrics.total_trades >= 1);
  });

  it('answers 503 with a hint when no worker of the type is registered', async () => {
    await worker.shutdown();
    await waitFor('worker left', () => backend.backend.ctx.registry.all().length === 0);
    const answer = await call(backend.url, 'POST', '/api/v1/backtests/start', {
      token: TEST_TOKEN,
      body: { strategy_name: 'sma_crossover' },
    });
    assert.equal(answer.status, 503);
    assert.equal(answer.json.error.code, 'WORKER_UNAVAILABLE');
    assert.match(answer.json.error.message, /ktrdr-worker --type backtesting/);
  });
});
