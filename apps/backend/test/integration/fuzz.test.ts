// Fuzzes every route of the OpenAPI documents (`GET /docs/json`) of the backend, a worker
// and the IB host service with generated bad input (fast-check): wrong types, missing and
// extra fields, huge strings and numbers, unicode, NaN-ish strings, path traversal, NUL
// bytes, oversized bodies, wrong content types and invalid JSON. Every answer must be a
// JSON error `{"error":{"code","message"}}` whose message names the problem (a 400 names a
// field or `body`), never a 5xx but a documented 503, and every service keeps serving.
// Then focused checks: names used as file paths cannot leave their folder, and the body
// limit holds on every service.
//
// CI (the default) is bounded: KTRDR_FUZZ_RUNS (100) requests per route within a time budget
// of KTRDR_FUZZ_BUDGET_S (40 s) for all routes together. The long run: `npm run fuzz`
// (2000 per route). A failure prints its request, the seed and a replay command:
// KTRDR_FUZZ_SEED (the fixed default below), KTRDR_FUZZ_ROUTE ('service METHOD /path')
// and KTRDR_FUZZ_PATH (fast-check's path of the counterexample).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { BackendClient } from '@ktrdr/shared';
import { tempDir, waitFor } from '@ktrdr/testkit';
import { startTwsSimulator, type TwsSimulator } from '@ktrdr/testkit/tws-simulator';
import { startWorker, type WorkerHandle } from '@ktrdr/worker';
import { IB_PACING_RULES, loadIbHostConfig, startIbHost, type IbHostHandle } from '@ktrdr/ib-host';
import type { BackendHandle } from '../../src/index.js';
import { startTestBackend, TEST_TOKEN } from './cluster-fixture.js';
import {
  describeRequest,
  encodeAll,
  judge,
  nastyString,
  preview,
  requestArb,
  routeKey,
  routeSeed,
  routesOf,
  send,
  type FuzzAnswer,
  type FuzzRequest,
  type FuzzRoute,
  type JsonSchema,
  type OpenApiDocument,
  type RouteSetup,
  type TextBody,
} from './fuzz-kit.js';

const envNumber = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}=${raw} is not a number`);
  return value;
};
const RUNS = envNumber('KTRDR_FUZZ_RUNS', 100);
const LONG = RUNS > 100;
const SEED = envNumber('KTRDR_FUZZ_SEED', 0x6b7472);
const BUDGET_MS = envNumber('KTRDR_FUZZ_BUDGET_S', LONG ? 3 * 3600 : 40) * 1000;
const ONLY_ROUTE = process.env.KTRDR_FUZZ_ROUTE;
const REPLAY_PATH = process.env.KTRDR_FUZZ_PATH;
/** Every service keeps the server-kit default. */
const BODY_LIMIT = 1024 * 1024;
/** A symbol neither the stored data nor the simulated gateway knows: downloads never start. */
const UNKNOWN_SYMBOL = 'NOSUCHSYM';

/**
 * Routes not fuzzed (`'service METHOD /path': reason`): none. Instead, the requests that
 * would start work or destroy state are constrained, so that every later check still means
 * something:
 * - the backend under test has no worker: a valid backtest or training start is a 503
 *   WORKER_UNAVAILABLE after full validation, so nothing runs (checked: no operation exists
 *   afterwards); `DELETE /api/v1/workers/{id}` has no worker to remove;
 * - downloads, contract checks and the IB host's own routes ask for a symbol neither the
 *   data nor the simulated gateway knows, so no download starts;
 * - `POST /api/v1/tokens/rotate` starts from `{"kind": "join"}`: rotating the admin token
 *   would answer every later request with a 401 (checked: the token still works after
 *   every route);
 * - a worker's start routes get a job for a symbol nobody has: it fails at once.
 */
const SKIPPED: Record<string, string> = {};

const FUZZ_STRATEGY = 'fuzz_strategy';
const STRATEGY_YAML = `name: ${FUZZ_STRATEGY}
description: fuzz base
type: rules
data:
  symbol: SP500
  timeframe: 1d
  start_date: '2000-01-01'
  end_date: '2020-12-31'
indicators:
  fast: { type: sma, period: 20 }
  slow: { type: sma, period: 50 }
entry:
  long: { crosses_above: [fast, slow] }
exit:
  long: { crosses_below: [fast, slow] }
position:
  sizing: fraction_of_equity
  value: 1.0
