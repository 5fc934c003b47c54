import { Readable } from 'node:stream';
import {
  isTerminalStatus,
  type BacktestStartRequest,
  type SeriesRef,
  SMALLER_IS_BETTER,
  type LeaderboardRow,
  type Operation,
  type StartResponse,
  type SweepObjective,
  type SweepResult,
  type SweepStartRequest,
  type WalkForwardResult,
} from '@ktrdr/shared';
import { AppError, ConflictError, ValidationError } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { BacktestService } from '../backtests/backtest-service.js';
import type { SeriesStore } from '../data/series-store.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { requireWorkersOfType } from '../dispatch/worker-availability.js';
import type { LocalRunner, OperationActions } from '../operations/operation-actions.js';
import { FULL_RESULT_ARTIFACT, RESULT_ARTIFACT } from '../operations/operation-actions.js';
import { newOperationId } from '../operations/operation-ids.js';
import type { OperationRecord } from '../operations/operation-record.js';
import type { NewOperation, OperationsService } from '../operations/operations-service.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import { parameterSets, type ParameterSet } from './parameter-space.js';
import { stitchEquity, walkForwardWindows, type EquityPoint } from './walk-forward.js';

/** What the sweep service needs. */
export interface SweepServiceDeps {
  operations: OperationsService;
  backtests: BacktestService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  actions: OperationActions;
  artifacts: ArtifactStore;
  series: SeriesStore;
  log: FastifyBaseLogger;
  /** The most children one sweep may make (a request's `max_children` can only lower it). */
  maxChildren: number;
  backendUrl: () => string;
}

interface WalkForwardMetadata {
  in_sample_bars: number;
  out_of_sample_bars: number;
  windows: {
    in_sample: { start: string; end: string };
    out_of_sample: { start: string; end: string };
  }[];
}

interface SweepMetadata {
  objective: SweepObjective;
  dimensions: string[];
  constraints: Record<string, { min?: number; max?: number }>;
  total: number;
  walk_forward?: WalkForwardMetadata;
}

const iso = (ms: number) => new Date(ms).toISOString();
const phaseOf = (child: OperationRecord) => child.metadata.phase as string | undefined;
const windowOf = (child: OperationRecord) =>
  typeof child.metadata.window === 'number' ? child.metadata.window : undefined;

const SWEEP_ONLY_FIELDS = [
  'parameters',
  'mode',
  'samples',
  'seed',
  'objective',
  'constraints',
  'max_children',
] as const;

/** The backtest every child runs, before its parameter set is applied. */
function backtestFields(body: SweepStartRequest): BacktestStartRequest {
  const copy: Record<string, unknown> = { ...body };
  for (const field of SWEEP_ONLY_FIELDS) delete copy[field];
  return copy as BacktestStartRequest;
}

/** Ranks a metric value: larger is better unless the objective says otherwise; null last. */
function better(objective: SweepObjective) {
  const sign = SMALLER_IS_BETTER.includes(objective) ? 1 : -1;
  return (a: number | null | undefined, b: number | null | undefined): number => {
    const x = typeof a === 'number' && Number.isFinite(a) ? a : null;
    const y = typeof b === 'number' && Number.isFinite(b) ? b : null;
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    return sign * (x - y);
  };
}

/**
 * Parameter sweeps: one parent `sweep` operation, run by the backend itself, and one
 * ordinary backtest per parameter set, queued for every free backtest worker. Every set is
 * checked before anything is queued. The parent's progress counts its children; it ends
 * when they all have (completed unless every one failed); cancelling it cancels the
 * children still to finish; resuming it queues only those that did not complete. Its
 * result — live while it runs — is the leaderboard: every set, ranked by the objective.
 */
export class SweepService implements LocalRunner {
  /** Sweeps being cancelled: their children's ends must not complete them. */
  private readonly cancelling = new Set<string>();
  /** When each running sweep started counting (for its ETA). */
  private readonly startedAt = new Map<string, number>();

  constructor(private readonly deps: SweepServiceDeps) {
    deps.operations.onEnd((record) => {
      if (record.parent_operation_id) this.childEnded(record.parent_operation_id, record);
    });
  }

