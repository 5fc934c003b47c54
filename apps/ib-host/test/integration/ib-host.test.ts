// The IB host service against the TWS simulator: real TCP to a simulated gateway, real
// Fastify on a loopback port, real HTTP through the typed client.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiError, IbHostClient, type IbGatewayState } from '@ktrdr/shared';
import { freePort, waitFor } from '@ktrdr/testkit';
import { loadIbHostConfig, type IbHostConfig } from '../../src/config.js';
import { startIbHost, type IbHostHandle } from '../../src/ib-host.js';
import { IB_PACING_RULES } from '../../src/pacing/pacer.js';
import { startTwsSimulator, type TwsSimulator } from '@ktrdr/testkit/tws-simulator';

const TOKEN = 'ib-host-test-token';
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 2024-01-15 12:30 UTC for both sides: the 12:00 bar is still forming. */
const NOW_MS = Date.UTC(2024, 0, 15, 12, 30);
const iso = (ms: number) => new Date(ms).toISOString();

/** A service config for tests: quick waits, IB's pacing rules shrunk to milliseconds. */
function testConfig(gatewayPort: number, overrides: Partial<IbHostConfig> = {}): IbHostConfig {
  return {
    ...loadIbHostConfig({
      KTRDR_CLUSTER_TOKEN: TOKEN,
      KTRDR_IB_HOST_PORT: '0',
      IB_GATEWAY_PORT: String(gatewayPort),
      KTRDR_LOG_LEVEL: 'silent',
    }),
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
    reconnectInitialMs: 20,
    reconnectMaxMs: 200,
    connectTimeoutMs: 2000,
    heartbeatMs: 0,
    now: () => NOW_MS,
    ...overrides,
  };
}

const clientOf = (host: IbHostHandle) => new IbHostClient({ baseUrl: host.url, token: TOKEN });

const stateIs = (host: IbHostHandle, state: IbGatewayState['state']) =>
  waitFor(`gateway ${state}`, () => host.gatewayState().state === state, { timeoutMs: 5000 });

