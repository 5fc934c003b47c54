/**
 * The one place that reaches under `IBApiNext`'s public surface (@stoqey/ib 1.6.x), for two
 * things it does not offer:
 * - TWS notices sent with id -1 (326 client id in use, 1100/1101/1102 connectivity, farm
 *   status) reach `IBApiNext` only as log lines, and on 1100 it drops the socket itself,
 *   although IB keeps the API connection and reports 1101/1102 on it when its own link is
 *   back. The service listens for these notices on the underlying `IBApi` instead.
 * - Cancelling a historical request (`IBApiNext.getHistoricalData` registers no cancel).
 * - Closing a socket whose handshake has not finished: `IBApiNext.disconnect()` leaves it
 *   open (it only closes connected ones).
 * Both are checked when a session starts; the tests against the TWS simulator cover them.
 */
import { IBApi, type IBApiNext } from '@stoqey/ib';

/** The `IBApi` an `IBApiNext` drives, or undefined if this version hides it elsewhere. */
export function underlyingApi(ib: IBApiNext): IBApi | undefined {
  const api: unknown = Reflect.get(ib, 'api');
  return api instanceof IBApi ? api : undefined;
}

/**
 * Calls `send` and returns the request id `IBApiNext` gave the one request it registers:
 * ids are handed out in sequence, so reading the next id (which uses one up) just before
 * tells which comes after it.
 */
export function withRequestId<T>(ib: IBApiNext, send: () => T): { reqId: number; result: T } {
  const reqId = ib.nextReqId + 1;
  return { reqId, result: send() };
}

/**
 * Closes the socket of `api` whatever its state, through `IBApi`'s own `disconnect` (the
 * auto-connecting subclass under `IBApiNext` overrides it with one that skips sockets still
 * in their handshake).
 */
export function closeSocket(api: IBApi): void {
  IBApi.prototype.disconnect.call(api);
}