  /** Checks the request and every parameter set, then creates the sweep and queues its children. */
  async start(body: SweepStartRequest): Promise<StartResponse> {
    const { operations, backtests, dispatcher, registry, maxChildren } = this.deps;
    const limit = Math.min(body.max_children ?? maxChildren, maxChildren);
    const { paths, sets } = parameterSets(body, limit);
    const base = backtestFields(body);
    const objective = body.objective ?? 'sharpe_ratio';
    const parentId = newOperationId('sweep', new Date());
    const prepareSet = (
      set: ParameterSet,
      index: number,
      range: Partial<BacktestStartRequest> = {},
      where = '',
    ): NewOperation => {
      try {
        return backtests.prepare({ ...base, ...range, parameters: set }, parentId, {
          strategyByReference: true,
        });
      } catch (error) {
        if (error instanceof AppError && error.statusCode === 400)
          throw new ValidationError(
            'parameters',
            `set ${index + 1} of ${sets.length} (${JSON.stringify(set)})${where}: ${error.message}`,
          );
        throw error;
      }
    };
    let children: NewOperation[];
    let walkForward: WalkForwardMetadata | undefined;
    /** The first set over the whole range (walk-forward children cover windows of it). */
    let whole: NewOperation | undefined;
    if (body.walk_forward) {
      const { in_sample_bars, out_of_sample_bars } = body.walk_forward;
      whole = prepareSet(sets[0]!, 0);
      const data = (whole.job as { data: SeriesRef }).data;
      const bars = this.deps.series.range(
        data.symbol,
        data.timeframe,
        Date.parse(data.start),
        Date.parse(data.end),
      );
      const windows = walkForwardWindows(bars?.time ?? [], in_sample_bars, out_of_sample_bars);
      const count = windows.length * (sets.length + 1);
      if (count > limit)
        throw new ValidationError(
          'walk_forward',
          `the sweep would make ${count} backtests (${windows.length} windows × ${sets.length} sets, plus one out-of-sample run per window), more than the ${limit} allowed (max_children); use longer windows or a smaller space`,
          { count, max: limit },
        );
      walkForward = {
        in_sample_bars,
        out_of_sample_bars,
        windows: windows.map((w) => ({
          in_sample: { start: iso(w.inSample.start), end: iso(w.inSample.end) },
          out_of_sample: { start: iso(w.outOfSample.start), end: iso(w.outOfSample.end) },
        })),
      };
      children = windows.flatMap((w, k) =>
        sets.map((set, index) => {
          const child = prepareSet(
            set,
            index,
            { start_date: iso(w.inSample.start), end_date: iso(w.inSample.end) },
            ` in window ${k + 1}`,
          );
          return { ...child, metadata: { ...child.metadata, window: k, phase: 'in_sample' } };
        }),
      );
    } else children = sets.map((set, index) => prepareSet(set, index));
    requireWorkersOfType(registry, 'backtesting', this.deps.backendUrl());
    const first = whole ?? children[0]!;
    const metadata: Record<string, unknown> = {
      ...first.metadata,
      parameters: body.parameters,
      mode: body.mode ?? 'grid',
      objective,
      constraints: body.constraints ?? {},
      dimensions: paths,
      total: children.length + (walkForward?.windows.length ?? 0),
      ...(walkForward ? { walk_forward: walkForward } : {}),
    };
    const parent = operations.create({
      operationId: parentId,
      type: 'sweep',
      metadata,
      provenance: first.provenance,
      job: { request: body },
    });
    operations.markRunning(parentId);
    this.startedAt.set(parentId, Date.now());
    const records = children.map((child) => operations.create(child));
    this.updateProgress(parentId);
    // queued in order; a worker frees, it takes the next (no waiting here for dispatches)
    for (const record of records) void dispatcher.submit(record);
    this.deps.log.info({ operation_id: parentId, children: records.length }, 'sweep started');
    return { success: true, operation_id: parent.operation_id, status: 'running' };
  }

