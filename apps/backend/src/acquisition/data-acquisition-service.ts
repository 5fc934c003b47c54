import { Readable } from 'node:stream';
import { allocateBars, type Bars } from '@ktrdr/engine/data';
import {
  dataLoadKind,
  parseDateInput,
  type DataDownloadRequest,
  type DataLoadResult,
  type IbHistoricalResponse,
  type Operation,
  type StartResponse,
} from '@ktrdr/shared';
import { ConflictError, ValidationError } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { SeriesStore } from '../data/series-store.js';
import { RESULT_ARTIFACT } from '../operations/operation-actions.js';
import { isOfKind, type OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';
import { planDownload, type TimeRange } from './download-plan.js';
import { findGaps } from '../data/gaps.js';
import type { IbHostGate } from './ib-host-gate.js';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** What {@link DataAcquisitionService} works with. */
export interface DataAcquisitionDeps {
  gate: IbHostGate;
  operations: OperationsService;
  series: SeriesStore;
  artifacts: ArtifactStore;
  log: FastifyBaseLogger;
  codeVersion: string;
  /** Downloaded bars are committed at least this often (ms) and whenever this many wait. */
  flushEveryMs?: number;
  flushEveryBars?: number;
}

/** A download in progress. */
interface RunningDownload {
  abort: AbortController;
  /** Why it was stopped: a user's cancel (`cancelled`) or the backend stopping (`failed`). */
  stop?: { status: 'cancelled' | 'failed'; reason: string };
  done: Promise<void>;
}

/** Bars received in whole chunks and not yet committed. */
class PendingBars {
  private parts: IbHistoricalResponse[] = [];
  count = 0;

  add(part: IbHistoricalResponse): void {
    if (part.time.length === 0) return;
    this.parts.push(part);
    this.count += part.time.length;
  }

  /** The waiting bars as one series, sorted (chunks arrive oldest first, each sorted). */
  take(symbol: string, timeframe: Bars['timeframe']): Bars | undefined {
    if (this.count === 0) return undefined;
    const bars = allocateBars(symbol, timeframe, this.count);
    let at = 0;
    for (const part of this.parts) {
      for (const f of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
        bars[f].set(part[f], at);
      at += part.time.length;
    }
    this.parts = [];
    this.count = 0;
    return bars;
  }
}

function parseDownloadDate(field: 'start_date' | 'end_date', text: string): number {
  const ms = parseDateInput(text);
  if (ms === undefined)
    throw new ValidationError(
      field,
      `"${text}" is not a date; use YYYY-MM-DD or an ISO-8601 timestamp`,
    );
  // a day given as the end means the whole day, so intraday bars of that day are included
  return field === 'end_date' && DATE_ONLY.test(text.trim()) ? ms + DAY_MS - 1 : ms;
}

/**
 * Downloads market data through the IB host service as `data_load` operations (the
 * reference system's DataAcquisitionService). The backend drives them itself — it is I/O, not computation:
 * it asks the host service for one IB-sized chunk at a time, reports progress per chunk,
 * and commits whole chunks to the store, so a cancel or a failure leaves the stored series
 * unchanged or cleanly extended, never with half a chunk.
 */
export class DataAcquisitionService {
  private readonly running = new Map<string, RunningDownload>();

  constructor(private readonly deps: DataAcquisitionDeps) {}

  /** Checks the request and the symbol, plans the chunks, and starts the download. */
  async start(body: DataDownloadRequest, retryOf?: string): Promise<StartResponse> {
    const { gate, operations, series } = this.deps;
    const start = parseDownloadDate('start_date', body.start_date);
    let end = parseDownloadDate('end_date', body.end_date);
    if (end < start)
      throw new ValidationError('end_date', 'is before start_date; swap them or widen the range');
    end = Math.min(end, Date.now());
    if (end < start)
      throw new ValidationError('start_date', 'is in the future; there is nothing to download yet');
    const symbol = SeriesStore.normalize(body.symbol);
    const instrumentType = body.instrument_type ?? 'stock';
    // fail fast, before any operation exists, when IB cannot be reached or the symbol is unknown
    const contract = await gate.validate({ symbol, instrument_type: instrumentType });
    const stored = series.bounds(symbol, body.timeframe);
    const plan = planDownload({
      timeframe: body.timeframe,
      range: { start, end },
      mode: body.mode,
      stored,
    });
    const record = operations.create<'data_load'>({
      type: dataLoadKind.operationType,
      metadata: {
        symbol,
        timeframe: body.timeframe,
        start_date: new Date(start).toISOString(),
        end_date: new Date(end).toISOString(),
        mode: plan.mode,
        instrument_type: instrumentType,
        exchange: contract.exchange,
        currency: contract.currency,
        chunks: plan.chunks.length,
      },
      provenance: {
        strategy_hash: null,
        data_etag: stored?.etag ?? null,
        code_version: this.deps.codeVersion,
      },
      job: { request: { ...body, symbol } },
      retryOf: retryOf ?? null,
    });
    record.routing_reason = `IB host service at ${gate.client.http.baseUrl}: ${plan.note}`;
    operations.markRunning(record.operation_id);
    const running: RunningDownload = { abort: new AbortController(), done: Promise.resolve() };
    running.done = this.run(record, plan.chunks, running)
      .catch((error: unknown) =>
        this.deps.log.error(
          { err: error, operation_id: record.operation_id },
          'download loop crashed',
        ),
      )
      .finally(() => this.running.delete(record.operation_id));
    this.running.set(record.operation_id, running);
    return { success: true, operation_id: record.operation_id, status: 'running' };
  }

  private async run(
    record: OperationRecord<'data_load'>,
    chunks: TimeRange[],
    running: RunningDownload,
  ): Promise<void> {
    const { operations, series, gate } = this.deps;
    const id = record.operation_id;
    const { symbol, timeframe } = record.metadata;
    const request = record.job?.request;
    if (!request) throw new Error(`data_load ${id} has no download request`);
    const pending = new PendingBars();
    const flushEveryMs = this.deps.flushEveryMs ?? 10_000;
    const flushEveryBars = this.deps.flushEveryBars ?? 200_000;
    let lastFlush = Date.now();
    let committedChunks = 0;
    let receivedChunks = 0;
    let downloaded = 0;
    let requests = 0;
    let emptyChunks = 0;
    let droppedForming = false;
    const startedAt = Date.now();

    let fetchMs = 0;
    let storeMs = 0;
    const flush = () => {
      const bars = pending.take(symbol, timeframe);
      const began = performance.now();
      if (bars) series.put(bars, 'merge');
      storeMs += performance.now() - began;
      committedChunks = receivedChunks;
      lastFlush = Date.now();
    };
    const report = (k: number, chunk: TimeRange | undefined) => {
      const elapsed = (Date.now() - startedAt) / 1000;
      const eta = k > 0 ? ((chunks.length - k) * elapsed) / k : null;
      operations.recordProgress(record, {
        percentage: chunks.length ? Math.round((k / chunks.length) * 10_000) / 100 : 100,
        current_step: chunk
          ? `${symbol} ${timeframe} · chunk ${k + 1}/${chunks.length} · ${day(chunk.start)} → ${day(chunk.end)}`
          : `${symbol} ${timeframe} · storing`,
        steps_completed: k,
        steps_total: chunks.length,
        items_processed: k,
        items_total: chunks.length,
        eta_seconds: eta === null ? null : Math.round(eta * 10) / 10,
        context: {
          chunk: Math.min(k + 1, chunks.length),
          chunks: chunks.length,
          bars_so_far: downloaded,
          requests,
        },
      });
    };

    try {
      for (let k = 0; k < chunks.length; k++) {
        const chunk = chunks[k] as TimeRange;
        if (running.abort.signal.aborted) break;
        report(k, chunk);
        let part: IbHistoricalResponse;
        const began = performance.now();
        try {
          part = await gate.client.historical(
            {
              symbol,
              timeframe,
              start: new Date(chunk.start).toISOString(),
              end: new Date(chunk.end).toISOString(),
              instrument_type: request.instrument_type ?? 'stock',
            },
            { signal: running.abort.signal },
          );
        } catch (error) {
          if (running.abort.signal.aborted) break;
          throw gate.translate(error);
        } finally {
          fetchMs += performance.now() - began;
        }
        pending.add(part);
        receivedChunks = k + 1;
        downloaded += part.time.length;
        requests += part.requests.length;
        if (part.time.length === 0) emptyChunks++;
        droppedForming ||= part.dropped_forming_bar;
        if (pending.count >= flushEveryBars || Date.now() - lastFlush >= flushEveryMs) flush();
      }
      report(receivedChunks, undefined);
      flush();
    } catch (error) {
      flush();
      const message = error instanceof Error ? error.message : String(error);
      operations.finish(id, 'failed', {
        error: `${message} (${committedChunks} of ${chunks.length} chunks stored; \`ktrdr data download\` with mode tail continues from there)`,
      });
      return;
    }
    if (running.stop) {
      operations.finish(id, running.stop.status, {
        reason: `${running.stop.reason}; ${committedChunks} of ${chunks.length} chunks stored, the series is otherwise unchanged`,
        error: running.stop.status === 'failed' ? running.stop.reason : null,
      });
      return;
    }
    const first = chunks[0]?.start;
    const last = chunks[chunks.length - 1]?.end;
    const stored = series.bounds(symbol, timeframe);
    const inRange =
      first !== undefined && last !== undefined
        ? series.range(symbol, timeframe, first, last)
        : undefined;
    const gaps = inRange ? findGaps(inRange.time, timeframe) : [];
    const summary: Omit<DataLoadResult, 'gap_list' | 'timings'> = {
      symbol,
      timeframe,
      mode: record.metadata.mode,
      chunks: chunks.length,
      empty_chunks: emptyChunks,
      ib_requests: requests,
      bars_downloaded: downloaded,
      bars_stored: stored?.count ?? 0,
      first_bar: stored ? new Date(stored.first).toISOString() : null,
      last_bar: stored ? new Date(stored.last).toISOString() : null,
      gaps: gaps.length,
      dropped_forming_bar: droppedForming,
    };
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const result: DataLoadResult = {
      ...summary,
      gap_list: gaps,
      timings: {
        total_ms: Date.now() - startedAt,
        fetch_ms: round(fetchMs),
        store_ms: round(storeMs),
      },
    };
    await this.deps.artifacts.write(id, RESULT_ARTIFACT, Readable.from([JSON.stringify(result)]));
    operations.finish(id, 'completed', { resultSummary: summary });
  }

  /**
   * Stops a running download: the chunk in flight is abandoned, the whole chunks already
   * received are committed, and the operation ends `cancelled`. Resolves with its final state.
   */
  async cancel(id: string, reason: string): Promise<Operation> {
    const running = this.running.get(id);
    const { operations } = this.deps;
    if (!running) {
      const record = operations.require(id);
      if (record.status === 'running' || record.status === 'pending') {
        return operations.toWire(operations.finish(id, 'cancelled', { reason }));
      }
      throw new ConflictError(
        `operation ${id} is already ${record.status}; there is nothing to cancel`,
        {
          status: record.status,
        },
      );
    }
    running.stop ??= { status: 'cancelled', reason };
    running.abort.abort();
    await running.done;
    return operations.toWire(operations.require(id));
  }

  /** A new download of the same request (the mode decides what is still missing). */
  retry(id: string): Promise<StartResponse> {
    const record = this.deps.operations.require(id);
    if (record.status === 'pending' || record.status === 'running') {
      throw new ConflictError(
        `operation ${id} is still ${record.status}; cancel it first or wait for it to end`,
        {
          status: record.status,
        },
      );
    }
    const request = isOfKind(record, dataLoadKind.operationType) ? record.job?.request : undefined;
    if (!request) throw new ConflictError(`operation ${id} has no download request to repeat`);
    return this.start(request, id);
  }

  /** After a restart: a download the previous run left `running` cannot go on; say so. */
  interrupted(record: OperationRecord): void {
    this.failInterrupted([record]);
  }

  /** After a restart: downloads the previous run left `running` cannot go on; say so. */
  failInterrupted(records: OperationRecord[]): void {
    for (const record of records) {
      this.deps.operations.finish(record.operation_id, 'failed', {
        error:
          'the backend stopped during this download; the whole chunks received before were stored. Retry it: mode tail continues after the last stored bar',
      });
    }
  }

  /** Stops every download (the backend is shutting down), committing whole chunks first. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    for (const running of all) {
      running.stop ??= { status: 'failed', reason: 'the backend stopped during this download' };
      running.abort.abort();
    }
    await Promise.all(all.map((r) => r.done));
  }
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
