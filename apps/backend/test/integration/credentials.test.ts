import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ApiError, BackendClient, type Operation } from '@ktrdr/shared';
import {
  freePort,
  startBackendProcess,
  startWorkerProcess,
  tempDir,
  waitFor,
  type BackendProcess,
  type WorkerProcess,
} from '@ktrdr/testkit';
import { TEST_TOKEN } from './cluster-fixture.js';

/** One route of an OpenAPI document, with its path in Fastify's `:param` form. */
interface DocRoute {
  method: string;
  path: string;
}

async function openApiRoutes(base: string, token: string): Promise<DocRoute[]> {
  const response = await fetch(`${base}/docs/json`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200, `${base}/docs/json`);
  const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{(\w+)\}/g, ':$1') })),
  );
}

const SAMPLE: Record<string, string> = {
  worker_id: 'someone-else',
  operation_id: 'op_backtesting_20260101_000000_00000000',
  name: 'result.json',
  symbol: 'SP500',
  timeframe: '1d',
  model_id: 'no_model',
};
const concrete = (path: string, params: Record<string, string> = {}) =>
  path.replace(/:(\w+)/g, (_, key: string) => params[key] ?? SAMPLE[key] ?? 'x');

async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; code?: string; message?: string; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const hasBody = method !== 'GET' && method !== 'DELETE';
  if (hasBody) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, {
    method,
    headers,
    ...(hasBody ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  const text = await response.text();
  let error: { code?: string; message?: string } = {};
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
  } catch {
    // a stream or an empty body
  }
  return { status: response.status, ...error, headers: response.headers };
}

/** What a worker's credential may call besides the admin token (the wire contract, packages/shared/src/contracts). */
const WORKER_ROUTES = new Set([
  'POST /api/v1/workers/register',
  'POST /api/v1/workers/:worker_id/heartbeat',
  'DELETE /api/v1/workers/:worker_id',
  'GET /api/v1/workers/:worker_id/channel',
  'POST /api/v1/workers/:worker_id/channel/replies',
  'POST /api/v1/operations/:operation_id/report',
  'GET /api/v1/operations/:operation_id/artifacts/:name',
  'PUT /api/v1/operations/:operation_id/artifacts/:name',
  'GET /api/v1/data/:symbol/:timeframe',
  'GET /api/v1/strategies/:name',
  'GET /api/v1/models/:model_id/download',
  'PUT /api/v1/models/:model_id',
]);