`;

const CSV = [
  'date,open,high,low,close,volume',
  '2021-01-04,10,11,9,10.5,1000',
  '2021-01-05,10.5,12,10,11,1200',
  '2021-01-06,11,11.5,10.2,10.8,900',
];

/** CSV bodies for `POST /api/v1/data/import`: bad headers, bad cells, odd line ends. */
const csvBody: fc.Arbitrary<TextBody> = fc
  .record({
    header: fc.oneof(
      { weight: 4, arbitrary: fc.constant(CSV[0]!) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'timestamp,open,high,low,close,volume',
          'date,open,high,low,close',
          'Date,Open,High,Low,Close,Volume',
          'date;open;high;low;close;volume',
          '\uFEFFdate,open,high,low,close,volume',
          'date,date,open,high,low,close,volume',
          '',
        ),
      },
      { weight: 1, arbitrary: nastyString },
    ),
    edits: fc.array(
      fc.tuple(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 6 }),
        fc.oneof(
          fc.constantFrom(
            'NaN',
            '1e999',
            '-1',
            '0',
            '',
            '"1,5"',
            '99999-01-01',
            '-271821-04-20',
            '+275760-09-14',
            '2021-02-30',
            '1e308',
            '9'.repeat(400),
            'Infinity',
            '2021-01-04T25:00:00Z',
            '1609459200',
            '99999999999999999',
            '-99999999999999999',
          ),
          nastyString,
        ),
      ),
      { maxLength: 3 },
    ),
    extraRows: fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 2 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
  })
  .map(({ header, edits, extraRows, eol }) => {
    const rows = CSV.slice(1).map((r) => r.split(','));
    for (const [row, column, value] of edits) {
      const cells = rows[row - 1]!;
      cells[Math.min(column, cells.length)] = value;
    }
    const text = [header, ...rows.map((r) => r.join(',')), ...extraRows].join(eol);
    return {
      contentType: 'text/csv',
      text,
      note: `${preview(JSON.stringify(text), 200)}`,
    };
  });

const YAML_CONSTANTS: readonly string[] = [
  '',
  '~',
  '---\n---\n',
  '- a\n- b\n',
  'just text',
  '{',
  `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
  `${STRATEGY_YAML}<<: *nope\n`,
  `${STRATEGY_YAML}extra: !!js/function 'function () { return 1 }'\n`,
  `${STRATEGY_YAML}extra: !!binary aGVsbG8=\n`,
  `${STRATEGY_YAML}name: ${FUZZ_STRATEGY}\n`,
  `name: ${FUZZ_STRATEGY}\nindicators: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
  STRATEGY_YAML.replace('period: 20', 'period: .inf'),
  STRATEGY_YAML.replace('period: 20', 'period: .nan'),
  STRATEGY_YAML.replace('period: 20', 'period: 1e999'),
  STRATEGY_YAML.replace('period: 20', 'period: 0x10'),
  STRATEGY_YAML.replace('period: 20', 'period: 99999999999'),
  STRATEGY_YAML.replace('type: sma', 'type: __proto__'),
  STRATEGY_YAML.replace('fast: {', '__proto__: {'),
  STRATEGY_YAML.replace('sizing: fraction_of_equity', 'sizing: constructor'),
  STRATEGY_YAML.replace('value: 1.0', 'value: -1e308'),
  STRATEGY_YAML.replace("'2000-01-01'", "'99999-01-01'"),
  STRATEGY_YAML.replace("'2000-01-01'", '2000-01-01'),
  STRATEGY_YAML.replace('crosses_above: [fast, slow]', 'crosses_above: [fast, fast, fast]'),
  STRATEGY_YAML.replace('crosses_above: [fast, slow]', 'crosses_above: fast'),
  STRATEGY_YAML.replace('crosses_above: [fast, slow]', 'crosses_above: [nope, slow]'),
  STRATEGY_YAML.replace(`name: ${FUZZ_STRATEGY}`, 'name: ../../etc/passwd'),
  STRATEGY_YAML.replace('\n', '\n\t'),
];

/** YAML bodies for strategies: constants that broke YAML readers, and edited lines of a valid one. */
const yamlText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...YAML_CONSTANTS),
  fc
    .array(
      fc.tuple(
        fc.integer({ min: 0, max: STRATEGY_YAML.split('\n').length - 1 }),
        fc.constantFrom('value', 'delete', 'duplicate', 'indent'),
        fc.oneof(
          nastyString.map((s) => JSON.stringify(s)),
          fc.constantFrom(
            '-1',
            '0',
            '1e999',
            '.inf',
            '-.nan',
            'null',
            '[]',
            '{}',
            '[a, b]',
            "''",
            '*x',
          ),
        ),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) => {
      const lines = STRATEGY_YAML.split('\n');
      for (const [at, op, value] of edits) {
        const i = Math.min(at, lines.length - 1);
        const line = lines[i]!;
        if (op === 'delete') lines.splice(i, 1);
        else if (op === 'duplicate') lines.splice(i, 0, line);
        else if (op === 'indent') lines[i] = `   ${line}`;
        else
          lines[i] = line.includes(':') ? `${line.slice(0, line.indexOf(':'))}: ${value}` : value;
      }
      return lines.join('\n');
    }),
);

const yamlBody: fc.Arbitrary<TextBody> = fc
  .tuple(
    yamlText,
    fc.constantFrom(
      'application/yaml',
      'text/yaml',
      'text/plain',
      'application/x-yaml',
      'text/x-yaml',
    ),
  )
  .map(([text, contentType]) => ({ contentType, text, note: preview(JSON.stringify(text), 200) }));

/** The request body of a worker's `/backtests/start`: well formed, pointing at nothing real. */
const WORKER_JOB = {
  task_id: 'op_backtesting_20260101_000000_0000fuzz',
  attempt: 1,
  strategy: { name: FUZZ_STRATEGY, hash: '0123456789abcdef', config: {} },
  data: {
    symbol: UNKNOWN_SYMBOL,
    timeframe: '1d',
    start: '2020-01-01',
    end: '2020-02-01',
    etag: null,
  },
  initial_capital: 100000,
  commission: 0.001,
  slippage: 0.0005,
};

/** Valid-looking values by field name; downloads and the IB host get a symbol nobody knows. */
function sampler(name: string, _schema: JsonSchema, route: FuzzRoute): unknown {
  const ib = route.service === 'ib-host' || /\/(download|ib)\b|\/ib\//.test(route.path);
  switch (name) {
    case 'worker_id':
      return 'no-such-worker';
    case 'operation_id':
      return 'op_backtesting_20260101_000000_00000000';
    case 'model_id':
      return 'no-such-model';
    case 'name':
      return route.path.includes('/strategies/') ? FUZZ_STRATEGY : 'result.json';
    case 'symbol':
      return ib ? UNKNOWN_SYMBOL : route.path.includes('/import') ? 'FUZZ' : 'SP500';
    case 'timeframe':
      return '1d';
    case 'strategy_name':
      return route.path.includes('/training/') ? 'neuro_fuzzy_example' : 'sma_crossover';
    case 'start_date':
      return '2019-01-01';
    case 'end_date':
      return '2020-06-30';
    case 'start':
      return ib ? '2024-01-01T00:00:00Z' : '2019-01-01';
    case 'end':
      return ib ? '2024-02-01T00:00:00Z' : '2020-06-30';
    case 'endpoint_url':
      return 'http://127.0.0.1:9';
    case 'attempt':
      return 1;
    case 'token':
      return 'not-the-token-at-all';
    case 'yaml':
      return STRATEGY_YAML;
    case 'hash':
      return '0123456789abcdef';
    case 'reason':
      return 'fuzz';
    case 'kind':
      // rotate the join token at most, never the admin token the fuzzer sends
      return route.path.includes('/tokens/') ? 'join' : undefined;
    default:
      return undefined;
  }
}

function setupFor(route: FuzzRoute): RouteSetup {
  const key = routeKey(route);
  const setup: RouteSetup = { sampler, bodyLimit: BODY_LIMIT };
  if (key === 'POST /api/v1/data/import') setup.text = csvBody;
  if (key === 'PUT /api/v1/strategies/{name}' || key === 'POST /api/v1/strategies/validate')
    setup.text = yamlBody;
  if (key === 'PUT /api/v1/operations/{operation_id}/artifacts/{name}')
    setup.text = fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({
      contentType: 'application/octet-stream',
      text,
      note: `${text.length} characters`,
    }));
  if (route.service === 'worker' && route.path.endsWith('/start')) setup.body = WORKER_JOB;
  return setup;
}

/** A service under test. */
interface Target {
  name: string;
  url: string;
}

/** The web UI's catch-all route (hidden from the document): traversal in file paths. */
const WEB_ROUTE: FuzzRoute = {
  service: 'backend',
  method: 'GET',
  path: '/{wild}',
  params: [{ name: 'wild', required: true, schema: { type: 'string' } }],
  query: [],
  headers: [],
  fields: new Set(['body', 'route']),
};

class FuzzFailure extends Error {
  constructor(
    readonly problem: string,
    readonly request: FuzzRequest,
    readonly answer: FuzzAnswer,
  ) {
    super(problem);
  }
}

/** Every file below `dir` (relative paths). */
function filesBelow(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesBelow(join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out;
}

describe('API fuzz: every documented route of the backend, a worker and the IB host answers bad input with a 4xx JSON error', () => {
  const dir = tempDir('ktrdr-fuzz-');
  let sim: TwsSimulator;
  let ibHost: IbHostHandle;
  /** The backend under test: linked to the IB host service, no worker registered. */
  let backend: BackendHandle;
  /** The worker's own backend (so the one under test has none). */
  let workerBackend: BackendHandle;
  let worker: WorkerHandle;
  let targets: Target[];

  const health = async (target: Target) => {
    const answer = await fetch(`${target.url}/health`).catch((error: Error) => error);
    return answer instanceof Error ? answer.message : answer.status;
  };

  /** One plain request with the admin token (bodies as given: JSON, text or raw bytes). */
  const call = (
    base: string,
    method: string,
    target: string,
    body?: { json?: unknown; text?: string; type?: string; chunked?: boolean },
  ) =>
    send(
      base,
      {
        method,
        target,
        headers:
          body?.json !== undefined || body?.text !== undefined
            ? { 'content-type': body.type ?? 'application/json' }
            : {},
        ...(body?.json !== undefined ? { body: JSON.stringify(body.json) } : {}),
        ...(body?.text !== undefined ? { body: body.text } : {}),
        ...(body?.chunked ? { chunked: true } : {}),
        defects: [],
      },
      TEST_TOKEN,
    );

  const errorOf = (answer: FuzzAnswer) =>
    (JSON.parse(answer.text) as { error: { code: string; message: string } }).error;

  /** A 400 VALIDATION_ERROR whose message starts with the field. */
  const expect400 = (answer: FuzzAnswer, field: string, what: string) => {
    assert.equal(answer.status, 400, `${what} → ${answer.status} ${preview(answer.text)}`);
    const error = errorOf(answer);
    assert.equal(error.code, 'VALIDATION_ERROR', what);
    assert.ok(error.message.startsWith(`${field}:`), `${what}: "${error.message}" names ${field}`);
  };

  before(async () => {
    sim = await startTwsSimulator({ seed: 42 });
    ibHost = await startIbHost({
      ...loadIbHostConfig({
        KTRDR_CLUSTER_TOKEN: TEST_TOKEN,
        KTRDR_IB_HOST_PORT: '0',
        IB_GATEWAY_PORT: String(sim.port),
        KTRDR_LOG_LEVEL: 'silent',
      }),
      // IB's pacing shrunk to milliseconds, as in the IB host's own tests
      pacing: {
        ...IB_PACING_RULES,
        identicalWindowMs: 30,
        sameContractWindowMs: 20,
        totalWindowMs: 200,
        totalMax: 1000,
        marginMs: 0,
      },
      pacingBackoffMs: 10,
      connectWaitMs: 3000,
      requestTimeoutMs: 5000,
    });
    await waitFor('gateway connected', () => ibHost.gatewayState().state === 'connected', {
      timeoutMs: 10_000,
    });
    backend = await startTestBackend(dir.path, {
      useIbHostService: true,
      ibHostServiceUrl: ibHost.url,
      // the session route gets wrong tokens on purpose: no slowing down of its answers here
      authThrottle: { freeFailures: 1e9, windowMs: 60_000, firstDelayMs: 0, maxDelayMs: 0 },
    });
    workerBackend = await startTestBackend(join(dir.path, 'worker-backend'));
    worker = await startWorker({
      workerType: 'backtesting',
      backendUrl: workerBackend.url,
      token: TEST_TOKEN,
      // the fuzzer calls the worker with the admin token
      tokenIsAdmin: true,
      host: '127.0.0.1',
      port: 0,
      cacheDir: join(dir.path, 'worker-cache'),
      cancelDeadlineMs: 2000,
      shutdownGraceMs: 1000,
      checkpointSeconds: 10,
      trainingBackend: 'cpu',
      gpuHost: false,
      logLevel: 'silent',
      // slow enough that a backtest is still running while the artifact checks need it
      throttleBarsPerSecond: 200,
    });
    await worker.registered;
    targets = [
      { name: 'backend', url: backend.url },
      { name: 'worker', url: worker.url },
      { name: 'ib-host', url: ibHost.url },
    ];
    plans = [
      await routesToFuzz(targets[0]!, [WEB_ROUTE]),
      await routesToFuzz(targets[1]!),
      await routesToFuzz(targets[2]!),
    ];
    budget.routesLeft = plans.flat().length;
  });

  after(async () => {
    await worker?.close();
    await workerBackend?.close();
    await backend?.close();
    await ibHost?.close();
    await sim?.close();
    dir.remove();
  });

  /** The time budget of all services together: its end, and the routes still to fuzz. */
  const budget = { deadline: 0, routesLeft: 0 };
  /** The routes to fuzz of each target, in the order of `targets`. */
  let plans: FuzzRoute[][] = [];

  /** Fuzzes one route; answers the failure report, or undefined. */
  async function fuzzRoute(
    target: Target,
    route: FuzzRoute,
    timeLimitMs: number,
    statuses: Map<number, number>,
  ) {
    const key = `${target.name} ${routeKey(route)}`;
    const seed = routeSeed(SEED, key);
    let sent = 0;
    const details = await fc.check(
      fc.asyncProperty(requestArb(route, setupFor(route)), async (request) => {
        sent++;
        const answer = await send(target.url, request, TEST_TOKEN);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = judge(route, answer);
        if (problem) throw new FuzzFailure(problem, request, answer);
      }),
      {
        seed,
        numRuns: RUNS,
        ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}),
        plugins: [fc.interruptAfterTimeLimit(timeLimitMs)],
      },
    );
    const { interrupted } = details;
    if (!details.failed || !(details.errorInstance instanceof FuzzFailure))
      return details.failed && !interrupted
        ? { sent, interrupted, report: `${key}: ${String(details.errorInstance)}` }
        : { sent, interrupted };
    const { problem, request, answer } = details.errorInstance;
    return {
      sent,
      interrupted,
      report: [
        `${key}: ${problem}`,
        `  request: ${describeRequest(request).replace(/\n/g, '\n  ')}`,
        `  answer: ${answer.status} ${preview(answer.text, 400)}`,
        `  replay: KTRDR_FUZZ_SEED=${SEED} KTRDR_FUZZ_ROUTE='${key}' KTRDR_FUZZ_PATH='${details.counterexamplePath ?? ''}' npm run fuzz`,
      ].join('\n'),
    };
  }

  /** The documented routes of a service (and `extra` ones), less those skipped. */
  async function routesToFuzz(target: Target, extra: FuzzRoute[] = []) {
    const docs = await call(target.url, 'GET', '/docs/json');
    assert.equal(docs.status, 200, `${target.name} serves /docs/json`);
    const all = [...routesOf(target.name, JSON.parse(docs.text) as OpenApiDocument), ...extra];
    assert.ok(all.length >= 4, `${target.name} documents its routes`);
    return all.filter((route) => {
      const key = `${target.name} ${routeKey(route)}`;
      return (!ONLY_ROUTE || key === ONLY_ROUTE) && SKIPPED[key] === undefined;
    });
  }

  async function fuzzService(t: TestContext, index: number) {
    const target = targets[index]!;
    const routes = plans[index]!;
    budget.deadline ||= Date.now() + BUDGET_MS;
    for (const [key, why] of Object.entries(SKIPPED))
      if (key.startsWith(`${target.name} `)) t.diagnostic(`skipped ${key}: ${why}`);
    t.diagnostic(`seed ${SEED}, ${RUNS} runs per route, ${routes.length} routes`);
    const failures: string[] = [];
    let sent = 0;
    const statuses = new Map<number, number>();
    let cut = 0;
    const started = Date.now();
    for (const route of routes) {
      // what is left of the budget, shared by every route not fuzzed yet (all services)
      const limit = Math.max(250, (budget.deadline - Date.now()) / budget.routesLeft--);
      const result = await fuzzRoute(target, route, limit, statuses);
      sent += result.sent;
      if (result.interrupted) cut++;
      if (result.report) failures.push(result.report);
      for (const other of targets) {
        const status = await health(other);
        if (status !== 200)
          failures.push(
            `after ${target.name} ${routeKey(route)}: ${other.name} /health → ${status}`,
          );
        // and the fuzzer's token still opens the service (a 401 would pass every check)
        const docs = await call(other.url, 'GET', '/docs/json');
        if (docs.status !== 200)
          failures.push(
            `after ${target.name} ${routeKey(route)}: ${other.name} /docs/json with the token → ${docs.status}`,
          );
      }
      if (failures.some((f) => f.startsWith('after '))) break;
    }
    const spread = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status || 'none'}: ${n}`)
      .join(', ');
    t.diagnostic(
      `${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (answers ${spread})`,
    );
    if (cut) t.diagnostic(`${cut} routes cut short by the time budget (KTRDR_FUZZ_BUDGET_S)`);
    assert.equal(failures.length, 0, `\n${failures.join('\n\n')}\n`);
  }

  const timeout = BUDGET_MS + 120_000;

  it('backend', { timeout }, async (t) => {
    await fuzzService(t, 0);
    // nothing the fuzzer sent started work: a valid start found no worker, a download no symbol
    const { total_count } = await new BackendClient({
      baseUrl: backend.url,
      token: TEST_TOKEN,
    }).listOperations();
    assert.equal(total_count, 0, 'no operation was created by the fuzzer');
  });

  it('worker', { timeout }, async (t) => {
    await fuzzService(t, 1);
  });

  it('IB host service', { timeout }, async (t) => {
    await fuzzService(t, 2);
  });

  describe('what the fuzzer found stays fixed (each was a 500, a non-JSON answer or a nameless 400)', () => {
    const strategy = (yaml: string, type = 'text/yaml') =>
      call(backend.url, 'PUT', `/api/v1/strategies/${FUZZ_STRATEGY}`, { text: yaml, type });
    const expectError = (answer: FuzzAnswer, status: number, pattern: RegExp, what: string) => {
      assert.equal(answer.status, status, `${what} → ${answer.status} ${preview(answer.text)}`);
      assert.match(errorOf(answer).message, pattern, what);
    };

    it('strategy YAML: prototype keys as indicator types, dangling and exploding aliases, names', async () => {
      for (const key of ['__proto__', 'constructor', 'toString']) {
        expectError(
          await strategy(STRATEGY_YAML.replace('type: sma', `type: ${key}`)),
          400,
          /^indicators\.fast\.type: must be one of: sma/,
          `indicator type ${key}`,
        );
      }
      expectError(
        await strategy(`${STRATEGY_YAML}<<: *nope\n`),
        400,
        /^yaml: Unresolved alias/,
        'an alias to no anchor',
      );
      expectError(
        await strategy(YAML_CONSTANTS.find((y) => y.startsWith('a: &a'))!),
        400,
        /^yaml: Excessive alias count/,
        'a billion laughs',
      );
      expectError(
        await call(backend.url, 'POST', '/api/v1/strategies/validate', {
          text: '../../etc/passwd',
          type: 'text/plain',
        }),
        400,
        /^yaml: a strategy must be a mapping/,
        'a YAML document that is a string',
      );
      for (const name of ['__proto__', 'Fast']) {
        expectError(
          await strategy(
            STRATEGY_YAML.replace('fast: {', `${name}: {`).replaceAll(
              '[fast, slow]',
              `[${name}, slow]`,
            ),
          ),
          400,
          new RegExp(`^indicators\\.${name}: is not a valid name`),
          `indicator name ${name}`,
        );
      }
      // a parameter override that names a prototype key as the indicator type
      const override = await call(backend.url, 'POST', '/api/v1/backtests/start', {
        json: {
          strategy_name: 'sma_crossover',
          parameters: { 'indicators.fast.type': '__proto__' },
        },
      });
      expectError(override, 400, /indicators\.fast\.type: must be one of/, 'override of a type');
    });

    it('numbers that are not finite, and integers the database cannot take', async () => {
      for (const query of [
        'offset=Infinity',
        'limit=Infinity',
        'offset=1e999',
        'since=-Infinity',
      ]) {
        const route = query.startsWith('since')
          ? '/api/v1/operations/op_backtesting_20260101_000000_00000000/metrics'
          : '/api/v1/operations';
        const [field] = query.split('=');
        expectError(
          await call(backend.url, 'GET', `${route}?${query}`),
          400,
          new RegExp(`^query\\.${field}: must be a finite number`),
          query,
        );
      }
      expectError(
        await call(backend.url, 'GET', '/api/v1/operations?offset=99999999999999999999'),
        400,
        /^query\.offset: must be <= 9007199254740991/,
        'an offset beyond 64 bits',
      );
      expectError(
        await call(backend.url, 'POST', '/api/v1/backtests/start', {
          text: '{"strategy_name":"sma_crossover","initial_capital":1e999}',
        }),
        400,
        /^initial_capital: must be number/,
        'a body number that parses to Infinity',
      );
    });

    it('URLs and requests refused before routing answer with the JSON error too', async () => {
      expectError(
        await call(backend.url, 'GET', '/api/v1/strategies/%E0%A4%A'),
        400,
        /^path: .* is not a valid URL path/,
        'malformed percent-encoding',
      );
      // ids up to the schema's length reach the route (Fastify's own limit was 100: a 414)
      expectError(
        await call(backend.url, 'GET', `/api/v1/models/${'m'.repeat(120)}`),
        404,
        /^model "m{120}" does not exist/,
        'a 120-character model id',
      );
      expectError(
        await call(backend.url, 'GET', `/api/v1/operations/${'o'.repeat(101)}`),
        400,
        /^path\.operation_id: must NOT have more than 100 characters/,
        'a 101-character operation id',
      );
      expectError(
        // (on the worker: the backend's web UI route takes what the API routes refuse)
        await call(worker.url, 'GET', `/api/v1/operations/${'o'.repeat(3000)}`),
        414,
        /^path: a path parameter is longer than 2048 characters/,
        'a 3000-character path parameter',
      );
      expectError(
        await call(backend.url, 'GET', `/api/v1/models/${'m'.repeat(20_000)}`),
        431,
        /^headers: the request line and headers are larger/,
        'a 20 kB request line',
      );
      for (const target of targets) {
        expectError(
          await call(target.url, 'POST', '/api/v1/anything', {
            json: { ' ': 1 },
          }),
          404,
          /no route POST/,
          `${target.name}: an unknown route`,
        );
      }
      expectError(
        await call(backend.url, 'POST', '/api/v1/strategies/validate', {
          json: { yaml: STRATEGY_YAML, ' ': 1 },
        }),
        400,
        /^" ": is not a known field/,
        'an unknown field named by a blank',
      );
    });
  });

  describe('names used as file paths cannot leave their folder', () => {
    const marker = `escape-${process.pid.toString(36)}${Date.now().toString(36)}`;
    /** Names that would land outside their folder if they reached a path join. */
    const ESCAPES = [
      `../${marker}`,
      `../../${marker}`,
      `${'../'.repeat(12)}tmp/${marker}`,
      `..\\..\\${marker}`,
      `/tmp/${marker}`,
      `C:\\${marker}`,
      `${marker}/../../../${marker}`,
      '..',
      '.',
      `..%2F${marker}`,
      `%2e%2e%2f${marker}`,
      `${marker}\u0000`,
      `${marker}\u0000.yaml`,
      `./${marker}`,
      `~/${marker}`,
    ];
    /** Every file named after the marker: under the temp dir, and in each folder above it. */
    const markerFiles = () => [
      ...filesBelow(dir.path).filter((f) => f.includes(marker)),
      ...[dirname(dir.path), tmpdir(), '/'].flatMap((d) =>
        readdirSync(d)
          .filter((f) => f.includes(marker))
          .map((f) => join(d, f)),
      ),
    ];
    const yamlNamed = (name: string) =>
      STRATEGY_YAML.replace(`name: ${FUZZ_STRATEGY}`, `name: ${JSON.stringify(name)}`);

    it('strategy names (PUT/GET /api/v1/strategies/{name}, validate)', async () => {
      for (const name of ESCAPES) {
        const at = `/api/v1/strategies/${encodeAll(name)}`;
        expect400(
          await call(backend.url, 'PUT', at, { json: { yaml: yamlNamed(name) } }),
          'path.name',
          `PUT ${at}`,
        );
        expect400(
          await call(backend.url, 'PUT', at, { text: yamlNamed(name), type: 'text/yaml' }),
          'path.name',
          `PUT ${at} (YAML)`,
        );
        expect400(await call(backend.url, 'GET', at), 'path.name', `GET ${at}`);
        // the name inside the document is checked as well
        expect400(
          await call(backend.url, 'POST', '/api/v1/strategies/validate', {
            json: { yaml: yamlNamed(name) },
          }),
          'name',
          `validate name ${JSON.stringify(name)}`,
        );
        // unencoded: another path altogether, never a stored file
        const raw = await call(
          backend.url,
          'PUT',
          `/api/v1/strategies/${name.replaceAll('\u0000', '%00')}`,
          {
            json: { yaml: yamlNamed(name) },
          },
        );
        assert.ok([400, 404].includes(raw.status), `raw ${name} → ${raw.status} ${raw.text}`);
      }
      expect400(
        await call(backend.url, 'PUT', `/api/v1/strategies/${FUZZ_STRATEGY}`, {
          json: { yaml: yamlNamed(`../../${marker}`) },
        }),
        'name',
        'a valid URL name with an escaping name in the YAML',
      );
      assert.deepEqual(markerFiles(), [], 'no strategy file was written');
      // the same search does find a strategy stored under its own name, in its folder
      const stored = await call(backend.url, 'PUT', `/api/v1/strategies/${marker}`, {
        json: { yaml: yamlNamed(marker) },
      });
      assert.equal(stored.status, 201, stored.text);
      assert.deepEqual(markerFiles(), [`data/strategies/${marker}.yaml`]);
      assert.equal((await call(backend.url, 'GET', `/api/v1/strategies/${marker}`)).status, 200);
    });

    it('model ids (GET/PUT /api/v1/models/{model_id}, download)', async () => {
      for (const id of ESCAPES) {
        const at = `/api/v1/models/${encodeAll(id)}`;
        expect400(await call(backend.url, 'GET', at), 'path.model_id', `GET ${at}`);
        expect400(
          await call(backend.url, 'GET', `${at}/download`),
          'path.model_id',
          `download ${at}`,
        );
        expect400(
          await call(
            backend.url,
            'PUT',
            `${at}?worker_id=w&operation_id=op_training_20260101_000000_00000000&attempt=1`,
            { json: { model_id: id } },
          ),
          'path.model_id',
          `PUT ${at}`,
        );
      }
      assert.deepEqual(
        markerFiles().filter((f) => !f.includes('strategies/')),
        [],
      );
    });

    it('series symbols and timeframes (GET /api/v1/data/{symbol}/{timeframe}, import, download)', async () => {
      const csv = CSV.join('\n');
      for (const name of ESCAPES) {
        const enc = encodeAll(name);
        expect400(
          await call(backend.url, 'GET', `/api/v1/data/${enc}/1d`),
          'path.symbol',
          `symbol ${name}`,
        );
        expect400(
          await call(backend.url, 'GET', `/api/v1/data/SP500/${enc}`),
          'path.timeframe',
          `timeframe ${name}`,
        );
        expect400(
          await call(backend.url, 'POST', `/api/v1/data/import?symbol=${enc}&timeframe=1d`, {
            text: csv,
            type: 'text/csv',
          }),
          'query.symbol',
          `import symbol ${name}`,
        );
        expect400(
          await call(backend.url, 'POST', `/api/v1/data/import?symbol=FUZZ&timeframe=${enc}`, {
            text: csv,
            type: 'text/csv',
          }),
          'query.timeframe',
          `import timeframe ${name}`,
        );
        expect400(
          await call(backend.url, 'POST', '/api/v1/data/download', {
            json: {
              symbol: name,
              timeframe: '1d',
              start_date: '2020-01-01',
              end_date: '2020-02-01',
            },
          }),
          'symbol',
          `download symbol ${name}`,
        );
      }
      assert.deepEqual(
        markerFiles().filter((f) => !f.includes('strategies/')),
        [],
      );
    });

    it('artifact names and operation ids (PUT/GET /api/v1/operations/{id}/artifacts/{name})', async () => {
      // a real operation, held by the worker: only the names stand between an upload and the disk
      const client = new BackendClient({ baseUrl: workerBackend.url, token: TEST_TOKEN });
      const { operation_id } = await client.startBacktest({ strategy_name: 'sma_crossover' });
      try {
        const op = await waitFor(
          'the backtest runs on the worker',
          async () => {
            const o = await client.getOperation(operation_id);
            return o.status === 'running' && o.worker_id ? o : undefined;
          },
          { timeoutMs: 20_000 },
        );
        const who = `worker_id=${encodeAll(op.worker_id!)}&attempt=${op.attempt}`;
        const put = (id: string, name: string) =>
          call(
            workerBackend.url,
            'PUT',
            `/api/v1/operations/${encodeAll(id)}/artifacts/${encodeAll(name)}?${who}`,
            { text: 'not a checkpoint', type: 'application/octet-stream' },
          );
        for (const name of [...ESCAPES, `${marker}.json/../x`, 'a/b.json']) {
          expect400(await put(operation_id, name), 'path.name', `artifact ${JSON.stringify(name)}`);
          expect400(
            await call(
              workerBackend.url,
              'GET',
              `/api/v1/operations/${operation_id}/artifacts/${encodeAll(name)}`,
            ),
            'path.name',
            `GET artifact ${JSON.stringify(name)}`,
          );
          expect400(
            await put(name, 'probe.json'),
            'path.operation_id',
            `operation ${JSON.stringify(name)}`,
          );
        }
        // the same upload under a proper name is stored, in the operation's folder
        const stored = await put(operation_id, 'probe.json');
        assert.equal(stored.status, 200, stored.text);
        assert.ok(
          filesBelow(dir.path).includes(`worker-backend/data/artifacts/${operation_id}/probe.json`),
        );
      } finally {
        await client.cancelOperation(operation_id).catch(() => undefined);
      }
      assert.deepEqual(
        markerFiles().filter((f) => !f.includes('strategies/')),
        [],
      );
    });

    it("a worker's task ids, which name its result files (POST /backtests/start)", async () => {
      for (const id of ESCAPES) {
        expect400(
          await call(worker.url, 'POST', '/backtests/start', {
            json: { ...WORKER_JOB, task_id: id },
          }),
          'task_id',
          `task_id ${JSON.stringify(id)}`,
        );
      }
      assert.deepEqual(
        markerFiles().filter((f) => !f.includes('strategies/')),
        [],
      );
    });
  });

  describe('the body limit holds on every service (413 PAYLOAD_TOO_LARGE, and it keeps serving)', () => {
    const cases = () =>
      [
        [targets[0]!, '/api/v1/backtests/start', '/api/v1/strategies'],
        [targets[1]!, '/backtests/start', '/api/v1/operations'],
        [targets[2]!, '/api/v1/data/historical', '/health'],
      ] as const;

    it('a JSON body over 1 MiB, with a content-length or chunked', async () => {
      for (const [target, route, probe] of cases()) {
        for (const chunked of [false, true]) {
          const answer = await call(target.url, 'POST', route, {
            text: `{"x":"${'a'.repeat(BODY_LIMIT)}"}`,
            chunked,
          });
          const what = `${target.name} POST ${route} (${chunked ? 'chunked' : 'content-length'})`;
          assert.equal(answer.status, 413, `${what} → ${answer.status} ${preview(answer.text)}`);
          const error = errorOf(answer);
          assert.equal(error.code, 'PAYLOAD_TOO_LARGE', what);
          assert.match(error.message, /^body: is larger than the 1048576-byte limit/, what);
          assert.equal(await health(target), 200, `${target.name} still answers /health`);
          assert.equal(
            (await call(target.url, 'GET', probe)).status,
            200,
            `${target.name} still serves`,
          );
        }
        // just under the limit the body is read and judged: a 400 naming the unknown field
        const under = await call(target.url, 'POST', route, {
          text: `{"x":"${'a'.repeat(BODY_LIMIT - 100)}"}`,
        });
        assert.equal(under.status, 400, `${target.name} under the limit → ${under.status}`);
      }
    });

    it('routes with their own limit keep it (a strategy: 256 KiB)', async () => {
      const answer = await call(backend.url, 'PUT', `/api/v1/strategies/${FUZZ_STRATEGY}`, {
        text: `${STRATEGY_YAML}# ${'x'.repeat(300 * 1024)}\n`,
        type: 'text/yaml',
      });
      assert.equal(answer.status, 413, answer.text);
      assert.equal(errorOf(answer).code, 'PAYLOAD_TOO_LARGE');
      assert.match(errorOf(answer).message, /^body: is larger than the 262144-byte limit/);
      assert.equal(await health(targets[0]!), 200);
    });
  });

  it('nothing was written outside the data dirs', () => {
    const outside = filesBelow(dir.path).filter(
      (f) => !/^(data|worker-backend\/data|worker-cache)\//.test(f),
    );
    assert.deepEqual(outside, []);
    for (let at = dir.path; at !== dirname(at); at = dirname(at)) {
      const escaped = readdirSync(dirname(at)).filter((f) => f.includes('escape-marker'));
      assert.deepEqual(escaped, [], `nothing escaped into ${dirname(at)}`);
    }
    for (const file of ['/etc/passwd.yaml', '/etc/passwd.json', '/etc/passwd.csv'])
      assert.ok(!existsSync(file), `${file} was not written`);
  });
});
