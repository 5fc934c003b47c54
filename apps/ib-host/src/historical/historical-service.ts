/**
 * `POST /api/v1/data/historical`: the bars of a range, fetched in the requests IB accepts,
 * paced, retried where IB asks for patience, merged, and handed out without the bar still
 * forming.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  backoffDelay,
  IB_BAR_SIZES,
  TIMEFRAME_MS,
  type IbHistoricalRequest,
  type IbHistoricalResponse,
  type IbRequestLog,
} from '@ktrdr/shared';
import { ValidationError } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import { mapContract, type ContractQuery } from '../contracts/contract-mapping.js';
import type { ContractResolver } from '../contracts/contract-resolver.js';
import {
  ConnectionLostError,
  IbBusyError,
  IbError,
  ibRefusedError,
  toHttpError,
  unknownSymbolError,
} from '../errors.js';
import type { HistoricalQuery } from '../gateway/gateway-link.js';
import { classifyHistoricalServiceError, IbCode } from '../gateway/ib-codes.js';
import type { Pacer, PacedRequest } from '../pacing/pacer.js';
import { dropFormingBars, mergeBars, toColumns, withinRange, type Bar } from './bars.js';
import { planChunks, type ChunkRequest } from './chunk-plan.js';
import { formatIbUtc } from './ib-time.js';

/** Where historical bars come from (the gateway link). */
export interface HistoricalSource {
  /** Resolves once requests can go (connected, not paused); a 503 when not in time. */
  ready(signal?: AbortSignal): Promise<unknown>;
  historicalData(query: HistoricalQuery, signal?: AbortSignal): Promise<Bar[]>;
}

/** How downloads are run. */
export interface HistoricalSettings {
  /** Requests of one range in flight at once (the pacer still decides when each goes). */
  concurrency: number;
  /** The first wait after a pacing violation; doubled after each further one. */
  pacingBackoffMs: number;
  /** Pacing violations retried per request before giving up with a 503. */
  maxPacingRetries: number;
  /** Times one request is sent again after the connection dropped under it. */
  maxConnectionRetries: number;
}

/** Everything the service works with. */
export interface HistoricalDeps {
  source: HistoricalSource;
  contracts: ContractResolver;
  pacer: Pacer;
  /** What time it is (decides which bar is still forming). */
  now: () => number;
  settings: HistoricalSettings;
  log: FastifyBaseLogger;
}

interface ChunkResult {
  bars: Bar[];
  log: IbRequestLog;
}

/** What one range's requests share. */
interface RangeJob {
  symbol: string;
  contract: ContractQuery;
  barSize: string;
  whatToShow: HistoricalQuery['whatToShow'];
  useRth: boolean;
  signal: AbortSignal;
}

function parseInstant(field: string, text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new ValidationError(field, `"${text}" is not an ISO-8601 date or timestamp`);
  }
  return ms;
}

/** Fetches ranges of bars from IB. */
export class HistoricalService {
  constructor(private readonly deps: HistoricalDeps) {}

  /**
   * The bars of [start, end] (both inclusive), sorted, one per time, without the bar still
   * forming, with the log of the requests sent. `signal` aborts what is queued or in flight
   * (the HTTP caller went away).
   */
  async fetch(request: IbHistoricalRequest, signal: AbortSignal): Promise<IbHistoricalResponse> {
    const startMs = parseInstant('start', request.start);
    const endMs = parseInstant('end', request.end);
    if (endMs < startMs) throw new ValidationError('end', 'must not be before start');
    const mapped = mapContract(request.symbol, request.instrument_type);
    const nowMs = this.deps.now();
    const barMs = TIMEFRAME_MS[request.timeframe];
    const empty: IbHistoricalResponse = {
      symbol: request.symbol,
      timeframe: request.timeframe,
      ...toColumns([]),
      requests: [],
      dropped_forming_bar: false,
    };
    // nothing after now exists yet
    const chunks = planChunks(startMs, Math.min(endMs, nowMs), request.timeframe);
    if (chunks.length === 0) return empty;

    const contract = await this.deps.contracts.historicalContract(mapped, signal);
    const job: RangeJob = {
      symbol: request.symbol,
      contract,
      barSize: IB_BAR_SIZES[request.timeframe],
      whatToShow: mapped.whatToShow,
      useRth: request.use_rth ?? false,
      signal,
    };
    const results = await this.runAll(chunks, job);
    const merged = withinRange(mergeBars(results.map((r) => r.bars)), startMs, endMs);
    const { bars, dropped } = dropFormingBars(merged, barMs, nowMs);
    return {
      ...empty,
      ...toColumns(bars),
      requests: results.map((r) => r.log),
      dropped_forming_bar: dropped,
    };
  }

