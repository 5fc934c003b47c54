// The TWS simulator against the real @stoqey/ib client over TCP: if these pass, the
// simulator speaks the protocol the way the client expects TWS to, and the IB host
// service can be tested against it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BarSizeSetting,
  ConnectionState,
  EventName,
  IBApi,
  IBApiNext,
  IBApiNextError,
  LogLevel,
  SecType,
  WhatToShow,
  type Bar,
  type Contract,
  type Logger,
} from '@stoqey/ib';
import {
  BarGenerator,
  DEFAULT_SERVER_VERSION,
  startTwsSimulator,
  TwsErrorCode,
  TwsErrorText,
  type TwsSimulator,
} from '@ktrdr/testkit/tws-simulator';

/** The simulator's clock: Monday 2024-01-15 12:00 UTC, so ranges and the ES expiry are fixed. */
const NOW_MS = Date.UTC(2024, 0, 15, 12);
const WAIT_MS = 3_000;

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

/** Fails instead of hanging when a promise does not settle in time. */
async function within<T>(promise: Promise<T>, label: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `check` is true, polling every few milliseconds. */
async function until(check: () => boolean, label: string): Promise<void> {
  await within(
    (async () => {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    label,
  );
}

/** A client of the simulator, with what it logged and the errors it saw. */
interface NextClient {
  ib: IBApiNext;
  logs: string[];
  errors: IBApiNextError[];
  states: ConnectionState[];
}

function loggerInto(logs: string[]): Logger {
  const write = (tag: string, ...args: unknown[]) => logs.push([tag, ...args].join(' '));
  return { info: write, warn: write, error: write, debug: () => undefined };
}

/** Connects an IBApiNext client and resolves once its connection state is Connected. */
async function connectNext(sim: TwsSimulator, clientId: number): Promise<NextClient> {
  const client = createNext(sim);
  client.ib.connect(clientId);
  await until(() => client.states.includes(ConnectionState.Connected), 'client connected');
  return client;
}

function createNext(sim: TwsSimulator): NextClient {
  const logs: string[] = [];
  const errors: IBApiNextError[] = [];
  const states: ConnectionState[] = [];
  const ib = new IBApiNext({ host: sim.host, port: sim.port, logger: loggerInto(logs) });
  // TWS notices (id -1, e.g. 326) reach IBApiNext users only as info log lines.
  ib.logLevel = LogLevel.INFO;
  ib.error.subscribe((error) => errors.push(error));
  ib.connectionState.subscribe((state) => states.push(state));
  return { ib, logs, errors, states };
}

/** The client never saw a message it could not decode: the simulator wrote every field right. */
function assertNoDecodingErrors(client: NextClient): void {
  const decoding = client.errors.filter((error) =>
    /Decoding error|Underrun|No parser/.test(error.message),
  );
  assert.deepEqual(decoding, []);
}

/** What a request is expected to fail with: its code and text. */
async function rejectsWith(promise: Promise<unknown>, code: number, message: string | RegExp) {
  await within(
    assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof IBApiNextError, `not an IBApiNextError: ${String(error)}`);
      assert.equal(error.code, code);
      if (typeof message === 'string') assert.equal(error.error.message, message);
      else assert.match(error.error.message, message);
      return true;
    }),
    `error ${code}`,
  );
}

const dates = (bars: readonly Bar[]) => bars.map((bar) => bar.time);

