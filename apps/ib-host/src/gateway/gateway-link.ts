/**
 * The service's single link to IB Gateway/TWS. It connects at start and keeps trying with
 * exponential backoff while the gateway is away (never crashing, never leaving a promise
 * unhandled), moves to the next client id on 326, pauses requests while IB reports its own
 * link lost (1100 → 1101/1102), remembers the last error, and runs requests: each waits for
 * the link (bounded), then for its answer (bounded), and can be abandoned by its caller.
 */
import type { BarSizeSetting, Logger } from '@stoqey/ib';
import { Backoff, type IbGatewayState } from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { ContractQuery, IbWhatToShow } from '../contracts/contract-mapping.js';
import type { ListedContract } from '../contracts/listed-contract.js';
import {
  abortReason,
  ConnectionLostError,
  GatewayUnavailableError,
  type IbError,
} from '../errors.js';
import type { Bar } from '../historical/bars.js';
import { parseIbTime } from '../historical/ib-time.js';
import { startHeartbeat } from './heartbeat.js';
import { IbCode, isFarmBroken, isFarmNotice } from './ib-codes.js';
import { IbSession, type SessionListener } from './ib-session.js';
import { toBars, toContract, toListed } from './ib-translation.js';
import { ReadyWaiters } from './ready-waiters.js';
import { withRequestId } from './stoqey-internals.js';

/** How the link connects, waits and retries. */
export interface GatewayLinkOptions {
  host: string;
  port: number;
  /** The first client id tried; the next one is tried when IB says it is in use (326). */
  clientId: number;
  /** Reconnect delays: the first, doubled after each failure up to the ceiling. */
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  /** A connection that has not finished its handshake within this is given up. */
  connectTimeoutMs: number;
  /** How long a request waits for a connected (not paused) gateway before a 503. */
  connectWaitMs: number;
  /** How long a request waits for IB's answer. */
  requestTimeoutMs: number;
  /** How often an idle link checks that the gateway still answers (0: never). */
  heartbeatMs: number;
  log: FastifyBaseLogger;
}

/** One historical-data request, as sent to IB. */
export interface HistoricalQuery {
  contract: ContractQuery;
  /** `yyyyMMdd-HH:mm:ss` (UTC). */
  endDateTime: string;
  /** IB duration string (`30 D`). */
  duration: string;
  /** IB bar size (`1 hour`). */
  barSize: string;
  whatToShow: IbWhatToShow;
  useRth: boolean;
}

type LinkState = IbGatewayState['state'];

/** @stoqey/ib's log lines go to the debug log: the link logs what matters itself. */
function quietLogger(log: FastifyBaseLogger): Logger {
  const write = (tag: string, ...args: unknown[]) =>
    log.debug({ tag }, args.map((arg) => String(arg)).join(' '));
  return { debug: write, info: write, warn: write, error: write };
}

/** The link to IB Gateway/TWS. Call {@link start} once, {@link close} at the end. */
export class GatewayLink {
  private session: IbSession | undefined;
  private linkState: LinkState = 'disconnected';
  private since = Date.now();
  private lastError: IbGatewayState['last_error'] = null;
  private clientId: number;
  private clientIdRefused = false;
  /** Set while the link is down after a failure: retries then leave the state "disconnected". */
  private retrying = false;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new ReadyWaiters<IbSession>();
  private readonly listener: SessionListener;
  private closed = false;

  constructor(private readonly options: GatewayLinkOptions) {
    this.clientId = options.clientId;
    this.backoff = new Backoff({
      initialMs: options.reconnectInitialMs,
      maxMs: options.reconnectMaxMs,
    });
    this.listener = {
      ready: (session) => this.onReady(session),
      lost: (session, reason) => this.onLost(session, reason),
      notice: (session, code, message) => this.onNotice(session, code, message),
      error: (session, error) => this.onConnectionError(session, error),
    };
  }

  /** Connects (and keeps reconnecting until {@link close}). */
  start(): void {
    this.connect();
  }