  /** Runs the requests with a few in flight; the first failure stops the others. */
  private async runAll(chunks: readonly ChunkRequest[], job: RangeJob): Promise<ChunkResult[]> {
    const stop = new AbortController();
    const signal = AbortSignal.any([job.signal, stop.signal]);
    const results: ChunkResult[] = [];
    let next = 0;
    let failure: Error | undefined;
    const worker = async () => {
      while (next < chunks.length && !signal.aborted) {
        const index = next++;
        try {
          results[index] = await this.fetchChunk(chunks[index] as ChunkRequest, { ...job, signal });
        } catch (error) {
          if (failure === undefined && !job.signal.aborted) {
            failure = error instanceof Error ? error : new Error(String(error));
            stop.abort(error);
          }
          return;
        }
      }
    };
    const lanes = Math.max(1, Math.min(this.deps.settings.concurrency, chunks.length));
    await Promise.all(Array.from({ length: lanes }, worker));
    job.signal.throwIfAborted();
    if (failure !== undefined) throw failure;
    return results;
  }

  /** One request to IB, paced, retried on pacing violations and dropped connections. */
  private async fetchChunk(chunk: ChunkRequest, job: RangeJob): Promise<ChunkResult> {
    const { pacer, source, settings, log } = this.deps;
    const query: HistoricalQuery = {
      contract: job.contract,
      endDateTime: formatIbUtc(chunk.endMs),
      duration: chunk.duration,
      barSize: job.barSize,
      whatToShow: job.whatToShow,
      useRth: job.useRth,
    };
    const contractKey = [
      job.contract.conId ?? '',
      job.contract.symbol,
      job.contract.secType,
      job.contract.exchange,
      job.contract.currency,
      job.whatToShow,
    ].join('|');
    const paced: PacedRequest = {
      contractKey,
      identityKey: [
        contractKey,
        query.barSize,
        query.endDateTime,
        query.duration,
        query.useRth,
      ].join('|'),
    };
    let pacedMs = 0;
    let retries = 0;
    let reconnects = 0;
    const entry = (bars: Bar[], outcome: IbRequestLog['outcome']): ChunkResult => ({
      bars,
      log: {
        end: new Date(chunk.endMs).toISOString(),
        duration: chunk.duration,
        bars: bars.length,
        outcome,
        paced_ms: Math.round(pacedMs),
        retries,
      },
    });
    for (;;) {
      // a pacing slot is only worth taking once the gateway can take the request
      await source.ready(job.signal);
      let failure: unknown;
      await pacer.acquireOpen(job.signal);
      try {
        const slot = pacer.reserve(paced);
        if (slot.delayMs > 0) {
          try {
            await sleep(slot.delayMs, undefined, { signal: job.signal });
          } catch (error) {
            slot.cancel();
            throw error;
          }
          pacedMs += slot.delayMs;
        }
        return entry(await source.historicalData(query, job.signal), 'bars');
      } catch (error) {
        failure = error;
      } finally {
        pacer.releaseOpen();
      }
      job.signal.throwIfAborted();

      if (failure instanceof ConnectionLostError && reconnects < settings.maxConnectionRetries) {
        reconnects++;
        log.info(
          `historical request for ${job.symbol} to ${query.endDateTime}: ${failure.message}; sending it again once reconnected`,
        );
        continue;
      }
      if (!(failure instanceof IbError)) throw toHttpError(job.symbol, failure);
      const kind =
        failure.code === IbCode.HISTORICAL_DATA_SERVICE
          ? classifyHistoricalServiceError(failure.ibMessage)
          : undefined;
      if (kind === 'no_data') return entry([], 'no_data');
      if (kind === 'pacing_violation' || failure.code === IbCode.ERROR_PROCESSING_REQUEST) {
        if (retries >= settings.maxPacingRetries) {
          throw new IbBusyError(
            `IB kept refusing historical requests for "${job.symbol}" (error ${failure.code}: ${failure.ibMessage}) after ${retries} retries; try again later`,
            { ib_code: failure.code },
          );
        }
        const waitMs = backoffDelay({ initialMs: settings.pacingBackoffMs }, retries + 1);
        retries++;
        log.warn(
          `IB error ${failure.code} (${failure.ibMessage}) for ${job.symbol} to ${query.endDateTime}: retry ${retries} in ${waitMs} ms`,
        );
        await sleep(waitMs, undefined, { signal: job.signal });
        continue;
      }
      if (kind === 'cancelled') {
        throw new IbBusyError(
          `IB cancelled the historical data query for "${job.symbol}" (${failure.ibMessage}); try again`,
          { ib_code: failure.code },
        );
      }
      if (failure.code === IbCode.NO_SECURITY_DEFINITION)
        throw unknownSymbolError(job.symbol, failure);
      throw ibRefusedError(job.symbol, failure);
    }
  }
}