describe('TWS simulator with the @stoqey/ib client', () => {
  let sim: TwsSimulator;
  let client: NextClient;

  before(async () => {
    sim = await startTwsSimulator({ seed: 42, now: () => NOW_MS });
    client = await connectNext(sim, 11);
  });

  after(async () => {
    client.ib.disconnect();
    await sim.close();
  });

  it('does the handshake: server version, START_API, accounts, nextValidId, farm notices', async () => {
    const api = new IBApi({ host: sim.host, port: sim.port });
    const seen: { server?: number; nextValidId?: number; accounts?: string; notices: number[] } = {
      notices: [],
    };
    api.on(EventName.server, (version: number) => (seen.server = version));
    api.on(EventName.nextValidId, (orderId: number) => (seen.nextValidId = orderId));
    api.on(EventName.managedAccounts, (accounts: string) => (seen.accounts = accounts));
    api.on(EventName.info, (_message: string, code: number) => seen.notices.push(code));
    try {
      api.connect(21);
      await until(() => seen.nextValidId !== undefined && seen.notices.length === 3, 'nextValidId');
      assert.equal(seen.server, DEFAULT_SERVER_VERSION);
      assert.equal(seen.nextValidId, 1);
      assert.equal(seen.accounts, 'DU1234567');
      assert.deepEqual(seen.notices, [2104, 2106, 2158]);
      assert.equal(api.isConnected, true);
      const fromThisClient = sim.requests.filter((r) => r.connectionId === sim.connectionsAccepted);
      assert.deepEqual(fromThisClient[0]?.params, {
        type: 'startApi',
        clientId: 21,
        optionalCapabilities: '',
      });
    } finally {
      api.disconnect();
    }
    // IBApiNext reached Connected in `before`, and answers id, accounts and time requests.
    assert.equal(await within(client.ib.getNextValidOrderId(), 'next order id'), 1);
    assert.deepEqual(await within(client.ib.getManagedAccounts(), 'accounts'), ['DU1234567']);
    assert.equal(await within(client.ib.getCurrentTime(), 'current time'), NOW_MS / 1000);
  });

  it('serves daily bars for a range, skipping weekends, the same every time', async () => {
    const request = () =>
      client.ib.getHistoricalData(
        AAPL,
        '20240112 23:59:59 UTC',
        '2 W',
        BarSizeSetting.DAYS_ONE,
        WhatToShow.TRADES,
        1,
        1,
      );
    const bars = await within(request(), 'daily bars');
    assert.deepEqual(dates(bars), [
      '20240101',
      '20240102',
      '20240103',
      '20240104',
      '20240105',
      '20240108',
      '20240109',
      '20240110',
      '20240111',
      '20240112',
    ]);
    for (const bar of bars) {
      assert.ok(
        bar.high! >= Math.max(bar.open!, bar.close!) && bar.low! <= Math.min(bar.open!, bar.close!),
      );
      assert.ok(bar.volume! > 0 && bar.count! > 0 && bar.WAP! > 0);
    }
    assert.deepEqual(await within(request(), 'daily bars again'), bars);
    const logged = sim.requestsOf('historical');
    assert.equal(logged.length, 2);
    assert.deepEqual(
      logged.map(({ params }) => [params.barSize, params.duration, params.endDateTime]),
      [
        ['1 day', '2 W', '20240112 23:59:59 UTC'],
        ['1 day', '2 W', '20240112 23:59:59 UTC'],
      ],
    );
  });

  it('serves 1-hour bars in epoch seconds, consistent across chunkings and with a weekend gap', async () => {
    const hourly = (end: string, duration: string) =>
      within(
        client.ib.getHistoricalData(
          AAPL,
          end,
          duration,
          BarSizeSetting.HOURS_ONE,
          WhatToShow.TRADES,
          0,
          2,
        ),
        `hourly bars to ${end}`,
      );
    const twoDays = await hourly('20240110 00:00:00 UTC', '2 D');
    assert.equal(twoDays.length, 48);
    assert.equal(twoDays[0]!.time, String(Date.UTC(2024, 0, 8) / 1000));
    assert.equal(twoDays[47]!.time, String(Date.UTC(2024, 0, 9, 23) / 1000));
    const firstDay = await hourly('20240109-00:00:00', '1 D');
    const secondDay = await hourly('20240110 00:00:00 UTC', '1 D');
    assert.deepEqual([...firstDay, ...secondDay], twoDays);
    // Friday to Monday: Saturday and Sunday have no bars, so a caller sees a gap.
    const overWeekend = await hourly('20240108 00:00:00 UTC', '3 D');
    assert.equal(overWeekend.length, 24);
    assert.ok(overWeekend.every((bar) => new Date(Number(bar.time) * 1000).getUTCDay() === 5));
    assertNoDecodingErrors(client);
  });

  it('answers contract details for a stock, a forex pair and a future', async () => {
    const [stock] = await within(client.ib.getContractDetails(AAPL), 'AAPL details');
    assert.equal(stock?.contract.conId, 265598);
    assert.equal(stock?.contract.secType, 'STK');
    assert.equal(stock?.contract.exchange, 'SMART');
    assert.equal(stock?.timeZoneId, 'US/Eastern');
    assert.match(stock?.tradingHours ?? '', /^20240115:0400-20240115:2000;/);
    assert.match(stock?.liquidHours ?? '', /20240120:CLOSED/);

    const forexDetails = await within(
      client.ib.getContractDetails({
        symbol: 'EUR',
        secType: SecType.CASH,
        exchange: 'IDEALPRO',
        currency: 'USD',
      }),
      'EUR.USD details',
    );
    assert.equal(forexDetails.length, 1);
    assert.equal(forexDetails[0]?.contract.localSymbol, 'EUR.USD');
    assert.equal(forexDetails[0]?.contract.secType, 'CASH');

    const [future] = await within(
      client.ib.getContractDetails({
        symbol: 'ES',
        secType: SecType.FUT,
        exchange: 'CME',
        currency: 'USD',
      }),
      'ES details',
    );
    assert.equal(future?.contract.secType, 'FUT');
    assert.equal(future?.contract.exchange, 'CME');
    assert.equal(future?.contract.multiplier, 50);
    assert.equal(future?.contract.lastTradeDateOrContractMonth, '20240315');
    assert.equal(future?.contract.localSymbol, 'ESH4');
    assert.equal(future?.timeZoneId, 'US/Central');
    assertNoDecodingErrors(client);
  });

  it('answers an unknown symbol with error 200', async () => {
    const unknown: Contract = {
      symbol: 'NOPE',
      secType: SecType.STK,
      exchange: 'SMART',
      currency: 'USD',
    };
    await rejectsWith(
      client.ib.getContractDetails(unknown),
      200,
      TwsErrorText.noSecurityDefinition,
    );
    await rejectsWith(
      client.ib.getHistoricalData(
        unknown,
        '',
        '1 D',
        BarSizeSetting.HOURS_ONE,
        WhatToShow.TRADES,
        1,
        1,
      ),
      200,
      TwsErrorText.noSecurityDefinition,
    );
  });

  it('answers head timestamp requests in both date formats', async () => {
    assert.equal(
      await within(client.ib.getHeadTimestamp(AAPL, WhatToShow.TRADES, true, 1), 'head timestamp'),
      '19801212-00:00:00',
    );
    assert.equal(
      await within(client.ib.getHeadTimestamp(AAPL, WhatToShow.TRADES, false, 2), 'head timestamp'),
      String(Date.UTC(1980, 11, 12) / 1000),
    );
  });

  it('delivers scripted 162 errors: no data, and a pacing violation', async () => {
    const noData = TwsErrorText.hmdsNoData('AAPL@SMART Trades');
    sim.failNext({ request: 'historical', error: 162, message: noData });
    const daily = () =>
      client.ib.getHistoricalData(
        AAPL,
        '20240112 23:59:59 UTC',
        '1 W',
        BarSizeSetting.DAYS_ONE,
        WhatToShow.TRADES,
        1,
        1,
      );
    await rejectsWith(daily(), 162, noData);
    sim.failNextWithPacingViolation();
    await rejectsWith(
      daily(),
      TwsErrorCode.HISTORICAL_DATA_SERVICE,
      'Historical Market Data Service error message:Historical data request pacing violation',
    );
    // The script is used up: the next request gets its bars.
    assert.equal((await within(daily(), 'bars after the faults')).length, 5);
  });

  it('sees the connection drop when the gateway dies in the middle of an answer', async () => {
    const victim = await connectNext(sim, 12);
    const before = sim.connections;
    sim.dropConnectionOnNext('historical', { partialAnswer: true });
    let settled = false;
    victim.ib
      .getHistoricalData(
        AAPL,
        '20240112 23:59:59 UTC',
        '1 W',
        BarSizeSetting.DAYS_ONE,
        WhatToShow.TRADES,
        1,
        1,
      )
      .then(
        () => (settled = true),
        () => (settled = true),
      );
    await until(
      () => victim.states.at(-1) === ConnectionState.Disconnected,
      'client sees the drop',
    );
    assert.equal(settled, false, 'no bars arrived from the half-sent answer');
    await until(() => sim.connections === before - 1, 'simulator forgot the connection');
    victim.ib.disconnect();
  });

  it('refuses a client id that is in use with error 326 and closes the connection', async () => {
    // IBApiNext: 326 comes with id -1, so it is logged as a TWS notice, then the state drops.
    const duplicate = createNext(sim);
    duplicate.ib.connect(11); // the id of `client`, still connected
    await until(
      () =>
        duplicate.states.at(-1) === ConnectionState.Disconnected &&
        duplicate.states.includes(ConnectionState.Connected),
      '326 disconnect',
    );
    assert.ok(
      duplicate.logs.some((line) => line.includes(`${TwsErrorText.clientIdInUse} - Code: 326`)),
    );
    duplicate.ib.disconnect();

    // IBApi: the same as an info event with code 326, then a disconnected event.
    sim.rejectClientId(31);
    const api = new IBApi({ host: sim.host, port: sim.port });
    const codes: number[] = [];
    let disconnected = false;
    api.on(EventName.info, (_message: string, code: number) => codes.push(code));
    api.on(EventName.disconnected, () => (disconnected = true));
    api.connect(31);
    await until(() => disconnected, 'IBApi disconnected after 326');
    assert.deepEqual(codes, [326]);
    api.disconnect();
  });

  it('sends connectivity notices 1100/1102 with id -1 on demand', async () => {
    const api = new IBApi({ host: sim.host, port: sim.port });
    const notices: Array<[number, string]> = [];
    let ready = false;
    api.on(EventName.nextValidId, () => (ready = true));
    api.on(EventName.info, (message: string, code: number) => notices.push([code, message]));
    try {
      api.connect(41);
      await until(() => ready, 'IBApi ready');
      sim.sendSystemMessage(1100);
      sim.sendSystemMessage(1102);
      await until(() => notices.some(([code]) => code === 1102), 'notice 1102');
      assert.deepEqual(
        notices.filter(([code]) => code >= 1100 && code < 1200).map(([code]) => code),
        [1100, 1102],
      );
      assert.match(
        notices.find(([code]) => code === 1100)![1],
        /Connectivity between IB and Trader Workstation has been lost/,
      );
    } finally {
      api.disconnect();
    }
  });
});

