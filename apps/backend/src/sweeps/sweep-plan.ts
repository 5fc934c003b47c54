import type { BacktestStartRequest, SeriesRef, SweepStartRequest } from '@ktrdr/shared';
import { AppError, ValidationError } from '@ktrdr/server-kit';
import type { BacktestService } from '../backtests/backtest-service.js';
import type { SeriesStore } from '../data/series-store.js';
import type { NewOperation } from '../operations/operations-service.js';
import { parameterSets, type ParameterSet } from './parameter-space.js';
import { backtestFields, type WalkForwardMetadata } from './sweep-metadata.js';
import { walkForwardWindows } from './walk-forward.js';

/** A sweep before anything is stored: its children, checked, and its own metadata. */
export interface SweepPlan {
  children: NewOperation[];
  /** The first set over the whole range: what the parent's metadata and provenance describe. */
  first: NewOperation;
  metadata: Record<string, unknown>;
  walkForward?: WalkForwardMetadata;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Plans a sweep: expands the space into parameter sets (at most `limit`), splits the range
 * into walk-forward windows when asked, and prepares one backtest per set (and window),
 * checking each — a set the strategy cannot take is refused, naming it, before anything
 * is stored.
 */
export function planSweep(
  body: SweepStartRequest,
  parentId: string,
  limit: number,
  deps: { backtests: BacktestService; series: SeriesStore },
): SweepPlan {
  const { paths, sets } = parameterSets(body, limit);
  const base = backtestFields(body);
  const prepareSet = (
    set: ParameterSet,
    index: number,
    range: Partial<BacktestStartRequest> = {},
    where = '',
  ): NewOperation => {
    try {
      return deps.backtests.prepare({ ...base, ...range, parameters: set }, parentId, {
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
  let whole: NewOperation | undefined;
  if (body.walk_forward) {
    const { in_sample_bars, out_of_sample_bars } = body.walk_forward;
    whole = prepareSet(sets[0]!, 0);
    const data = (whole.job as { data: SeriesRef }).data;
    const bars = deps.series.range(
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
  const first = whole ?? children[0]!;
  const metadata: Record<string, unknown> = {
    ...first.metadata,
    parameters: body.parameters,
    mode: body.mode ?? 'grid',
    objective: body.objective ?? 'sharpe_ratio',
    constraints: body.constraints ?? {},
    dimensions: paths,
    total: children.length + (walkForward?.windows.length ?? 0),
    ...(walkForward ? { walk_forward: walkForward } : {}),
  };
  return { children, first, metadata, ...(walkForward ? { walkForward } : {}) };
}
