/**
 * The errors of the IB host service: what IB answered (`IbError`), what happened to the link
 * (`ConnectionLostError`, `IbTimeoutError`), and the HTTP answers they become.
 */
import type { ErrorCode, IbGatewayState } from '@ktrdr/shared';
import { AppError, ValidationError } from '@ktrdr/server-kit';

/** The error code of a 503 that says the gateway cannot serve now (the message says why). */
export const GATEWAY_UNAVAILABLE_CODE: ErrorCode = 'SERVICE_UNAVAILABLE';

/** IB answered a request with an error: its code and text, as IB wrote them. */
export class IbError extends Error {
  override readonly name = 'IbError';
  constructor(
    readonly code: number,
    readonly ibMessage: string,
    readonly reqId: number,
  ) {
    super(`IB error ${code}: ${ibMessage}`);
  }
}

/**
 * The connection to the gateway went away (or IB restored its own link with data lost)
 * while a request was in flight: the request may be sent again once the link is back.
 */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
}

/** IB did not answer a request in time. */
export class IbTimeoutError extends Error {
  override readonly name = 'IbTimeoutError';
}

const GATEWAY_HINT =
  'start IB Gateway or TWS, log in, and enable its API (Configure → Settings → API → Settings: ' +
  '"Enable ActiveX and Socket Clients", the socket port configured here, 127.0.0.1 in Trusted IPs)';

/** 503: the gateway is not connected (or paused) and did not come back in time. */
export class GatewayUnavailableError extends AppError {
  override readonly name = 'GatewayUnavailableError';
  constructor(state: IbGatewayState, waitedMs: number) {
    const last = state.last_error
      ? ` (last error ${state.last_error.code}: ${state.last_error.message})`
      : '';
    const message =
      state.state === 'paused'
        ? `IB Gateway/TWS at ${state.host}:${state.port} has lost its own connection to IB's servers${last}; ` +
          `requests wait for it to come back, and it did not within ${Math.round(waitedMs / 1000)} s`
        : `IB Gateway/TWS is not connected at ${state.host}:${state.port}${last}: ${GATEWAY_HINT}`;
    super(GATEWAY_UNAVAILABLE_CODE, message, { gateway: state }, 503);
  }
}

/** 503: IB could not serve the request now (pacing, a timeout, a cancellation on its side). */
export class IbBusyError extends AppError {
  override readonly name = 'IbBusyError';
  constructor(message: string, details?: Record<string, unknown>) {
    super(GATEWAY_UNAVAILABLE_CODE, message, details, 503);
  }
}

/** 400 naming the symbol IB does not know (error 200). */
export function unknownSymbolError(symbol: string, error: IbError): ValidationError {
  return new ValidationError(
    'symbol',
    `unknown symbol "${symbol}" at IB (error ${error.code}: ${error.ibMessage}); check the symbol and instrument_type`,
    { ib_code: error.code },
  );
}

/** 400: IB refused the request for a reason the caller can act on (permissions, arguments). */
export function ibRefusedError(symbol: string, error: IbError): ValidationError {
  const why =
    error.code === 354
      ? 'the IB account has no market data subscription for it'
      : 'IB refused the request';
  return new ValidationError(
    'symbol',
    `${why} for "${symbol}" (error ${error.code}: ${error.ibMessage})`,
    { ib_code: error.code },
  );
}

/** The reason an abort signal carries, as an Error (what `throwIfAborted` would throw). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('aborted', 'AbortError');
}

/**
 * What a failed request for `symbol` becomes on the wire: IB's 200 a 400 naming the symbol,
 * its other refusals a 400 with IB's words, a timeout or a link that kept dropping a 503.
 */
export function toHttpError(symbol: string, error: unknown): Error {
  if (error instanceof IbError) {
    return error.code === 200 ? unknownSymbolError(symbol, error) : ibRefusedError(symbol, error);
  }
  if (error instanceof IbTimeoutError) return new IbBusyError(error.message);
  if (error instanceof ConnectionLostError) {
    return new IbBusyError(`the connection to IB Gateway/TWS kept dropping: ${error.message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