  private meta(record: OperationRecord): SweepMetadata {
    const m = record.metadata as Partial<SweepMetadata>;
    return {
      objective: m.objective ?? 'sharpe_ratio',
      dimensions: m.dimensions ?? [],
      constraints: m.constraints ?? {},
      total: m.total ?? 0,
      ...(m.walk_forward ? { walk_forward: m.walk_forward } : {}),
    };
  }

  /** Done/total, ETA from the observed rate; ends the sweep when every child has. */
  private childEnded(parentId: string, child?: OperationRecord): void {
    const parent = this.deps.operations.get(parentId);
    if (!parent || parent.operation_type !== 'sweep' || isTerminalStatus(parent.status)) return;
    const window = child ? windowOf(child) : undefined;
    if (
      child &&
      phaseOf(child) === 'in_sample' &&
      window !== undefined &&
      !this.cancelling.has(parentId)
    )
      this.startOutOfSample(parent, window);
    const ended = this.updateProgress(parentId);
    if (!ended || this.cancelling.has(parentId)) return;
    void this.finishSweep(parentId);
  }

  /**
   * Walk-forward: once every in-sample run of window `k` has ended, its best set is
   * backtested on the window's out-of-sample bars (once).
   */
  private startOutOfSample(parent: OperationRecord, k: number): void {
    const { operations, backtests, dispatcher } = this.deps;
    const meta = this.meta(parent);
    const span = meta.walk_forward?.windows[k];
    if (!span) return;
    const inWindow = operations.children(parent.operation_id).filter((c) => windowOf(c) === k);
    if (inWindow.some((c) => phaseOf(c) === 'out_of_sample')) return;
    const inSample = inWindow.filter((c) => phaseOf(c) === 'in_sample');
    if (inSample.some((c) => !isTerminalStatus(c.status))) return;
    const best = this.rank(parent, inSample).leaderboard[0];
    if (!best || best.rank === null) return;
    const request = (parent.job as { request?: SweepStartRequest } | null)?.request;
    if (!request) return;
    const metadata = {
      window: k,
      phase: 'out_of_sample',
      in_sample_value: best.metrics?.[meta.objective] ?? null,
    };
    let child: NewOperation;
    try {
      child = backtests.prepare(
        {
          ...backtestFields(request),
          start_date: span.out_of_sample.start,
          end_date: span.out_of_sample.end,
          parameters: best.parameters,
        },
        parent.operation_id,
        { strategyByReference: true },
      );
    } catch (error) {
      // e.g. too few out-of-sample bars for the indicators' warm-up: visible, not silent
      const failed = operations.create({
        type: 'backtesting',
        parentOperationId: parent.operation_id,
        metadata: { parameters: best.parameters, ...metadata },
        provenance: parent.provenance,
        job: null,
      });
      operations.finish(failed.operation_id, 'failed', {
        error: `window ${k + 1} out of sample: ${(error as Error).message}`,
      });
      return;
    }
    const record = operations.create({ ...child, metadata: { ...child.metadata, ...metadata } });
    void dispatcher.submit(record, { front: true });
  }

  /** True when nothing is left to run: every child ended, and every walk-forward window is settled. */
  private allEnded(parent: OperationRecord, children: OperationRecord[]): boolean {
    if (children.some((c) => !isTerminalStatus(c.status))) return false;
    const windows = this.meta(parent).walk_forward?.windows.length ?? 0;
    for (let k = 0; k < windows; k++) {
      const inWindow = children.filter((c) => windowOf(c) === k);
      const tested = inWindow.some((c) => phaseOf(c) === 'out_of_sample');
      const anyCompleted = inWindow.some((c) => c.status === 'completed');
      if (!tested && anyCompleted) return false;
    }
    return true;
  }

