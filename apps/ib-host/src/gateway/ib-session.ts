/**
 * One connection attempt to IB Gateway/TWS: an `IBApiNext` of its own, its events turned
 * into calls on a listener, and the requests in flight on it. A session that ends (socket
 * closed, client id refused, shut down) is never reused: the link starts a new one, so
 * nothing sent on a dead connection is ever silently re-sent by the library.
 */
import {
  ConnectionState,
  EventName,
  IBApiNext,
  IBApiNextError,
  type IBApi,
  type Logger,
} from '@stoqey/ib';
import type { Subscription } from 'rxjs';
import { abortReason, ConnectionLostError, IbError, IbTimeoutError } from '../errors.js';
import { closeSocket, underlyingApi } from './stoqey-internals.js';

/** What a session reports to the link that owns it. */
export interface SessionListener {
  /** The API handshake is done (nextValidId arrived): requests may go. */
  ready(session: IbSession): void;
  /** The connection is gone; called once. */
  lost(session: IbSession, reason: string): void;
  /** A TWS notice sent with id -1 (326, 1100, 1101, 1102, farm status, …). */
  notice(session: IbSession, code: number, message: string): void;
  /** An error not tied to a request (connection failures, 504, …). */
  error(session: IbSession, error: IbError): void;
}

/** How a tracked request is given up. */
export interface TrackOptions {
  signal?: AbortSignal | undefined;
  timeoutMs: number;
  /** Names the request in the timeout message. */
  what: string;
  /** Called when the caller stops waiting (abort, timeout), e.g. to send a cancel to IB. */
  onAbandon?: () => void;
}

/** The text of an error as IB or @stoqey/ib wrote it. */
function messageOf(error: IBApiNextError): string {
  return error.error?.message ?? error.message;
}

/** An `IBApiNextError` as this service's {@link IbError}; anything else unchanged. */
export function toIbError(error: unknown): Error {
  if (error instanceof IBApiNextError)
    return new IbError(error.code, messageOf(error), error.reqId);
  return error instanceof Error ? error : new Error(String(error));
}

/** One connection to the gateway, from connect to its end. */
export class IbSession {
  /** The client, for sending requests. */
  readonly ib: IBApiNext;
  private readonly api: IBApi;
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<(error: Error) => void>();
  private started = false;
  private isReady = false;
  private ended = false;

  constructor(
    readonly clientId: number,
    options: { host: string; port: number; logger: Logger },
    private readonly listener: SessionListener,
  ) {
    // no auto-reconnect and no watchdog of the library's: the link decides when to retry
    this.ib = new IBApiNext({ host: options.host, port: options.port, logger: options.logger });
    const api = underlyingApi(this.ib);
    if (!api) {
      throw new Error(
        'this @stoqey/ib version does not expose the IBApi under IBApiNext; the IB host service needs @stoqey/ib 1.6.x',
      );
    }
    this.api = api;
    // IBApiNext's own notice handler drops the connection on 1100; IB keeps it and reports
    // 1101/1102 on it when its link is back, so notices are handled here instead
    api.removeAllListeners(EventName.info);
    api.on(EventName.info, (message: string, code: number) => {
      if (!this.ended) this.listener.notice(this, code, message);
    });
    api.on(EventName.nextValidId, () => {
      if (this.ended || this.isReady) return;
      this.isReady = true;
      this.listener.ready(this);
    });
    this.subscriptions.push(
      this.ib.connectionState.subscribe((state) => {
        if (state === ConnectionState.Connecting || state === ConnectionState.Connected) {
          this.started = true;
        } else if (this.started && state === ConnectionState.Disconnected) {
          // the library reports a failed connect by state first and by error event next, in
          // the same tick: end after it, so the error (e.g. ECONNREFUSED) is still recorded
          queueMicrotask(() => this.end('the connection to IB Gateway/TWS closed'));
        }
      }),
      this.ib.error.subscribe((error) => {
        // errors of a request reach its promise; only those of the connection are reported
        if (!this.ended && error.reqId === -1) {
          this.listener.error(this, new IbError(error.code, messageOf(error), -1));
        }
      }),
    );
  }

  /** The server version agreed in the handshake, once known. */
  get serverVersion(): number | null {
    const version = this.api.serverVersion;
    return version > 0 ? version : null;
  }

  /** Whether the handshake completed. */
  get ready(): boolean {
    return this.isReady && !this.ended;
  }

  /** Whether the session is over. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Opens the socket and starts the handshake. */
  connect(): void {
    this.ib.connect(this.clientId);
  }

  /**
   * Waits for `request`'s answer, giving up on abort or timeout (then `onAbandon` runs)
   * and failing with {@link ConnectionLostError} if the session ends first. An IB error
   * arrives as {@link IbError}.
   */
  track<T>(request: Promise<T>, options: TrackOptions): Promise<T> {
    // an abandoned request may still fail later; that is no longer anyone's business
    request.catch(() => undefined);
    const { signal } = options;
    if (this.ended) return Promise.reject(new ConnectionLostError('the connection to IB closed'));
    if (signal?.aborted) {
      options.onAbandon?.();
      return Promise.reject(abortReason(signal));
    }
    return new Promise<T>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.inFlight.delete(interrupt);
      };
      const abandon = (error: Error) => {
        settle();
        options.onAbandon?.();
        reject(error);
      };
      const interrupt = (error: Error) => {
        settle();
        reject(error);
      };
      const onAbort = () => abandon(abortReason(signal as AbortSignal));
      const timer = setTimeout(
        () =>
          abandon(
            new IbTimeoutError(
              `IB did not answer ${options.what} within ${Math.round(options.timeoutMs / 1000)} s`,
            ),
          ),
        options.timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.inFlight.add(interrupt);
      request.then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(toIbError(error));
        },
      );
    });
  }

  /** Fails every request in flight with `error` (they may be sent again). */
  interruptInFlight(error: Error): void {
    for (const interrupt of [...this.inFlight]) interrupt(error);
  }

  /** Asks IB to stop working on a historical request (best effort). */
  cancelHistorical(reqId: number): void {
    if (!this.ended && this.api.isConnected) this.api.cancelHistoricalData(reqId);
  }

  /** Ends the session: closes the socket, fails what is in flight, reports the loss once. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.ib.disconnect();
    // IBApiNext only closes a socket whose handshake finished; one still waiting for the
    // server's answer must be closed too, or it lingers (and may come alive later)
    closeSocket(this.api);
    this.interruptInFlight(new ConnectionLostError(`${reason} while a request was in flight`));
    this.listener.lost(this, reason);
  }
}
