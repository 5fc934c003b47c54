/**
 * Where common futures trade at IB, so a bare root (`ES`, `CL`) names a contract. Any
 * other future is named `ROOT@EXCHANGE` (e.g. `ZQ@CBOT`). IB names CME Globex `CME`,
 * CBOT `CBOT`, NYMEX `NYMEX`, COMEX `COMEX`.
 */

/** The exchange and currency of a futures root. */
export interface FuturesListing {
  exchange: string;
  currency: string;
}

const listing = (exchange: string, currency = 'USD'): FuturesListing => ({ exchange, currency });

/** Common futures roots by IB symbol. */
export const FUTURES_EXCHANGES: Readonly<Record<string, FuturesListing>> = {
  // equity indices
  ES: listing('CME'),
  MES: listing('CME'),
  NQ: listing('CME'),
  MNQ: listing('CME'),
  RTY: listing('CME'),
  M2K: listing('CME'),
  YM: listing('CBOT'),
  MYM: listing('CBOT'),
  // rates
  ZB: listing('CBOT'),
  ZN: listing('CBOT'),
  ZF: listing('CBOT'),
  ZT: listing('CBOT'),
  // grains
  ZC: listing('CBOT'),
  ZS: listing('CBOT'),
  ZW: listing('CBOT'),
  // energy
  CL: listing('NYMEX'),
  MCL: listing('NYMEX'),
  NG: listing('NYMEX'),
  RB: listing('NYMEX'),
  HO: listing('NYMEX'),
  // metals
  GC: listing('COMEX'),
  MGC: listing('COMEX'),
  SI: listing('COMEX'),
  HG: listing('COMEX'),
  // volatility
  VIX: listing('CFE'),
  // Europe
  DAX: listing('EUREX', 'EUR'),
  ESTX50: listing('EUREX', 'EUR'),
};