  /** Updates the parent's progress; true when every child has ended. */
  private updateProgress(parentId: string): boolean {
    const { operations } = this.deps;
    const parent = operations.require(parentId);
    const children = operations.children(parentId);
    const total = Math.max(children.length, this.meta(parent).total);
    const counts = { completed: 0, failed: 0, cancelled: 0, running: 0, pending: 0 };
    for (const child of children) counts[child.status] += 1;
    const done = counts.completed + counts.failed + counts.cancelled;
    const since = this.startedAt.get(parentId) ?? Date.now();
    const elapsed = (Date.now() - since) / 1000;
    const eta = done > 0 && done < total ? Math.round((elapsed / done) * (total - done)) : null;
    // the current leaders ride along in the progress, for the live views (CLI, UI)
    const board = this.rank(parent, children);
    const top = board.leaderboard
      .filter((row) => row.rank !== null)
      .slice(0, 5)
      .map((row) => ({
        rank: row.rank,
        value: row.metrics?.[board.objective] ?? null,
        parameters: row.parameters,
        operation_id: row.operation_id,
      }));
    operations.recordProgress(parent, {
      percentage: total === 0 ? 100 : Math.round((done / total) * 1000) / 10,
      current_step: `${done} of ${total} backtests done (${counts.running} running, ${counts.failed} failed)`,
      steps_completed: done,
      steps_total: total,
      items_processed: done,
      items_total: total,
      eta_seconds: eta,
      context: { ...counts, objective: board.objective, top },
    });
    return this.allEnded(parent, children);
  }

  private async finishSweep(parentId: string): Promise<void> {
    const { operations, artifacts } = this.deps;
    const result = this.result(parentId);
    await this.stitched(result);
    await artifacts.write(parentId, RESULT_ARTIFACT, Readable.from([JSON.stringify(result)]));
    const best = result.leaderboard[0];
    const allFailed = (result.counts.completed ?? 0) === 0 && (result.counts.failed ?? 0) > 0;
    operations.finish(parentId, allFailed ? 'failed' : 'completed', {
      error: allFailed ? `every one of the ${result.total} backtests failed` : null,
      resultSummary: {
        total: result.total,
        ...result.counts,
        objective: result.objective,
        best_value: best?.metrics?.[result.objective] ?? null,
        best_parameters: best?.rank === 1 ? best.parameters : null,
        best_operation_id: best?.rank === 1 ? best.operation_id : null,
        ...(result.walk_forward
          ? {
              // what to trade next: the latest window's winner, and how the method did out of sample
              best_parameters:
                result.walk_forward.windows.findLast((w) => w.best_parameters)?.best_parameters ??
                null,
              out_of_sample_total_return: result.walk_forward.metrics?.total_return ?? null,
              out_of_sample_max_drawdown: result.walk_forward.metrics?.max_drawdown ?? null,
              windows: result.walk_forward.windows.length,
            }
          : {}),
      },
    });
    this.startedAt.delete(parentId);
  }

  /** The leaderboard now: completed sets ranked by the objective (constraints first), then the rest. */
  result(parentId: string): SweepResult {
    const { operations } = this.deps;
    return this.rank(operations.require(parentId), operations.children(parentId));
  }