  /** The link as `/health` reports it. */
  state(): IbGatewayState {
    return {
      state: this.linkState,
      connected: this.linkState === 'connected' || this.linkState === 'paused',
      host: this.options.host,
      port: this.options.port,
      client_id: this.clientId,
      server_version: this.session?.ready ? this.session.serverVersion : null,
      since: new Date(this.since).toISOString(),
      last_error: this.lastError,
    };
  }

  /**
   * Resolves with the session once the gateway is connected and not paused; waits up to
   * `connectWaitMs`, then fails with a 503 that says what to start.
   */
  ready(signal?: AbortSignal): Promise<IbSession> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const session = this.session;
    if (this.linkState === 'connected' && session?.ready) return Promise.resolve(session);
    if (this.closed) {
      return Promise.reject(new GatewayUnavailableError(this.state(), 0));
    }
    return this.waiters.wait(
      this.options.connectWaitMs,
      (waitedMs) => new GatewayUnavailableError(this.state(), waitedMs),
      signal,
    );
  }

  /** Historical bars of one request (formatDate 2: epoch seconds, UTC). */
  async historicalData(query: HistoricalQuery, signal?: AbortSignal): Promise<Bar[]> {
    const session = await this.ready(signal);
    const { reqId, result } = withRequestId(session.ib, () =>
      session.ib.getHistoricalData(
        toContract(query.contract),
        query.endDateTime,
        query.duration,
        query.barSize as BarSizeSetting,
        query.whatToShow,
        query.useRth ? 1 : 0,
        2,
      ),
    );
    const raw = await session.track(result, {
      signal,
      timeoutMs: this.options.requestTimeoutMs,
      what: `historical data for ${query.contract.symbol} (${query.duration} to ${query.endDateTime})`,
      onAbandon: () => session.cancelHistorical(reqId),
    });
    return toBars(raw);
  }

  /** The contracts IB lists for a query (several for an unexpanded futures root). */
  async contractDetails(query: ContractQuery, signal?: AbortSignal): Promise<ListedContract[]> {
    const session = await this.ready(signal);
    const details = await session.track(session.ib.getContractDetails(toContract(query)), {
      signal,
      timeoutMs: this.options.requestTimeoutMs,
      what: `contract details for ${query.symbol}`,
    });
    return details.map(toListed);
  }

  /** The time of the earliest data IB has for a contract (epoch ms). */
  async headTimestamp(
    query: ContractQuery,
    whatToShow: IbWhatToShow,
    signal?: AbortSignal,
  ): Promise<number> {
    const session = await this.ready(signal);
    const text = await session.track(
      session.ib.getHeadTimestamp(toContract(query), whatToShow, false, 2),
      {
        signal,
        timeoutMs: this.options.requestTimeoutMs,
        what: `the head timestamp of ${query.symbol}`,
      },
    );
    return parseIbTime(text);
  }

  /** Disconnects and stops reconnecting; requests still waiting get a 503. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.stopAttempt();
    this.session?.end('the IB host service is shutting down');
    this.session = undefined;
    this.setState('disconnected');
    this.waiters.rejectAll(() => new GatewayUnavailableError(this.state(), 0));
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    this.clientIdRefused = false;
    // a retry is not news: the state stays "disconnected" (and its `since`) until one succeeds
    if (!this.retrying) this.setState('connecting');
    let session: IbSession;
    try {
      session = new IbSession(
        this.clientId,
        {
          host: this.options.host,
          port: this.options.port,
          logger: quietLogger(this.options.log),
        },
        this.listener,
      );
    } catch (error) {
      this.recordError(IbCode.CONNECT_FAIL, (error as Error).message);
      this.setState('disconnected');
      this.retrying = true;
      this.scheduleReconnect();
      return;
    }
    this.session = session;
    this.connectTimer = setTimeout(() => {
      if (session.ready || session.isEnded) return;
      this.recordError(
        IbCode.CONNECT_FAIL,
        `no API handshake from ${this.options.host}:${this.options.port} within ${Math.round(this.options.connectTimeoutMs / 1000)} s ` +
          '(if TWS asks whether to accept the connection, accept it, or add 127.0.0.1 to its Trusted IPs)',
      );
      session.end('the handshake timed out');
    }, this.options.connectTimeoutMs);
    this.connectTimer.unref();
    session.connect();
  }

  private onReady(session: IbSession): void {
    if (session !== this.session) return;
    this.stopAttempt();
    this.backoff.reset();
    this.retrying = false;
    this.setState('connected');
    this.options.log.info(
      `connected to IB Gateway/TWS at ${this.options.host}:${this.options.port} (server version ${session.serverVersion ?? '?'}, client id ${session.clientId})`,
    );
    this.waiters.resolveAll(session);
    this.heartbeatTimer = startHeartbeat(session, this.options.heartbeatMs, (error) => {
      if (session !== this.session) return;
      this.recordError(IbCode.NOT_CONNECTED, `the gateway stopped answering: ${error.message}`);
      session.end('the gateway stopped answering');
    });
  }

  private onLost(session: IbSession, reason: string): void {
    if (session !== this.session) return;
    this.session = undefined;
    this.stopAttempt();
    if (this.closed) return;
    const wasConnected = this.linkState === 'connected' || this.linkState === 'paused';
    this.setState('disconnected');
    this.retrying = true;
    if (this.clientIdRefused) {
      const refused = this.clientId;
      this.clientId += 1;
      this.options.log.warn(`client id ${refused} is in use at IB; trying ${this.clientId}`);
      // not the gateway's fault: try the next id without growing the delay
      this.scheduleReconnect(this.backoff.policy.initialMs);
      return;
    }
    if (wasConnected) this.options.log.warn(`lost IB Gateway/TWS: ${reason}; reconnecting`);
    this.scheduleReconnect();
  }

  private onNotice(session: IbSession, code: number, message: string): void {
    if (session !== this.session) return;
    const log = this.options.log;
    switch (code) {
      case IbCode.CLIENT_ID_IN_USE:
        // the gateway closes the socket next; onLost moves to the next id
        this.clientIdRefused = true;
        this.recordError(code, message);
        return;
      case IbCode.CONNECTIVITY_LOST:
      case IbCode.TWS_SERVER_LINK_LOST:
        this.recordError(code, message);
        if (session.ready) this.setState('paused');
        log.warn(
          `IB Gateway/TWS lost its connection to IB (${code}): requests wait until it is back`,
        );
        return;
      case IbCode.RESTORED_DATA_LOST:
        // what was in flight will not be answered: send it again
        session.interruptInFlight(
          new ConnectionLostError(`IB restored its connection with data lost (${code})`),
        );
        this.resume(session, code);
        return;
      case IbCode.RESTORED_DATA_MAINTAINED:
        this.resume(session, code);
        return;
      default:
        if (isFarmNotice(code)) {
          if (isFarmBroken(code)) log.warn(`IB: ${message} (${code})`);
          else log.debug(`IB: ${message} (${code})`);
          return;
        }
        if (code < 2100) this.recordError(code, message);
        log.info(`IB notice ${code}: ${message}`);
    }
  }

  private onConnectionError(session: IbSession, error: IbError): void {
    if (session !== this.session) return;
    this.recordError(error.code, error.ibMessage);
    this.options.log.debug(`IB connection error ${error.code}: ${error.ibMessage}`);
  }

  private resume(session: IbSession, code: number): void {
    if (!session.ready) return;
    this.options.log.info(`IB Gateway/TWS is connected to IB again (${code})`);
    this.setState('connected');
    this.waiters.resolveAll(session);
  }

  private scheduleReconnect(delayMs = this.backoff.next()): void {
    if (this.closed || this.reconnectTimer) return;
    this.options.log.debug(`reconnecting to IB Gateway/TWS in ${delayMs} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
    // a service that is shutting down must not be held up by a pending retry
    this.reconnectTimer.unref();
  }

  /** Stops the timers of the current connection attempt. */
  private stopAttempt(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private setState(state: LinkState): void {
    if (state === this.linkState) return;
    this.linkState = state;
    this.since = Date.now();
  }

  private recordError(code: number, message: string): void {
    this.lastError = { code, message, at: new Date().toISOString() };
  }
}
