import type {
  IbContract,
  IbHeadTimestamp,
  IbHistoricalRequest,
  IbHistoricalResponse,
  IbHostHealth,
  IbValidateRequest,
} from '../contracts/ib.js';
import { Routes } from '../contracts/routes.js';
import { HttpClient, type HttpClientOptions, type RequestOptions } from './http.js';

const R = Routes.ibHost;

/** The typed client of the IB host service (used by the backend, never by workers or the UI). */
export class IbHostClient {
  /** The transport. */
  readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient(options);
  }

  /** `GET /health`: the gateway link's state (no token needed). */
  health(options?: RequestOptions): Promise<IbHostHealth> {
    return this.http.request('GET', Routes.health, options);
  }

  /**
   * Bars of one range. The host service splits it into the requests IB accepts and paces
   * them, so an answer may take a while: callers pass a generous timeout and a signal.
   */
  historical(body: IbHistoricalRequest, options?: RequestOptions): Promise<IbHistoricalResponse> {
    return this.http.request('POST', R.historical, { timeoutMs: 600_000, ...options, body });
  }

  /** Contract details of a symbol; an unknown one is a 400 `ApiError` naming it. */
  validate(body: IbValidateRequest, options?: RequestOptions): Promise<IbContract> {
    return this.http.request('POST', R.validate, { timeoutMs: 60_000, ...options, body });
  }

  /** The earliest data IB has for a symbol. */
  headTimestamp(
    symbol: string,
    instrumentType?: string,
    options?: RequestOptions,
  ): Promise<IbHeadTimestamp> {
    return this.http.request('GET', R.headTimestamp, {
      timeoutMs: 60_000,
      ...options,
      query: { symbol, instrument_type: instrumentType },
    });
  }
}
