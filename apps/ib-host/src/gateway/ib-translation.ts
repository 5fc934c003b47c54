/**
 * Between the service's shapes and @stoqey/ib's: the contract a query asks for, and the
 * contracts and bars IB answers with. Kept apart from the link so the conversions are
 * plain functions, with no connection behind them.
 */
import { SecType, type Bar as IbBar, type Contract, type ContractDetails } from '@stoqey/ib';
import type { ContractQuery } from '../contracts/contract-mapping.js';
import type { ListedContract } from '../contracts/listed-contract.js';
import type { Bar } from '../historical/bars.js';
import { parseIbTime } from '../historical/ib-time.js';

/** A contract query as IB takes it (the optional fields only when given). */
export function toContract(query: ContractQuery): Contract {
  const contract: Contract = {
    symbol: query.symbol,
    secType: SecType[query.secType],
    exchange: query.exchange,
    currency: query.currency,
  };
  if (query.conId !== undefined) contract.conId = query.conId;
  if (query.lastTradeDateOrContractMonth !== undefined)
    contract.lastTradeDateOrContractMonth = query.lastTradeDateOrContractMonth;
  return contract;
}

/** IB's contract details as the service lists them: optional text IB leaves empty or out is null. */
export function toListed(details: ContractDetails): ListedContract {
  const c = details.contract;
  const text = (value: string | undefined) => (value ? value : null);
  return {
    conId: c.conId ?? 0,
    symbol: c.symbol ?? '',
    secType: c.secType ?? '',
    exchange: c.exchange ?? '',
    primaryExchange: text(c.primaryExch),
    currency: c.currency ?? '',
    localSymbol: text(c.localSymbol),
    lastTradeDateOrContractMonth: c.lastTradeDateOrContractMonth ?? '',
    longName: text(details.longName),
    timeZone: text(details.timeZoneId),
    tradingHours: text(details.tradingHours),
    liquidHours: text(details.liquidHours),
  };
}

/**
 * IB's bars as the service's: a bar without its time, open or close is dropped; a missing
 * high or low is taken from the open and close.
 */
export function toBars(raw: readonly IbBar[]): Bar[] {
  const bars: Bar[] = [];
  for (const bar of raw) {
    if (bar.time === undefined || bar.open === undefined || bar.close === undefined) continue;
    bars.push({
      time: parseIbTime(bar.time),
      open: bar.open,
      high: bar.high ?? Math.max(bar.open, bar.close),
      low: bar.low ?? Math.min(bar.open, bar.close),
      close: bar.close,
      // quotes (MIDPOINT) carry no volume
      volume: bar.volume ?? 0,
    });
  }
  return bars;
}
