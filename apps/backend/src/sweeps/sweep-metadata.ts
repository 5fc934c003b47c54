import {
  SMALLER_IS_BETTER,
  type BacktestStartRequest,
  type SweepObjective,
  type SweepStartRequest,
} from '@ktrdr/shared';
import type { Ranking } from './sweep-set-store.js';
import type { OperationRecord } from '../operations/operation-record.js';

/** The walk-forward part of a sweep's metadata: the window sizes and each window's dates. */
export interface WalkForwardMetadata {
  in_sample_bars: number;
  out_of_sample_bars: number;
  windows: {
    in_sample: { start: string; end: string };
    out_of_sample: { start: string; end: string };
  }[];
}

/** What a sweep's own operation record keeps about the search. */
export interface SweepMetadata {
  objective: SweepObjective;
  dimensions: string[];
  constraints: Record<string, { min?: number; max?: number }>;
  total: number;
  walk_forward?: WalkForwardMetadata;
}

/** A sweep's metadata read back from its record, with the defaults older records lack. */
export function sweepMetadata(record: OperationRecord): SweepMetadata {
  const m = record.metadata as Partial<SweepMetadata>;
  return {
    objective: m.objective ?? 'sharpe_ratio',
    dimensions: m.dimensions ?? [],
    constraints: m.constraints ?? {},
    total: m.total ?? 0,
    ...(m.walk_forward ? { walk_forward: m.walk_forward } : {}),
  };
}

/** How a sweep ranks its sets: its objective, which way is better, its constraints. */
export function rankingOf(meta: SweepMetadata): Ranking {
  return {
    objective: meta.objective,
    sign: SMALLER_IS_BETTER.includes(meta.objective) ? -1 : 1,
    constraints: meta.constraints,
  };
}

/** A child's walk-forward phase (`in_sample` / `out_of_sample`), if it belongs to a window. */
export const phaseOf = (child: OperationRecord) => child.metadata.phase as string | undefined;

/** The walk-forward window a child belongs to, if any. */
export const windowOf = (child: OperationRecord) =>
  typeof child.metadata.window === 'number' ? child.metadata.window : undefined;

/** The request a sweep was started with (kept on its record, for out-of-sample runs and retry). */
export function sweepRequest(record: OperationRecord): SweepStartRequest | undefined {
  return (record.job as { request?: SweepStartRequest } | null)?.request;
}

const SWEEP_ONLY_FIELDS = [
  'parameters',
  'mode',
  'samples',
  'seed',
  'objective',
  'constraints',
  'max_children',
  'max_sets',
  'walk_forward',
] as const;

/** The backtest every child runs, before its parameter set is applied. */
export function backtestFields(body: SweepStartRequest): BacktestStartRequest {
  const copy: Record<string, unknown> = { ...body };
  for (const field of SWEEP_ONLY_FIELDS) delete copy[field];
  return copy as BacktestStartRequest;
}
