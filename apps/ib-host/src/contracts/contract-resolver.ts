/**
 * Finds out from IB which contract a symbol names: contract details for validation, the
 * head timestamp, and the front-month contract futures history is asked for.
 */
import type { IbContract, IbHeadTimestamp, InstrumentType } from '@ktrdr/shared';
import { IbError, toHttpError, unknownSymbolError } from '../errors.js';
import { retryOnConnectionLoss } from '../gateway/retry.js';
import {
  frontMonth,
  mapContract,
  type ContractQuery,
  type IbWhatToShow,
  type MappedContract,
} from './contract-mapping.js';
import { toIbContract, type ListedContract } from './listed-contract.js';

/** Where contract information comes from (the gateway link). */
export interface ContractSource {
  contractDetails(query: ContractQuery, signal?: AbortSignal): Promise<ListedContract[]>;
  headTimestamp(
    query: ContractQuery,
    whatToShow: IbWhatToShow,
    signal?: AbortSignal,
  ): Promise<number>;
}

const isUnknown = (error: unknown): error is IbError =>
  error instanceof IbError && error.code === 200;

/** Contract look-ups by our symbols. */
export class ContractResolver {
  constructor(
    private readonly source: ContractSource,
    private readonly now: () => number,
  ) {}

  /** `POST /api/v1/data/validate`: the contract a symbol names, or a 400 naming it. */
  async validate(
    symbol: string,
    instrumentType: InstrumentType | undefined,
    signal?: AbortSignal,
  ): Promise<IbContract> {
    const mapped = mapContract(symbol, instrumentType);
    return toIbContract(symbol, mapped.instrumentType, await this.lookUp(mapped, signal));
  }

  /** `GET /api/v1/data/head-timestamp`: the earliest data IB has for a symbol. */
  async headTimestamp(
    symbol: string,
    instrumentType: InstrumentType | undefined,
    signal?: AbortSignal,
  ): Promise<IbHeadTimestamp> {
    const mapped = mapContract(symbol, instrumentType);
    const query = await this.historicalContract(mapped, signal);
    try {
      const head = await retryOnConnectionLoss(() =>
        this.source.headTimestamp(query, mapped.whatToShow, signal),
      );
      return { symbol, head_timestamp: new Date(head).toISOString() };
    } catch (error) {
      throw toHttpError(symbol, error);
    }
  }

  /**
   * The contract historical data is asked for. Stocks and forex pairs as mapped; a future as
   * its front month (by conId): IB refuses an end date on a continuous future (CONTFUT), and
   * a range is fetched in requests that each have one.
   */
  async historicalContract(mapped: MappedContract, signal?: AbortSignal): Promise<ContractQuery> {
    if (mapped.instrumentType !== 'future') return mapped.contract;
    const front = await this.lookUp(mapped, signal);
    return {
      symbol: mapped.contract.symbol,
      secType: 'FUT',
      exchange: mapped.contract.exchange,
      currency: front.currency || mapped.contract.currency,
      conId: front.conId,
      lastTradeDateOrContractMonth: front.lastTradeDateOrContractMonth,
    };
  }

  /**
   * The contract IB lists for a mapped symbol. A continuous future that this gateway does
   * not define (200) is looked up as the listed futures of its root instead, and the front
   * month picked.
   */
  private async lookUp(mapped: MappedContract, signal?: AbortSignal): Promise<ListedContract> {
    const details = (query: ContractQuery) =>
      retryOnConnectionLoss(() => this.source.contractDetails(query, signal));
    let listed: ListedContract[];
    try {
      try {
        listed = await details(mapped.contract);
      } catch (error) {
        if (!(isUnknown(error) && mapped.contract.secType === 'CONTFUT')) throw error;
        listed = await details({ ...mapped.contract, secType: 'FUT' });
      }
    } catch (error) {
      throw toHttpError(mapped.symbol, error);
    }
    const chosen =
      mapped.instrumentType === 'future'
        ? (frontMonth(listed, this.now()) ?? listed[0])
        : listed[0];
    if (!chosen) {
      throw unknownSymbolError(mapped.symbol, new IbError(200, 'IB listed no contract for it', -1));
    }
    return chosen;
  }
}
