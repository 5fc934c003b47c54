/**
 * From what a trader types (`AAPL`, `EURUSD`, `ES`) to the contract IB needs. Pure: no
 * request is sent here; an unknown symbol is found out by IB (error 200), a malformed one
 * here (400 naming the field).
 */
import type { InstrumentType } from '@ktrdr/shared';
import { ValidationError } from '@ktrdr/server-kit';
import { FUTURES_EXCHANGES } from './futures-exchanges.js';

/** The security types this service asks IB for. */
export type IbSecType = 'STK' | 'CASH' | 'CONTFUT' | 'FUT';

/** A contract as IB is asked for it (the fields of a TWS API `Contract` that we set). */
export interface ContractQuery {
  symbol: string;
  secType: IbSecType;
  exchange: string;
  currency: string;
  /** Set once IB has told us which contract it is (front-month futures). */
  conId?: number;
  lastTradeDateOrContractMonth?: string;
}

/** The data type historical requests ask for. */
export type IbWhatToShow = 'TRADES' | 'MIDPOINT';

/** How one of our symbols is asked for at IB. */
export interface MappedContract {
  /** The symbol as the caller wrote it. */
  symbol: string;
  instrumentType: InstrumentType;
  contract: ContractQuery;
  /** TRADES for stocks and futures; forex has no trades, only quotes (MIDPOINT). */
  whatToShow: IbWhatToShow;
}

/**
 * Maps `{symbol, instrument_type}` to an IB contract:
 * - stock → STK on SMART in USD (`BRK.B` → `BRK B`, IB's spelling of share classes);
 * - forex → CASH on IDEALPRO: `EURUSD` or `EUR.USD` → symbol EUR, currency USD;
 * - future → CONTFUT (IB's continuous future) on the exchange the root trades on, from a
 *   table of common roots, or `ROOT@EXCHANGE` for any other (`ES=F` is read as `ES`).
 */
export function mapContract(
  symbol: string,
  instrumentType: InstrumentType = 'stock',
): MappedContract {
  const text = symbol.trim().toUpperCase();
  switch (instrumentType) {
    case 'stock':
      return {
        symbol,
        instrumentType,
        contract: {
          symbol: text.replace('.', ' '),
          secType: 'STK',
          exchange: 'SMART',
          currency: 'USD',
        },
        whatToShow: 'TRADES',
      };
    case 'forex':
      return {
        symbol,
        instrumentType,
        contract: forexContract(symbol, text),
        whatToShow: 'MIDPOINT',
      };
    case 'future':
      return {
        symbol,
        instrumentType,
        contract: futureContract(symbol, text),
        whatToShow: 'TRADES',
      };
  }
}

function forexContract(symbol: string, text: string): ContractQuery {
  const match = /^([A-Z]{3})\.?([A-Z]{3})$/.exec(text);
  if (!match) {
    throw new ValidationError(
      'symbol',
      `"${symbol}" is not a currency pair: write it as EURUSD or EUR.USD (base then quote currency)`,
    );
  }
  return {
    symbol: match[1] as string,
    secType: 'CASH',
    exchange: 'IDEALPRO',
    currency: match[2] as string,
  };
}

function futureContract(symbol: string, text: string): ContractQuery {
  const [root = '', named] = text.replace(/=F$/, '').split('@', 2);
  if (!/^[A-Z0-9]{1,10}$/.test(root)) {
    throw new ValidationError('symbol', `"${symbol}" is not a futures root such as ES or CL@NYMEX`);
  }
  const known = FUTURES_EXCHANGES[root];
  const exchange = named ?? known?.exchange;
  if (!exchange) {
    throw new ValidationError(
      'symbol',
      `no exchange known for the future "${root}": name it as ${root}@EXCHANGE (e.g. ZQ@CBOT); known roots: ${Object.keys(FUTURES_EXCHANGES).join(', ')}`,
    );
  }
  return { symbol: root, secType: 'CONTFUT', exchange, currency: known?.currency ?? 'USD' };
}

/**
 * The front month among the contracts IB listed for a futures root: the one that expires
 * first and not before `nowMs` (its last trading day still to come, or today).
 */
export function frontMonth<T extends { lastTradeDateOrContractMonth?: string | undefined }>(
  listed: readonly T[],
  nowMs: number,
): T | undefined {
  const today = new Date(nowMs).toISOString().slice(0, 10).replace(/-/g, '');
  return [...listed]
    .filter((c) => expiryKey(c.lastTradeDateOrContractMonth) >= today)
    .sort((a, b) =>
      expiryKey(a.lastTradeDateOrContractMonth).localeCompare(
        expiryKey(b.lastTradeDateOrContractMonth),
      ),
    )[0];
}

/** `yyyyMMdd` of an expiry (a bare `yyyyMM` counts as the month's last day). */
function expiryKey(expiry: string | undefined): string {
  const text = (expiry ?? '').replace(/\D/g, '');
  return text.length === 6 ? `${text}31` : text.slice(0, 8);
}