  private rank(parent: OperationRecord, children: OperationRecord[]): SweepResult {
    const meta = this.meta(parent);
    const compare = better(meta.objective);
    const counts: Record<string, number> = {};
    const rows: LeaderboardRow[] = children.map((child) => {
      const window = windowOf(child);
      counts[child.status] = (counts[child.status] ?? 0) + 1;
      const summary = child.result_summary;
      const metrics =
        child.status === 'completed' && summary
          ? Object.fromEntries(
              Object.entries(summary).filter(
                ([k, v]) => typeof v === 'number' || (v === null && k !== 'model_id'),
              ),
            )
          : null;
      const meets =
        metrics !== null &&
        Object.entries(meta.constraints).every(([metric, bound]) => {
          const value = metrics[metric];
          if (typeof value !== 'number') return false;
          return (
            (bound.min === undefined || value >= bound.min) &&
            (bound.max === undefined || value <= bound.max)
          );
        });
      return {
        rank: null,
        parameters: (child.metadata.parameters ?? {}) as ParameterSet,
        metrics: metrics as LeaderboardRow['metrics'],
        operation_id: child.operation_id,
        status: child.status,
        meets_constraints: meets,
        error:
          child.status === 'failed' || child.status === 'cancelled' ? child.error_message : null,
        ...(window !== undefined ? { window } : {}),
      };
    });
    // walk-forward: out-of-sample runs are reported per window, not ranked with the search
    const searched = rows.filter((_, i) => phaseOf(children[i]!) !== 'out_of_sample');
    searched.sort((a, b) => {
      if ((a.window ?? 0) !== (b.window ?? 0)) return (a.window ?? 0) - (b.window ?? 0);
      if ((a.metrics === null) !== (b.metrics === null)) return a.metrics === null ? 1 : -1;
      if (a.meets_constraints !== b.meets_constraints) return a.meets_constraints ? -1 : 1;
      return compare(a.metrics?.[meta.objective], b.metrics?.[meta.objective]);
    });
    let rank = 0;
    let window: number | undefined;
    for (const row of searched) {
      if (row.window !== window) {
        window = row.window;
        rank = 0;
      }
      if (row.metrics !== null) row.rank = ++rank;
    }
    const walkForward = meta.walk_forward ? this.walkForwardSummary(meta, children) : undefined;
    return {
      objective: meta.objective,
      direction: SMALLER_IS_BETTER.includes(meta.objective) ? 'min' : 'max',
      total: rows.length,
      counts,
      leaderboard: searched,
      dimensions: meta.dimensions,
      ...(walkForward ? { walk_forward: walkForward } : {}),
    };
  }

  /** Each window's winner and how it did out of sample (the stitched curve comes at the end). */
  private walkForwardSummary(meta: SweepMetadata, children: OperationRecord[]): WalkForwardResult {
    const wf = meta.walk_forward!;
    return {
      in_sample_bars: wf.in_sample_bars,
      out_of_sample_bars: wf.out_of_sample_bars,
      windows: wf.windows.map((span, k) => {
        const test = children.find((c) => windowOf(c) === k && phaseOf(c) === 'out_of_sample');
        const summary = test?.status === 'completed' ? test.result_summary : null;
        return {
          window: k,
          in_sample: span.in_sample,
          out_of_sample: span.out_of_sample,
          best_parameters: test
            ? ((test.metadata.parameters ?? null) as ParameterSet | null)
            : null,
          in_sample_value:
            typeof test?.metadata.in_sample_value === 'number'
              ? test.metadata.in_sample_value
              : null,
          out_of_sample_operation_id: test?.operation_id ?? null,
          out_of_sample_status: test?.status ?? null,
          out_of_sample_metrics: summary
            ? (Object.fromEntries(
                Object.entries(summary).filter(([, v]) => typeof v === 'number' || v === null),
              ) as Record<string, number | null>)
            : null,
        };
      }),
      equity_curve: [],
      metrics: null,
    };
  }

  /** The out-of-sample equity curves of a finished walk-forward, chained into one. */
  private async stitched(result: SweepResult): Promise<void> {
    const wf = result.walk_forward;
    if (!wf) return;
    const segments: EquityPoint[][] = [];
    for (const window of wf.windows) {
      if (window.out_of_sample_status !== 'completed' || !window.out_of_sample_operation_id)
        continue;
      const id = window.out_of_sample_operation_id;
      const text =
        (await this.deps.artifacts.readText(id, FULL_RESULT_ARTIFACT)) ??
        (await this.deps.artifacts.readText(id, RESULT_ARTIFACT));
      if (!text) continue;
      const curve = (JSON.parse(text) as { equity_curve?: { time: string; equity: number }[] })
        .equity_curve;
      segments.push((curve ?? []).map((p) => ({ time: Date.parse(p.time), equity: p.equity })));
    }
    const { curve, metrics } = stitchEquity(segments);
    wf.equity_curve = curve;
    wf.metrics = metrics;
  }