describe('TWS simulator at an older server version (IB Gateway 10.19: 176)', () => {
  it('negotiates 176 and still writes every field the client reads', async () => {
    const sim = await startTwsSimulator({
      serverVersion: 176,
      now: () => NOW_MS,
      farmStatusOnConnect: false,
    });
    const client = await connectNext(sim, 1);
    try {
      const [future] = await within(
        client.ib.getContractDetails({ symbol: 'ES', secType: SecType.FUT, exchange: 'CME' }),
        'ES details',
      );
      assert.equal(future?.contract.lastTradeDateOrContractMonth, '20240315');
      const bars = await within(
        client.ib.getHistoricalData(
          { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' },
          '20240112 23:59:59 UTC',
          '1 W',
          BarSizeSetting.HOURS_FOUR,
          WhatToShow.MIDPOINT,
          0,
          1,
        ),
        'EUR.USD 4-hour bars',
      );
      assert.equal(bars.length, 5 * 6);
      assert.equal(bars[0]!.time, '20240108  00:00:00');
      assert.equal(bars[0]!.volume, undefined, 'MIDPOINT bars carry no volume');
      await rejectsWith(
        client.ib.getContractDetails({ symbol: 'ZZZ', secType: SecType.STK }),
        200,
        TwsErrorText.noSecurityDefinition,
      );
      assertNoDecodingErrors(client);
    } finally {
      client.ib.disconnect();
      await sim.close();
    }
  });
});

describe('TWS simulator options', () => {
  it('enforces IB pacing when asked: an identical request within the window gets 162', async () => {
    const sim = await startTwsSimulator({ now: () => NOW_MS, pacing: true });
    const client = await connectNext(sim, 1);
    try {
      const request = () =>
        client.ib.getHistoricalData(
          AAPL,
          '20240105 23:59:59 UTC',
          '1 D',
          BarSizeSetting.HOURS_ONE,
          WhatToShow.TRADES,
          0,
          2,
        );
      assert.equal((await within(request(), 'first request')).length, 24);
      await rejectsWith(request(), 162, TwsErrorText.pacingViolation);
    } finally {
      client.ib.disconnect();
      await sim.close();
    }
  });

  it('dates intraday bars in the instrument zone and reads zoned end times', async () => {
    const sim = await startTwsSimulator({ now: () => NOW_MS, intradayDateStyle: 'zoned' });
    const client = await connectNext(sim, 1);
    try {
      const bars = await within(
        client.ib.getHistoricalData(
          AAPL,
          '20240105 16:00:00 US/Eastern',
          '3600 S',
          BarSizeSetting.MINUTES_THIRTY,
          WhatToShow.TRADES,
          1,
          1,
        ),
        '30-minute bars',
      );
      assert.deepEqual(dates(bars), [
        '20240105 15:00:00 US/Eastern',
        '20240105 15:30:00 US/Eastern',
      ]);
    } finally {
      client.ib.disconnect();
      await sim.close();
    }
  });

  it('stalls a request on cue and delays answers when asked', async () => {
    const sim = await startTwsSimulator({ now: () => NOW_MS, responseDelayMs: 50 });
    const client = await connectNext(sim, 1);
    try {
      sim.stallNext('headTimestamp');
      let answered = false;
      void client.ib
        .getHeadTimestamp(AAPL, WhatToShow.TRADES, true, 2)
        .then(() => (answered = true));
      const startedAt = Date.now();
      const [details] = await within(client.ib.getContractDetails(AAPL), 'delayed details');
      assert.equal(details?.contract.symbol, 'AAPL');
      assert.ok(Date.now() - startedAt >= 45, 'the answer waited for the delay');
      assert.equal(answered, false);
      assert.equal(sim.requestsOf('headTimestamp').length, 1);
    } finally {
      client.ib.disconnect();
      await sim.close();
    }
  });
});

describe('bar generator', () => {
  const spec = {
    seed: 7,
    symbol: 'MSFT',
    basePrice: 300,
    dailyVolatility: 0.015,
    priceDecimals: 2,
  };
  const week = (generator: BarGenerator, barMs: number) =>
    generator.barsBetween(Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 13), barMs, {
      skipWeekends: true,
      notBeforeMs: 0,
    });

  it('is a function of seed, symbol and time only', () => {
    const first = week(new BarGenerator(spec), 5 * 60_000);
    assert.equal(first.length, 5 * 288);
    assert.deepEqual(week(new BarGenerator(spec), 5 * 60_000), first);
    assert.notDeepEqual(week(new BarGenerator({ ...spec, seed: 8 }), 5 * 60_000), first);
    assert.notDeepEqual(week(new BarGenerator({ ...spec, symbol: 'AAPL' }), 5 * 60_000), first);
  });

  it('makes daily and intraday bars agree at midnight', () => {
    const generator = new BarGenerator(spec);
    const daily = week(generator, 86_400_000);
    const minutes = week(generator, 60_000);
    assert.equal(daily[0]!.open, minutes[0]!.open);
    assert.equal(daily[4]!.close, minutes.at(-1)!.close);
  });
});
