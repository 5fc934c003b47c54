import {
  PARAM_SORT_PREFIX,
  sweepKind,
  type StartResponse,
  type SweepHeatmap,
  type SweepSetsPage,
  type SweepSetsQuery,
} from '@ktrdr/shared';
import { ConflictError, NotFoundError, ValidationError } from '@ktrdr/server-kit';
import type { BacktestService } from '../backtests/backtest-service.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { requireWorkersOfType } from '../dispatch/worker-availability.js';
import { isOfKind, type OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import { leaderboardCsvLines } from './leaderboard-csv.js';
import { heatmapCells } from './sweep-heatmap.js';
import { backtestFields, rankingOf, sweepMetadata, sweepRequest } from './sweep-metadata.js';
import type { SweepSetStore } from './sweep-set-store.js';

/** A `param:<path>` sort names one of the sweep's swept paths, or it is a 400 listing them. */
function requireSwept(sort: string, dimensions: readonly string[]): void {
  const path = sort.slice(PARAM_SORT_PREFIX.length);
  if (dimensions.includes(path)) return;
  throw new ValidationError(
    'query.sort',
    `"${path}" is not a parameter this sweep sweeps; sort by ${dimensions.map((d) => `${PARAM_SORT_PREFIX}${d}`).join(', ')}`,
    { swept: [...dimensions] },
  );
}

/** What reading a sweep's sets needs. */
export interface SweepSetsDeps {
  operations: OperationsService;
  sets: SweepSetStore;
  backtests: BacktestService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  backendUrl: () => string;
}

/**
 * A sweep's parameter sets as the API serves them — pages in any order, the CSV of every
 * row, the heat map — and any set opened as a full backtest. Reads only the store (the
 * sweep service runs the sweep; this never changes a set's result).
 */
export class SweepSets {
  constructor(private readonly deps: SweepSetsDeps) {}

  /** A page of the sweep's sets (any order, filtered). */
  setsPage(sweepId: string, query: SweepSetsQuery): SweepSetsPage {
    const meta = sweepMetadata(this.requireSweep(sweepId));
    if (query.sort?.startsWith(PARAM_SORT_PREFIX)) requireSwept(query.sort, meta.dimensions);
    return this.deps.sets.page(sweepId, query, rankingOf(meta));
  }

  /** The heat map of the first two swept paths (one window of a walk-forward; default the first). */
  heatmap(sweepId: string, window?: number): SweepHeatmap {
    const record = this.requireSweep(sweepId);
    const meta = sweepMetadata(record);
    const [yPath, xPath] = meta.dimensions;
    if (!yPath || !xPath)
      throw new ConflictError(
        `sweep ${sweepId} sweeps ${meta.dimensions.length} parameter; a heat map needs two`,
      );
    const windowed = meta.walk_forward ? (window ?? 0) : undefined;
    const points = this.deps.sets.heatPoints(sweepId, windowed, yPath, xPath);
    const { aggregated, cells } = heatmapCells(points);
    return {
      dimensions: [yPath, xPath],
      aggregated,
      sets: points.length,
      cells: cells.map(({ set_index, y, x }) => {
        const row = this.deps.sets.get(sweepId, set_index)!;
        return { ...row, parameters: { ...row.parameters, [yPath]: y, [xPath]: x } };
      }),
    };
  }

  /** Every set as CSV lines, page by page (for a streamed response). */
  async *setsCsv(sweepId: string, query: SweepSetsQuery): AsyncGenerator<string> {
    const meta = sweepMetadata(this.requireSweep(sweepId));
    const pageSize = 1000;
    let header = true;
    for (let offset = 0; ; offset += pageSize) {
      const page = this.setsPage(sweepId, { ...query, limit: pageSize, offset });
      yield leaderboardCsvLines(meta.dimensions, meta.objective, page.rows, header);
      header = false;
      if (page.rows.length < pageSize) return;
      // let other requests in between pages
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * A full backtest of one set: made once (deterministic: same strategy version, overrides,
   * bars and costs as the set's row, so its metrics equal the row's), then the same id.
   */
  async openSet(sweepId: string, setIndex: number): Promise<StartResponse> {
    const { sets, backtests, operations, dispatcher, registry } = this.deps;
    const record = this.requireSweep(sweepId);
    const row = sets.get(sweepId, setIndex);
    if (!row) throw new NotFoundError(`set ${setIndex} of sweep`, sweepId);
    if (row.operation_id) {
      const made = operations.get(row.operation_id);
      if (made) return { success: true, operation_id: made.operation_id, status: made.status };
    }
    const request = sweepRequest(record)!;
    const meta = sweepMetadata(record);
    const span = row.window !== undefined ? meta.walk_forward?.windows[row.window] : undefined;
    const prepared = backtests.prepare(
      {
        ...backtestFields(request),
        ...(span ? { start_date: span.in_sample.start, end_date: span.in_sample.end } : {}),
        parameters: row.parameters,
      },
      sweepId,
      { strategyByReference: true },
    );
    requireWorkersOfType(registry, 'backtesting', this.deps.backendUrl());
    const backtest = operations.create<'backtesting'>({
      ...prepared,
      metadata: {
        ...prepared.metadata,
        set_index: setIndex,
        ...(row.window !== undefined ? { window: row.window, phase: 'in_sample' } : {}),
      },
    });
    sets.setOperation(sweepId, setIndex, backtest.operation_id);
    await dispatcher.submit(backtest);
    return { success: true, operation_id: backtest.operation_id, status: backtest.status };
  }

  private requireSweep(id: string): OperationRecord {
    const record = this.deps.operations.require(id);
    if (!isOfKind(record, sweepKind.operationType))
      throw new ConflictError(
        `operation ${id} is a ${record.operation_type} operation, not a sweep; it has no parameter sets`,
      );
    return record;
  }
}