/** Rejects with an ApiError of this status whose message matches. */
async function rejectsWithStatus(promise: Promise<unknown>, status: number, message: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, status, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('IB host service against the TWS simulator', () => {
  let sim: TwsSimulator;
  let host: IbHostHandle;
  let client: IbHostClient;

  before(async () => {
    sim = await startTwsSimulator({ seed: 42, now: () => NOW_MS });
    host = await startIbHost(testConfig(sim.port));
    client = clientOf(host);
    await stateIs(host, 'connected');
  });

  after(async () => {
    await host?.close();
    await sim?.close();
  });

  it('reports the gateway connected with its server version, openly; everything else needs the token', async () => {
    const health = await new IbHostClient({ baseUrl: host.url }).health();
    assert.equal(health.status, 'ok');
    assert.equal(health.service, 'ib-host');
    assert.equal(health.gateway.state, 'connected');
    assert.equal(health.gateway.connected, true);
    assert.equal(health.gateway.server_version, 193);
    assert.equal(health.gateway.client_id, 17);
    assert.equal(health.gateway.port, sim.port);

    for (const route of host.routeTable.filter((r) => !r.public)) {
      const response = await fetch(`${host.url}${route.url.replace(/\*$/, 'json')}`, {
        method: route.method,
      });
      assert.equal(response.status, 401, `${route.method} ${route.url}`);
    }
    assert.deepEqual(
      host.routeTable.filter((r) => r.public).map((r) => r.url),
      ['/health', '/health'],
    );
    const docs = await client.http.request<{ paths: Record<string, unknown> }>('GET', '/docs/json');
    for (const path of [
      '/api/v1/data/historical',
      '/api/v1/data/validate',
      '/api/v1/data/head-timestamp',
    ]) {
      assert.ok(path in docs.paths, path);
    }
  });

  it('serves two years of 1h bars in 25 requests, equal to what the gateway generates, without the forming bar', async () => {
    sim.clearRequests();
    const start = NOW_MS - 730 * DAY;
    const answer = await client.historical({
      symbol: 'AAPL',
      timeframe: '1h',
      start: iso(start),
      end: iso(NOW_MS),
    });
    assert.equal(answer.requests.length, 25);
    assert.equal(sim.requestsOf('historical').length, 25);
    assert.ok(answer.requests.every((r) => r.outcome === 'bars' && r.retries === 0));
    assert.deepEqual(
      sim
        .requestsOf('historical')
        .map((r) => [r.params.whatToShow, r.params.formatDate, r.params.barSize]),
      Array.from({ length: 25 }, () => ['TRADES', 2, '1 hour']),
    );
    assert.equal(sim.requestsOf('historical')[0]?.params.contract.secType, 'STK');

    const expected = sim
      .expectedBars('AAPL', HOUR, start, NOW_MS)
      .filter((b) => b.startMs + HOUR <= NOW_MS);
    assert.equal(answer.time.length, expected.length);
    assert.deepEqual(
      answer.time,
      expected.map((b) => b.startMs),
    );
    assert.deepEqual(
      answer.close,
      expected.map((b) => b.close),
    );
    assert.deepEqual(
      answer.volume,
      expected.map((b) => b.volume),
    );
    for (let i = 1; i < answer.time.length; i++) assert.ok(answer.time[i]! > answer.time[i - 1]!);
    assert.equal(answer.dropped_forming_bar, true);
    assert.equal(answer.time.at(-1), Date.UTC(2024, 0, 15, 11));
  });

  it('validates a stock, a forex pair and a future, and tells the head timestamp', async () => {
    const aapl = await client.validate({ symbol: 'AAPL' });
    assert.equal(aapl.con_id, 265598);
    assert.equal(aapl.instrument_type, 'stock');
    assert.equal(aapl.time_zone, 'US/Eastern');
    assert.equal(aapl.long_name, 'APPLE INC');
    assert.match(aapl.trading_hours ?? '', /^20240115:0400-20240115:2000/);
    assert.match(aapl.liquid_hours ?? '', /20240115:0930-20240115:1600/);

    const eur = await client.validate({ symbol: 'EURUSD', instrument_type: 'forex' });
    assert.equal(eur.symbol, 'EURUSD');
    assert.equal(eur.sec_type, 'CASH');
    assert.equal(eur.exchange, 'IDEALPRO');
    assert.equal(eur.currency, 'USD');
    assert.equal(eur.local_symbol, 'EUR.USD');

    const es = await client.validate({ symbol: 'ES', instrument_type: 'future' });
    assert.equal(es.instrument_type, 'future');
    assert.equal(es.sec_type, 'FUT');
    assert.equal(es.exchange, 'CME');
    assert.equal(es.local_symbol, 'ESH4');

    assert.deepEqual(await client.headTimestamp('AAPL'), {
      symbol: 'AAPL',
      head_timestamp: '1980-12-12T00:00:00.000Z',
    });
    assert.equal(
      (await client.headTimestamp('EUR.USD', 'forex')).head_timestamp,
      '2005-01-03T00:00:00.000Z',
    );
  });

  it('asks forex for MIDPOINT (no volume) and a future for its front month', async () => {
    sim.clearRequests();
    const eur = await client.historical({
      symbol: 'EURUSD',
      instrument_type: 'forex',
      timeframe: '4h',
      start: '2024-01-08T00:00:00Z',
      end: '2024-01-12T23:59:59Z',
    });
    assert.equal(eur.time.length, 5 * 6);
    assert.ok(eur.volume.every((v) => v === 0));
    assert.equal(sim.requestsOf('historical')[0]?.params.whatToShow, 'MIDPOINT');

    const es = await client.historical({
      symbol: 'ES',
      instrument_type: 'future',
      timeframe: '1d',
      start: '2024-01-01',
      end: '2024-01-12',
    });
    assert.equal(es.time.length, 10);
    const sent = sim.requestsOf('historical').at(-1)?.params.contract;
    assert.equal(sent?.conId, 495512551);
  });

  it('answers an unknown symbol with a 400 naming it', async () => {
    await rejectsWithStatus(
      client.validate({ symbol: 'XYZ' }),
      400,
      /^symbol: unknown symbol "XYZ" at IB \(error 200: No security definition has been found for the request\); check the symbol and instrument_type$/,
    );
    await rejectsWithStatus(
      client.historical({ symbol: 'XYZ', timeframe: '1h', start: '2024-01-08', end: '2024-01-09' }),
      400,
      /unknown symbol "XYZ"/,
    );
    await rejectsWithStatus(client.headTimestamp('XYZ'), 400, /unknown symbol "XYZ"/);
    await rejectsWithStatus(
      client.historical({
        symbol: 'AAPL',
        timeframe: '1h',
        start: '2024-01-09',
        end: '2024-01-08',
      }),
      400,
      /^end: must not be before start/,
    );
  });

  it('takes a 162 "no data" as an empty request, never retried', async () => {
    sim.clearRequests();
    sim.failNext({
      request: 'historical',
      error: 162,
      message:
        'Historical Market Data Service error message:HMDS query returned no data: AAPL@SMART Trades',
    });
    const answer = await client.historical({
      symbol: 'AAPL',
      timeframe: '1h',
      start: iso(NOW_MS - 90 * DAY),
      end: iso(NOW_MS - 1),
    });
    assert.equal(answer.requests.length, 3);
    assert.equal(sim.requestsOf('historical').length, 3, 'one IB request per chunk, none repeated');
    const empty = answer.requests.filter((r) => r.outcome === 'no_data');
    assert.equal(empty.length, 1);
    assert.equal(empty[0]?.bars, 0);
    assert.equal(empty[0]?.retries, 0);
    assert.ok(answer.time.length > 0);
  });

  it('backs off on a pacing violation and retries the same request once', async () => {
    sim.clearRequests();
    sim.failNextWithPacingViolation();
    const answer = await client.historical({
      symbol: 'MSFT',
      timeframe: '1h',
      start: '2024-01-08T00:00:00Z',
      end: '2024-01-09T23:59:59Z',
    });
    assert.equal(answer.requests.length, 1);
    assert.equal(answer.requests[0]?.retries, 1);
    assert.equal(answer.requests[0]?.outcome, 'bars');
    assert.equal(answer.time.length, 48);
    const sent = sim.requestsOf('historical');
    assert.equal(sent.length, 2);
    assert.equal(sent[0]?.params.endDateTime, sent[1]?.params.endDateTime);
    assert.equal(sent[0]?.params.endDateTime, '20240110-00:00:00');
  });

  it('stops what is queued and in flight when the HTTP caller goes away', async () => {
    sim.clearRequests();
    sim.stallNext('historical', 100);
    const caller = new AbortController();
    const download = client.historical(
      { symbol: 'SPY', timeframe: '1h', start: iso(NOW_MS - 730 * DAY), end: iso(NOW_MS) },
      { signal: caller.signal },
    );
    await waitFor('requests in flight', () => sim.requestsOf('historical').length >= 5);
    caller.abort();
    await assert.rejects(download);
    await waitFor('cancels sent', () => sim.requestsOf('cancelHistorical').length === 5);
    const sent = sim.requestsOf('historical').length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sim.requestsOf('historical').length, sent, 'nothing more was sent');
    assert.equal(sent, 5, 'only the requests in flight had gone');
    sim.clearFaults();
  });

  it('reconnects when the gateway drops the connection mid-answer, and the request still succeeds', async () => {
    sim.clearRequests();
    const accepted = sim.connectionsAccepted;
    sim.dropConnectionOnNext('historical', { partialAnswer: true });
    const answer = await client.historical({
      symbol: 'AAPL',
      timeframe: '1h',
      start: '2024-01-08T00:00:00Z',
      end: '2024-01-08T23:59:59Z',
    });
    assert.equal(answer.time.length, 24);
    assert.equal(sim.connectionsAccepted, accepted + 1);
    assert.equal(sim.requestsOf('historical').length, 2);
    assert.equal(host.gatewayState().state, 'connected');
    assert.equal((await client.validate({ symbol: 'MSFT' })).con_id, 272093);
  });

  it('pauses on 1100 (requests wait) and goes on after 1102', async () => {
    sim.sendSystemMessage(1100);
    await stateIs(host, 'paused');
    const health = await client.health();
    assert.equal(health.gateway.connected, true);
    assert.equal(health.gateway.last_error?.code, 1100);
    let settled = false;
    const waiting = client.validate({ symbol: 'SPY' }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(settled, false, 'held while IB is away');
    sim.sendSystemMessage(1102);
    assert.equal((await waiting).con_id, 756733);
    assert.equal(host.gatewayState().state, 'connected');
    assert.equal(sim.connections, 1, 'the connection was kept throughout');
  });

  it('sends a request in flight again when IB comes back with data lost (1101)', async () => {
    sim.clearRequests();
    sim.stallNext('historical');
    const download = client.historical({
      symbol: 'AAPL',
      timeframe: '1h',
      start: '2024-01-09T00:00:00Z',
      end: '2024-01-09T23:59:59Z',
    });
    await waitFor('request in flight', () => sim.requestsOf('historical').length === 1);
    sim.sendSystemMessage(1100);
    await stateIs(host, 'paused');
    sim.sendSystemMessage(1101);
    const answer = await download;
    assert.equal(answer.time.length, 24);
    assert.equal(sim.requestsOf('historical').length, 2, 'sent once more after 1101');
    assert.equal(host.gatewayState().state, 'connected');
  });
});

describe('IB host service and the gateway’s own troubles', () => {
  it('moves to the next client id when IB says the id is in use (326)', async () => {
    const sim = await startTwsSimulator({ now: () => NOW_MS });
    sim.rejectClientId(40);
    const host = await startIbHost(
      testConfig(sim.port, { gateway: { host: '127.0.0.1', port: sim.port, clientId: 40 } }),
    );
    try {
      await stateIs(host, 'connected');
      assert.equal(host.gatewayState().client_id, 41);
      assert.equal(host.gatewayState().last_error?.code, 326);
      assert.deepEqual(
        sim.requestsOf('startApi').map((r) => r.params.clientId),
        [40, 41],
      );
    } finally {
      await host.close();
      await sim.close();
    }
  });

  it('without a gateway: /health says disconnected with the last error, requests get a quick 503, then it connects once one starts', async () => {
    const port = await freePort();
    const host = await startIbHost(testConfig(port, { connectWaitMs: 300 }));
    let sim: TwsSimulator | undefined;
    try {
      const client = clientOf(host);
      await waitFor('a failed attempt', () => host.gatewayState().last_error);
      const health = await client.health();
      assert.equal(health.gateway.state, 'disconnected');
      assert.equal(health.gateway.connected, false);
      assert.equal(health.gateway.server_version, null);
      assert.equal(health.gateway.last_error?.code, 502);
      assert.match(health.gateway.last_error?.message ?? '', /ECONNREFUSED/);

      const startedAt = Date.now();
      await assert.rejects(client.validate({ symbol: 'AAPL' }), (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.status, 503);
        assert.match(error.message, new RegExp(`not connected at 127\\.0\\.0\\.1:${port}`));
        assert.match(error.message, /Enable ActiveX and Socket Clients/);
        return true;
      });
      assert.ok(Date.now() - startedAt < 2000, 'answered within the configured wait');
      await rejectsWithStatus(
        client.historical({
          symbol: 'AAPL',
          timeframe: '1h',
          start: '2024-01-08',
          end: '2024-01-09',
        }),
        503,
        /not connected/,
      );

      sim = await startTwsSimulator({ port, now: () => NOW_MS });
      await stateIs(host, 'connected');
      assert.equal((await client.validate({ symbol: 'AAPL' })).con_id, 265598);
    } finally {
      await host.close();
      await sim?.close();
    }
  });

  it('drops and reconnects a gateway that stops answering (heartbeat)', async () => {
    const sim = await startTwsSimulator({ now: () => NOW_MS });
    const host = await startIbHost(testConfig(sim.port, { heartbeatMs: 100 }));
    try {
      await stateIs(host, 'connected');
      sim.stallNext('currentTime');
      await waitFor('a second connection', () => sim.connectionsAccepted === 2);
      await stateIs(host, 'connected');
      assert.match(host.gatewayState().last_error?.message ?? '', /stopped answering/);
    } finally {
      await host.close();
      await sim.close();
    }
  });

  it('gives up a connection whose handshake never completes, closes it, and tries again', async () => {
    const sockets = new Set<Socket>();
    let accepted = 0;
    const silent = createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.resume(); // read (and drop) what the client sends, so its close is seen
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const host = await startIbHost(testConfig(port, { connectTimeoutMs: 150 }));
    try {
      await waitFor('a second attempt', () => accepted >= 2);
      assert.ok(sockets.size <= 1, 'the abandoned connection was closed');
      assert.match(host.gatewayState().last_error?.message ?? '', /no API handshake/);
      assert.equal(host.gatewayState().connected, false);
      await host.close();
      await waitFor('every connection closed', () => sockets.size === 0, { timeoutMs: 2000 });
    } finally {
      await host.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
