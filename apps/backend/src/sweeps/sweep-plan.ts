import {
  applyOverrides,
  feasibilityIssues,
  setIssues,
  sweptIndicators,
  withOverrides,
} from '@ktrdr/engine/validate';
import type { BacktestStartRequest, SeriesRef, SweepStartRequest } from '@ktrdr/shared';
import { AppError, ValidationError } from '@ktrdr/server-kit';
import type { BacktestService } from '../backtests/backtest-service.js';
import type { SeriesStore } from '../data/series-store.js';
import type { StrategyStore } from '../strategies/strategy-store.js';
import type { NewOperation } from '../operations/operations-service.js';
import { parameterSets, type ParameterSet } from './parameter-space.js';
import { backtestFields, type WalkForwardMetadata } from './sweep-metadata.js';
import type { NewSweepSet } from './sweep-set-store.js';
import { walkForwardWindows } from './walk-forward.js';

/** A sweep before anything is stored: its sets, checked, and its own metadata. */
export interface SweepPlan {
  /** Every parameter set (walk-forward: every set of every window, window-major). */
  sets: NewSweepSet[];
  /** A backtest of the first set over the whole range: what the sweep's metadata and provenance describe. */
  first: NewOperation<'backtesting'>;
  metadata: Record<string, unknown>;
  walkForward?: WalkForwardMetadata;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Sets checked between two turns of the event loop. */
const CHECK_SLICE = 5000;

/** Lets the event loop answer what waits (heartbeats, reports) before going on. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Plans a sweep: expands the space into parameter sets (at most `limit`, counting every
 * window's), splits the range into walk-forward windows when asked, and checks every set
 * against the strategy and the bars it would run on — a set the strategy cannot take is
 * refused, naming it, before anything is stored. The first set goes through the full
 * backtest check (strategy, series, range, model); the others through what a set changes
 * (each swept value, each combination's indicator checks, the warm-up they need), so
 * 100,000 sets plan in well under a second.
 */
export async function planSweep(
  body: SweepStartRequest,
  limit: number,
  deps: { backtests: BacktestService; series: SeriesStore; strategies: StrategyStore },
): Promise<SweepPlan> {
  const { paths, sets } = parameterSets(body, limit, limitName(body));
  const base = backtestFields(body);
  const refuse = (index: number, set: ParameterSet, where: string, message: string) =>
    new ValidationError(
      'parameters',
      `set ${index + 1} of ${sets.length} (${JSON.stringify(set)})${where}: ${message}`,
    );
  const prepareFirst = (range: Partial<BacktestStartRequest> = {}, where = '') => {
    try {
      return deps.backtests.prepare({ ...base, ...range, parameters: sets[0]! }, undefined, {
        strategyByReference: true,
      });
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400)
        throw refuse(0, sets[0]!, where, error.message);
      throw error;
    }
  };
  const stored = deps.strategies.get(body.strategy_name)!;
  const swept = sweptIndicators(paths);
  /**
   * Checks sets 2… of one range (the first passed the full check): each distinct swept
   * value once with the full check (types, bounds, references), then each set for what
   * only a combination can break (an indicator's own consistency check) and the warm-up
   * it needs — the full check per set costs ~50 µs, 5 s for 100,000 sets.
   */
  const checkSets = async (barCount: number, where: string) => {
    for (const path of paths) {
      const seen = new Set<string>();
      sets.forEach((set, i) => {
        const value = set[path]!;
        const key = `${typeof value}:${String(value)}`;
        if (seen.has(key)) return;
        seen.add(key);
        const { issues } = applyOverrides(stored.config, { [path]: value });
        if (issues.length > 0)
          throw refuse(i, set, where, issues.map((p) => `${p.path}: ${p.message}`).join('; '));
      });
    }
    for (let i = 1; i < sets.length; i++) {
      // a large sweep is checked in slices, so heartbeats and reports are answered meanwhile
      if (i % CHECK_SLICE === 0) await yieldToEventLoop();
      const config = withOverrides(stored.config, sets[i]!);
      const issues = setIssues(config, swept);
      const problems = issues.length > 0 ? issues : feasibilityIssues(config, barCount);
      if (problems.length > 0)
        throw refuse(i, sets[i]!, where, problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    }
  };
  const barsIn = (data: SeriesRef) =>
    deps.series.countInRange(
      data.symbol,
      data.timeframe,
      Date.parse(data.start),
      Date.parse(data.end),
    );

  const first = prepareFirst();
  const metadata: Record<string, unknown> = {
    ...first.metadata,
    parameters: body.parameters,
    mode: body.mode ?? 'grid',
    objective: body.objective ?? 'sharpe_ratio',
    constraints: body.constraints ?? {},
    dimensions: paths,
  };
  if (!body.walk_forward) {
    await checkSets(barsIn(first.job!.data), '');
    return {
      sets: sets.map((parameters, set_index) => ({ set_index, parameters })),
      first,
      metadata: { ...metadata, total: sets.length },
    };
  }

  const { in_sample_bars, out_of_sample_bars } = body.walk_forward;
  const data = first.job!.data;
  const bars = deps.series.range(
    data.symbol,
    data.timeframe,
    Date.parse(data.start),
    Date.parse(data.end),
  );
  const windows = walkForwardWindows(bars?.time ?? [], in_sample_bars, out_of_sample_bars);
  const count = windows.length * sets.length;
  if (count > limit)
    throw new ValidationError(
      'walk_forward',
      `the sweep would run ${count} parameter sets (${windows.length} windows × ${sets.length} sets), more than the ${limit} allowed (${limitName(body)}); use longer windows or a smaller space`,
      { count, max: limit },
    );
  // every window has in_sample_bars bars: one check of the first window's range covers all
  const window0 = {
    start_date: iso(windows[0]!.inSample.start),
    end_date: iso(windows[0]!.inSample.end),
  };
  prepareFirst(window0, ' in window 1');
  await checkSets(in_sample_bars, ' in window 1');
  const walkForward: WalkForwardMetadata = {
    in_sample_bars,
    out_of_sample_bars,
    windows: windows.map((w) => ({
      in_sample: { start: iso(w.inSample.start), end: iso(w.inSample.end) },
      out_of_sample: { start: iso(w.outOfSample.start), end: iso(w.outOfSample.end) },
    })),
  };
  return {
    sets: windows.flatMap((_, k) =>
      sets.map((parameters, i) => ({ set_index: k * sets.length + i, window: k, parameters })),
    ),
    first,
    metadata: {
      ...metadata,
      // the sets of every window, plus one out-of-sample run per window
      total: count + windows.length,
      walk_forward: walkForward,
    },
    walkForward,
  };
}

/** The request field that sets the limit, as the trader wrote it. */
function limitName(body: SweepStartRequest): string {
  return body.max_children !== undefined && body.max_sets === undefined
    ? 'max_children'
    : 'max_sets';
}
