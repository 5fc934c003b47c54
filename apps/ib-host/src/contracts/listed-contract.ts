/**
 * A contract as IB lists it in its contract details, and the wire form the service answers
 * with. Pure.
 */
import type { IbContract, InstrumentType } from '@ktrdr/shared';

/** The fields of IB's contract details this service uses. */
export interface ListedContract {
  conId: number;
  symbol: string;
  secType: string;
  exchange: string;
  primaryExchange: string | null;
  currency: string;
  localSymbol: string | null;
  /** `yyyyMM` or `yyyyMMdd` for futures; empty otherwise. */
  lastTradeDateOrContractMonth: string;
  longName: string | null;
  timeZone: string | null;
  tradingHours: string | null;
  liquidHours: string | null;
}

/** The answer of `POST /api/v1/data/validate`: the contract under the caller's symbol. */
export function toIbContract(
  symbol: string,
  instrumentType: InstrumentType,
  listed: ListedContract,
): IbContract {
  return {
    symbol,
    instrument_type: instrumentType,
    con_id: listed.conId,
    sec_type: listed.secType,
    exchange: listed.exchange,
    primary_exchange: listed.primaryExchange,
    currency: listed.currency,
    local_symbol: listed.localSymbol,
    long_name: listed.longName,
    time_zone: listed.timeZone,
    trading_hours: listed.tradingHours,
    liquid_hours: listed.liquidHours,
  };
}