describe('credentials: admin token, join token, per-worker credentials, rotation', () => {
  const dir = tempDir();
  let backend: BackendProcess;
  let admin: BackendClient;
  let joinToken: string;
  let worker: WorkerProcess;
  /** A registration made by the test itself (reverse: no URL to call back), for its credential. */
  let probe: { id: string; credential: string };
  /** Logs of backend processes that were replaced. */
  const restartedLogs: string[] = [];

  before(async () => {
    backend = await startBackendProcess({
      dataDir: `${dir.path}/data`,
      port: await freePort(),
      token: TEST_TOKEN,
      env: { KTRDR_LOG_LEVEL: 'debug' },
    });
    admin = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
    joinToken = readFileSync(`${dir.path}/data/join-token`, 'utf8').trim();
    assert.ok(joinToken.length >= 32, 'a join token was generated into the data dir');
    // a real worker that holds only the join token
    worker = await startWorkerProcess({
      backendUrl: backend.url,
      token: '',
      cacheDir: `${dir.path}/worker`,
      env: {
        KTRDR_JOIN_TOKEN: joinToken,
        KTRDR_LOG_LEVEL: 'debug',
        KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '20000',
      },
    });
    await waitFor('worker registered', async () => (await admin.listWorkers()).total_count === 1);
    const joiner = new BackendClient({ baseUrl: backend.url, token: joinToken });
    const answer = await joiner.registerWorker({
      worker_id: 'probe-1',
      worker_type: 'training',
      connection: 'reverse',
      capabilities: { gpu: false, cpu_cores: 1, memory_mb: 1024, version: 'test' },
    });
    assert.match(answer.worker_credential, /^wc_[\w-]{40,}$/);
    probe = { id: 'probe-1', credential: answer.worker_credential };
  });
  after(async () => {
    await worker?.stop('SIGKILL');
    await backend?.stop('SIGKILL');
    dir.remove();
  });

  it('the 401/403 matrix over every route of the backend OpenAPI document', async () => {
    const routes = await openApiRoutes(backend.url, TEST_TOKEN);
    assert.ok(routes.length > 30, `${routes.length} routes`);
    const problems: string[] = [];
    for (const { method, path: template } of routes) {
      const key = `${method} ${template}`;
      if (template === '/health') continue;
      // SSE streams answer 200 and stay open: their refusals are checked below with a timeout
      const path = concrete(template);
      const anonymous = await call(backend.url, method, path);
      if (anonymous.status !== 401 && !(template === '/api/v1/session'))
        problems.push(`${key}: no token → ${anonymous.status}`);
      if (template === '/api/v1/session') continue; // the token-for-cookie exchange is open
      const asJoin = await call(backend.url, method, path, joinToken);
      if (key === 'POST /api/v1/workers/register') {
        if (asJoin.status !== 400) problems.push(`${key}: join token → ${asJoin.status}, not 400`);
      } else if (asJoin.status !== 403 || asJoin.code !== 'FORBIDDEN')
        problems.push(`${key}: join token → ${asJoin.status}`);
      else if (!/a join token can only register a worker/.test(asJoin.message ?? ''))
        problems.push(`${key}: join token message: ${asJoin.message}`);

      if (template.endsWith('/channel')) continue; // a stream when allowed: below
      const asWorker = await call(backend.url, method, path, probe.credential);
      if (WORKER_ROUTES.has(key)) {
        if (asWorker.status === 401) problems.push(`${key}: worker credential → 401`);
        if (asWorker.status === 403 && /needs the admin token/.test(asWorker.message ?? ''))
          problems.push(`${key}: worker credential refused as if not a worker route`);
      } else if (asWorker.status !== 403 || !/needs the admin token/.test(asWorker.message ?? ''))
        problems.push(`${key}: worker credential → ${asWorker.status} ${asWorker.message ?? ''}`);
    }
    assert.deepEqual(problems, []);
  });

  it("a worker's credential reaches only its own entry, its operations and their data", async () => {
    const base = backend.url;
    const other = (await admin.listWorkers({ worker_type: 'backtesting' })).workers[0]!.worker_id;
    // its own heartbeat works; another worker's is refused, naming both
    const own = await call(
      base,
      'POST',
      `/api/v1/workers/${probe.id}/heartbeat`,
      probe.credential,
      {
        worker_status: 'idle',
      },
    );
    assert.equal(own.status, 200);
    const theirs = await call(
      base,
      'POST',
      `/api/v1/workers/${other}/heartbeat`,
      probe.credential,
      {
        worker_status: 'idle',
      },
    );
    assert.equal(theirs.status, 403);
    assert.equal(
      theirs.message,
      `this credential belongs to worker ${probe.id}; it cannot heartbeat for worker ${other}`,
    );
    // it cannot report on another worker's operation, nor read its artifacts
    const { operation_id } = await admin.startBacktest({ strategy_name: 'sma_crossover' });
    const op: Operation = await waitFor('completed', async () => {
      const o = await admin.getOperation(operation_id);
      return o.status === 'completed' ? o : undefined;
    });
    const report = await call(
      base,
      'POST',
      `/api/v1/operations/${operation_id}/report`,
      probe.credential,
      {
        worker_id: op.worker_id,
        attempt: 1,
        status: 'failed',
      },
    );
    assert.equal(report.status, 403, 'reporting as another worker');
    const asSelf = await call(
      base,
      'POST',
      `/api/v1/operations/${operation_id}/report`,
      probe.credential,
      {
        worker_id: probe.id,
        attempt: 1,
        status: 'failed',
      },
    );
    assert.equal(asSelf.status, 409, 'as itself: it does not hold the operation (drop it)');
    assert.equal((await admin.getOperation(operation_id)).status, 'completed', 'nothing changed');
    const artifact = await call(
      base,
      'GET',
      `/api/v1/operations/${operation_id}/artifacts/result.json`,
      probe.credential,
    );
    assert.equal(artifact.status, 403);
    // data and models only for its own jobs (it runs none)
    const bars = await call(base, 'GET', '/api/v1/data/SP500/1d', probe.credential);
    assert.equal(bars.status, 403);
    assert.match(bars.message ?? '', /runs no operation that needs the series SP500 1d/);
    // the admin token still reads everything
    assert.equal((await call(base, 'GET', '/api/v1/data/SP500/1d', TEST_TOKEN)).status, 200);
    // a worker holding only the join token ran the backtest: its credential reached the data
    assert.equal(op.worker_id, other);
  });

  it('worker routes accept only the secret the worker gave the backend: neither the admin nor the join token', async () => {
    const routes = await openApiRoutes(worker.url, TEST_TOKEN).catch(() => undefined);
    assert.equal(routes, undefined, 'not even /docs/json with the admin token');
    for (const token of [undefined, TEST_TOKEN, joinToken, probe.credential]) {
      const answer = await call(worker.url, 'GET', '/api/v1/operations', token);
      assert.equal(answer.status, 401, `worker route with ${token ? 'a wrong token' : 'no token'}`);
    }
  });

  it("revokes every worker's credential: workers register again with the join token by themselves", async () => {
    const revoked = await admin.rotateToken('workers');
    assert.ok(revoked.revoked >= 2, `${revoked.revoked} revoked`);
    const probeBeat = await call(
      backend.url,
      'POST',
      `/api/v1/workers/${probe.id}/heartbeat`,
      probe.credential,
      { worker_status: 'idle' },
    );
    assert.equal(probeBeat.status, 401, "the probe's credential stopped working");
    await waitFor('the real worker registered again', () =>
      /credential no longer valid/.test(worker.output()),
    );
    const run = await admin.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-01-01',
    });
    await waitFor(
      'ran with its new credential',
      async () => (await admin.getOperation(run.operation_id)).status === 'completed',
    );
  });

  it('rotates the join token without restarting the worker, which keeps its own credential', async () => {
    const joined = await admin.rotateToken('join');
    assert.equal(joined.persisted_to, `${dir.path}/data/join-token`);
    assert.equal(readFileSync(joined.persisted_to, 'utf8').trim(), joined.token);
    const stale = await call(backend.url, 'POST', '/api/v1/workers/register', joinToken, {});
    assert.equal(stale.status, 401, 'the old join token stops working at once');
    const fresh = await call(backend.url, 'POST', '/api/v1/workers/register', joined.token!, {});
    assert.equal(fresh.status, 400, 'the new one is accepted (and the empty body refused)');

    await new Promise((r) => setTimeout(r, 1500));
    const roster = (await admin.listWorkers({ worker_type: 'backtesting' })).workers;
    assert.equal(roster[0]?.status, 'available', 'still heartbeating');
    const run = await admin.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-06-01',
    });
    await waitFor(
      'ran after the join rotation',
      async () => (await admin.getOperation(run.operation_id)).status === 'completed',
    );
  });

  it('after a backend restart a worker re-registers with its own credential (the join token it holds is stale)', async () => {
    const port = Number(new URL(backend.url).port);
    const before = backend.output();
    await backend.stop('SIGKILL');
    backend = await startBackendProcess({
      dataDir: `${dir.path}/data`,
      port,
      token: TEST_TOKEN,
      env: { KTRDR_LOG_LEVEL: 'debug' },
    });
    const previousLogs = before;
    restartedLogs.push(previousLogs);
    await waitFor('registered again', async () => (await admin.listWorkers()).total_count >= 1, {
      timeoutMs: 10_000,
    });
    const run = await admin.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-06-01',
    });
    await waitFor(
      'ran after the restart',
      async () => (await admin.getOperation(run.operation_id)).status === 'completed',
    );
  });

  it('rotates the admin token: the old one is refused, the new one works', async () => {
    const rotated = await admin.rotateToken('admin');
    assert.equal(rotated.persisted_to, null, 'it came from the environment');
    assert.match(rotated.note, /lasts until the backend restarts/);
    await assert.rejects(
      admin.listWorkers(),
      (e: unknown) => e instanceof ApiError && e.status === 401,
    );
    const renewed = new BackendClient({ baseUrl: backend.url, token: rotated.token! });
    assert.ok((await renewed.listWorkers()).total_count >= 1);
    admin = renewed;
  });

  it('slows down repeated wrong tokens, never a right one', async () => {
    const path = '/api/v1/workers';
    // earlier tests already sent a few wrong tokens from this address: count on from there
    let first = -1;
    for (let i = 0; i < 12 && first < 0; i++) {
      const started = performance.now();
      const answer = await call(backend.url, 'GET', path, `wrong-${i}-0123456789abcdef`);
      const tookMs = performance.now() - started;
      assert.equal(answer.status, 401);
      if (answer.headers.get('retry-after') !== null) {
        first = i;
        assert.ok(tookMs >= 450, `the slowed answer was held ${tookMs.toFixed(0)} ms`);
      }
    }
    assert.ok(first >= 0, 'wrong tokens were slowed down within 11 tries');
    const next = await call(backend.url, 'GET', path, 'wrong-again-0123456789abcdef');
    assert.equal(next.headers.get('retry-after'), '1', 'the delay grows: 0.5 s, then 1 s');
    // the web UI's sign-in checks the token itself: a wrong one there is slowed the same way
    const signIn = await fetch(`${backend.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'a-guess-0123456789abcdef' }),
    });
    assert.equal(signIn.status, 401);
    assert.ok(signIn.headers.get('retry-after'), 'the sign-in is slowed down too');
    const right = await fetch(`${backend.url}${path}`, {
      headers: { authorization: `Bearer ${admin.http.token()}` },
    });
    assert.equal(right.status, 200, 'the right token is never slowed or refused');
    assert.equal(right.headers.get('retry-after'), null);
  });

  it('no token, credential or secret appears in any log line of the run', () => {
    const logs = restartedLogs.join('') + backend.output() + worker.output();
    assert.ok(logs.length > 1000, `the processes logged (${logs.length} characters at debug)`);
    for (const [what, secret] of [
      ['admin token', TEST_TOKEN],
      ['join token', joinToken],
      ['worker credential', probe.credential],
    ] as const)
      assert.ok(!logs.includes(secret), `the ${what} is not in the logs`);
    assert.doesNotMatch(logs, /wc_[\w-]{20,}/, 'no worker credential of any worker');
    assert.doesNotMatch(logs, /callback_token"?\s*[:=]\s*"?[\w-]{20,}/, 'no callback secret');
    assert.doesNotMatch(logs, /authorization"?\s*[:=]\s*"?Bearer/i, 'no authorization header');
  });
});