  /** Cancels every child that has not finished, then the sweep. */
  async cancel(id: string, reason: string): Promise<Operation> {
    const { operations, actions } = this.deps;
    const parent = operations.require(id);
    if (isTerminalStatus(parent.status))
      throw new ConflictError(
        `operation ${id} is already ${parent.status}; there is nothing to cancel`,
        {
          status: parent.status,
        },
      );
    this.cancelling.add(id);
    try {
      const open = operations.children(id).filter((c) => !isTerminalStatus(c.status));
      // queued children first (they leave at once), so no worker frees up and takes one
      open.sort((a, b) => (a.status === 'pending' ? -1 : 0) - (b.status === 'pending' ? -1 : 0));
      for (const child of open) {
        try {
          await actions.cancel(child.operation_id, reason.replace(/^cancelled: /, ''));
        } catch (error) {
          // it ended on its own meanwhile: nothing to cancel
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      this.updateProgress(id);
      return operations.toWire(operations.finish(id, 'cancelled', { reason }));
    } finally {
      this.cancelling.delete(id);
    }
  }

  /** Queues again only the children that did not complete; the sweep runs again. */
  async resume(id: string): Promise<{ operation_id: string; status: OperationRecord['status'] }> {
    const { operations, dispatcher, registry } = this.deps;
    const parent = operations.require(id);
    if (parent.status !== 'failed' && parent.status !== 'cancelled')
      throw new ConflictError(
        `operation ${id} is ${parent.status}; only a failed or cancelled sweep can be resumed`,
        { status: parent.status },
      );
    requireWorkersOfType(registry, 'backtesting', this.deps.backendUrl());
    const unfinished = operations
      .children(id)
      .filter((c) => c.status === 'failed' || c.status === 'cancelled');
    operations.reopen(id);
    this.startedAt.set(id, Date.now());
    const again = unfinished.map((child) => operations.requeue(child.operation_id));
    this.updateProgress(id);
    for (const record of again) void dispatcher.submit(record);
    if (again.length === 0) await this.finishSweep(id);
    return { operation_id: id, status: 'running' };
  }

  /** A new sweep from the same request. */
  async retry(id: string): Promise<StartResponse> {
    const record = this.deps.operations.require(id);
    if (!isTerminalStatus(record.status))
      throw new ConflictError(
        `operation ${id} is still ${record.status}; cancel it first or wait for it to end`,
        {
          status: record.status,
        },
      );
    const request = (record.job as { request?: SweepStartRequest } | null)?.request;
    if (!request) throw new ConflictError(`operation ${id} kept no request to run again`);
    return this.start(request);
  }

  /** The leaderboard as JSON text (the result route; live while the sweep runs). */
  async resultText(id: string): Promise<string> {
    const record = this.deps.operations.require(id);
    if (record.status === 'completed') {
      const stored = await this.deps.artifacts.readText(id, RESULT_ARTIFACT);
      if (stored !== undefined) return stored;
    }
    return JSON.stringify(this.result(id));
  }

  /**
   * After a restart: sweeps that were running follow their children again; one whose
   * children all ended while the backend was down ends now.
   */
  reattach(): void {
    for (const parent of this.deps.operations.byStatus('running')) {
      if (parent.operation_type !== 'sweep') continue;
      this.startedAt.set(parent.operation_id, Date.now());
      this.childEnded(parent.operation_id);
    }
  }
}

/** The leaderboard as CSV: rank, each swept path, the objective, the other metrics, status, id. */
export function leaderboardCsv(result: SweepResult): string {
  const metricNames = [
    ...new Set(result.leaderboard.flatMap((row) => Object.keys(row.metrics ?? {}))),
  ].sort((a, b) => (a === result.objective ? -1 : b === result.objective ? 1 : a.localeCompare(b)));
  const cell = (value: string | number | boolean | null | undefined) => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = [
    'rank',
    ...result.dimensions,
    ...metricNames,
    'meets_constraints',
    'status',
    'operation_id',
    'error',
  ];
  const lines = result.leaderboard.map((row) =>
    [
      row.rank,
      ...result.dimensions.map((d) => row.parameters[d]),
      ...metricNames.map((m) => row.metrics?.[m]),
      row.meets_constraints,
      row.status,
      row.operation_id,
      row.error,
    ]
      .map(cell)
      .join(','),
  );
  return [header.map(cell).join(','), ...lines].join('\n') + '\n';
}
