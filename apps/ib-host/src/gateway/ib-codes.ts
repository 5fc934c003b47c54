/**
 * The TWS API message codes this service acts on, and how an error 162 is read. IB sends
 * one code (162, "Historical Market Data Service error") for several different outcomes,
 * so its text decides what it means. See docs/ib.md for the table and the sources.
 */

/** Codes IB sends that change what the service does. */
export const IbCode = {
  /** Historical data service: pacing violation, no data, query cancelled, and others. */
  HISTORICAL_DATA_SERVICE: 162,
  /** No security definition has been found for the request: an unknown symbol. */
  NO_SECURITY_DEFINITION: 200,
  /** Error validating request: IB refused the request's arguments. */
  INVALID_REQUEST: 321,
  /** Error processing request (e.g. too many open historical requests): transient. */
  ERROR_PROCESSING_REQUEST: 322,
  /** The client id is in use by another API connection. */
  CLIENT_ID_IN_USE: 326,
  /** Requested market data is not subscribed: the account lacks the data permission. */
  NOT_SUBSCRIBED: 354,
  /** No historical data query found for the ticker id: the answer to a late cancel. */
  NO_HISTORICAL_QUERY: 366,
  /** Could not connect to TWS / IB Gateway (socket error). */
  CONNECT_FAIL: 502,
  /** Not connected. */
  NOT_CONNECTED: 504,
  /** Connectivity between IB and TWS has been lost. */
  CONNECTIVITY_LOST: 1100,
  /** Connectivity restored, data lost: requests in flight must be sent again. */
  RESTORED_DATA_LOST: 1101,
  /** Connectivity restored, data maintained. */
  RESTORED_DATA_MAINTAINED: 1102,
  /** TWS lost its link to the IB server (reported by some versions instead of 1100). */
  TWS_SERVER_LINK_LOST: 2110,
} as const;

/** Farm status notices (2103–2108, 2119, 2157, 2158): information, never an error. */
export function isFarmNotice(code: number): boolean {
  return (code >= 2103 && code <= 2108) || code === 2119 || code === 2157 || code === 2158;
}

/** A farm notice that says a farm is down (for the log: data may be slow to come). */
export function isFarmBroken(code: number): boolean {
  return code === 2103 || code === 2105 || code === 2157;
}

/** What an error 162 means, read from its text. */
export type HistoricalServiceOutcome = 'pacing_violation' | 'no_data' | 'cancelled' | 'other';

/**
 * Reads a 162 message: "…pacing violation" → back off and retry; "…query returned no data"
 * (also "HMDS query returned no data") → that request is empty; "…query cancelled" → the
 * request was cancelled; anything else (no permissions, "Time length exceed max.") → other.
 */
export function classifyHistoricalServiceError(message: string): HistoricalServiceOutcome {
  const text = message.toLowerCase();
  if (text.includes('pacing violation')) return 'pacing_violation';
  if (text.includes('query returned no data')) return 'no_data';
  if (text.includes('query cancelled') || text.includes('query canceled')) return 'cancelled';
  return 'other';
}
