import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ApiError, BackendClient, type Operation } from '@ktrdr/shared';
import {
  REPO_ROOT,
  spawnService,
  startBackendProcess,
  startWorkerProcess,
  tempDir,
  waitFor,
  type BackendProcess,
  type ServiceProcess,
  type WorkerProcess,
} from '@ktrdr/testkit';
import { startTwsSimulator, type TwsSimulator } from '@ktrdr/testkit/tws-simulator';

const TOKEN = 'ib-test-token-0123456789abcdef';
const HOUR = 3_600_000;

/**
 * The whole data path with real processes: the TWS simulator (a real TCP "gateway"), the
 * `ktrdr-ib-host` process speaking to it through @stoqey/ib, a `ktrdr-backend` process that
 * drives `data_load` operations through the host service, and a worker that backtests the
 * downloaded series.
 */
describe('downloads from IB through the backend and the IB host service (real processes)', () => {
  const dir = tempDir('ktrdr-ib-');
  let sim: TwsSimulator;
  let host: ServiceProcess;
  let backend: BackendProcess;
  let worker: WorkerProcess;
  let client: BackendClient;

  before(async () => {
    sim = await startTwsSimulator({ seed: 7 });
    const started = await spawnService(
      `${REPO_ROOT}apps/ib-host/dist/bin.js`,
      [],
      {
        KTRDR_CLUSTER_TOKEN: TOKEN,
        KTRDR_IB_HOST_PORT: '0',
        IB_GATEWAY_HOST: '127.0.0.1',
        IB_GATEWAY_PORT: String(sim.port),
        IB_CLIENT_ID: '21',
      },
      /ktrdr-ib-host listening on (http:\/\/\S+)/,
    );
    host = started.proc;
    const hostUrl = started.match[1] as string;
    backend = await startBackendProcess({
      dataDir: `${dir.path}/data`,
      port: 0,
      token: TOKEN,
      env: { USE_IB_HOST_SERVICE: 'true', IB_HOST_SERVICE_URL: hostUrl },
    });
    client = new BackendClient({ baseUrl: backend.url, token: TOKEN });
    worker = await startWorkerProcess({
      backendUrl: backend.url,
      token: TOKEN,
      cacheDir: `${dir.path}/worker`,
    });
    await waitFor('IB connected', async () => (await client.ibStatus()).gateway?.connected);
  });

  after(async () => {
    await worker?.stop('SIGKILL');
    await backend?.stop('SIGTERM');
    await host?.stop('SIGTERM');
    await sim?.close();
    dir.remove();
  });

  const until = (id: string, done: (op: Operation) => boolean, what: string, timeoutMs = 60_000) =>
    waitFor(
      what,
      async () => {
        const op = await client.getOperation(id);
        return done(op) ? op : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );

  it('downloads two years of 1h bars in month-long chunks, paced, equal to what the gateway served', async () => {
    sim.clearRequests();
    const started = await client.startDataDownload({
      symbol: 'AAPL',
      timeframe: '1h',
      start_date: '2024-11-01',
      end_date: '2026-10-31',
    });
    const op = await until(started.operation_id, (o) => o.status !== 'running', 'download ended');
    assert.equal(op.status, 'completed', op.error_message ?? '');
    assert.equal(op.operation_type, 'data_load');
    assert.equal(op.metadata.chunks, 25);
    const result = await client.getDataLoadResult(op.operation_id);
    assert.equal(result.chunks, 25);

    const expected = sim.expectedBars(
      'AAPL',
      HOUR,
      Date.parse('2024-11-01T00:00:00Z'),
      Date.parse('2026-11-01T00:00:00Z'),
    );
    const stored = (await client.getSeries('AAPL', '1h')).bars;
    assert.equal(stored.time.length, expected.length);
    assert.deepEqual(
      stored.time.slice(0, 3),
      expected.slice(0, 3).map((b) => b.startMs),
    );
    for (const i of [0, 1000, expected.length - 1]) {
      const bar = expected[i]!;
      assert.equal(stored.time[i], bar.startMs);
      assert.equal(stored.close[i], bar.close);
      assert.equal(stored.volume[i], bar.volume);
    }
    assert.equal(result.bars_stored, expected.length);
    assert.equal(result.gaps, 0, 'the simulator serves every weekday hour');

    // pacing: never more than 5 requests for one contract within 2 s
    const times = sim.requestsOf('historical').map((r) => r.receivedAtMs);
    assert.equal(times.length, result.ib_requests);
    for (let i = 5; i < times.length; i++) {
      assert.ok(times[i]! - times[i - 5]! >= 2000, `request ${i} within 2 s of request ${i - 5}`);
    }
  });

  it('a cancelled download keeps whole chunks only: the series is cleanly extended, never half a chunk', async () => {
    sim.clearRequests();
    const started = await client.startDataDownload({
      symbol: 'MSFT',
      timeframe: '1h',
      start_date: '2025-01-01',
      end_date: '2025-12-31',
    });
    await waitFor('3 chunks requested', () => sim.requestsOf('historical').length >= 3);
    sim.stallNext('historical', 50); // the next request hangs: the download waits mid-chunk
    await waitFor('a request left hanging', () => sim.requestsOf('historical').length >= 4);
    const cancelled = await client.cancelOperation(started.operation_id, 'enough');
    sim.clearFaults();
    assert.equal(cancelled.status, 'cancelled');
    const kept = Number(/(\d+) of (\d+) chunks stored/.exec(cancelled.error_message ?? '')?.[1]);
    assert.ok(kept >= 2 && kept < 12, cancelled.error_message ?? '');
    const chunkEnd = Date.parse('2025-01-01T00:00:00Z') + kept * 30 * 86_400_000;
    const expected = sim.expectedBars('MSFT', HOUR, Date.parse('2025-01-01T00:00:00Z'), chunkEnd);
    const stored = (await client.getSeries('MSFT', '1h')).bars;
    assert.equal(stored.time.length, expected.length, 'exactly the whole chunks received');
    assert.equal(stored.time.at(-1), expected.at(-1)?.startMs);
  });

  it('the gateway dropping the connection mid-download: the host reconnects and the download completes', async () => {
    sim.clearRequests();
    const before = sim.connectionsAccepted;
    sim.dropConnectionOnNext('historical');
    const started = await client.startDataDownload({
      symbol: 'SPY',
      timeframe: '1h',
      start_date: '2025-01-01',
      end_date: '2025-06-30',
    });
    const op = await until(started.operation_id, (o) => o.status !== 'running', 'download ended');
    assert.equal(op.status, 'completed', op.error_message ?? '');
    assert.ok(sim.connectionsAccepted > before, 'a new connection was made');
    const expected = sim.expectedBars(
      'SPY',
      HOUR,
      Date.parse('2025-01-01T00:00:00Z'),
      Date.parse('2025-07-01T00:00:00Z'),
    );
    assert.equal((await client.getSeries('SPY', '1h')).bars.time.length, expected.length);
  });

  it('a chunk IB has no data for ends empty, without a retry loop', async () => {
    sim.clearRequests();
    sim.failNext({
      request: 'historical',
      error: 162,
      message:
        'Historical Market Data Service error message:HMDS query returned no data: AAPL@SMART Trades',
    });
    const started = await client.startDataDownload({
      symbol: 'AAPL',
      timeframe: '1d',
      start_date: '2021-01-01',
      end_date: '2023-12-31', // three years of 365 days: three 1 Y requests
      mode: 'full',
    });
    const op = await until(started.operation_id, (o) => o.status !== 'running', 'download ended');
    assert.equal(op.status, 'completed', op.error_message ?? '');
    const result = await client.getDataLoadResult(op.operation_id);
    assert.equal(result.chunks, 3);
    assert.equal(result.empty_chunks, 1);
    assert.equal(sim.requestsOf('historical').length, 3, 'one request per chunk, none repeated');
  });

  it('an unknown symbol is refused at once, naming it, and no operation is created', async () => {
    const count = (await client.listOperations()).total_count;
    await assert.rejects(
      client.startDataDownload({
        symbol: 'NOSUCH',
        timeframe: '1h',
        start_date: '2025-01-01',
        end_date: '2025-01-31',
      }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status === 400 &&
        /^symbol: .*unknown symbol "NOSUCH"/.test(e.message),
    );
    assert.equal((await client.listOperations()).total_count, count);
    await assert.rejects(
      client.ibValidate({ symbol: 'NOSUCH' }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && /NOSUCH/.test(e.message),
    );
    const aapl = await client.ibValidate({ symbol: 'AAPL' });
    assert.equal(aapl.currency, 'USD');
  });

  it('the ktrdr CLI downloads with a live follow, and names an unknown symbol', async () => {
    // asynchronously: the simulator answers from this very process
    const cli = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [`${REPO_ROOT}apps/cli/dist/bin.js`, ...args],
          {
            encoding: 'utf8',
            env: {
              PATH: process.env.PATH ?? '',
              KTRDR_BACKEND_URL: backend.url,
              KTRDR_CLUSTER_TOKEN: TOKEN,
            },
          },
          (error, stdout, stderr) =>
            resolve({ status: error ? (error.code as number) : 0, stdout, stderr }),
        );
      });
    const unknown = await cli([
      'data',
      'download',
      'NOSUCH',
      '--timeframe',
      '1d',
      '--start',
      '2025-01-01',
      '--end',
      '2025-03-31',
    ]);
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /^ktrdr: symbol: .*unknown symbol "NOSUCH"/m);
    const run = await cli([
      'data',
      'download',
      'MSFT',
      '--timeframe',
      '1d',
      '--start',
      '2020-01-01',
      '--end',
      '2020-12-30',
      '--follow',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^✔ op_data_load_\S+ completed/m);
    assert.match(run.stdout, /bars downloaded\s+26\d\b/, 'the weekdays of 2020');
    assert.match(run.stdout, /gaps\s+0$/m);
    assert.match(run.stderr, /\[100\.0%\]|chunk 1\/1/);
  });

  it('a backtest runs on the downloaded series', async () => {
    const started = await client.startBacktest({
      strategy_name: 'sma_crossover',
      symbol: 'AAPL',
      timeframe: '1h',
      start_date: '2024-11-01',
      end_date: '2026-10-31',
    });
    const op = await until(
      started.operation_id,
      (o) => o.status !== 'running' && o.status !== 'pending',
      'backtest ended',
    );
    assert.equal(op.status, 'completed', op.error_message ?? '');
    const result = await client.getBacktestResult(op.operation_id);
    assert.ok(result.metrics.total_trades > 0);
  });
});
