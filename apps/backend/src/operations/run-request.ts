import { applyOverrides, strategyHash } from '@ktrdr/engine/validate';
import { parseDateInput, type SeriesRef, type StrategyConfig, type Timeframe } from '@ktrdr/shared';
import { ValidationError, ValidationIssuesError } from '@ktrdr/server-kit';
import type { SeriesStore } from '../data/series-store.js';
import type { StrategyStore } from '../strategies/strategy-store.js';

/** The fields every run request (backtest, training) shares. */
export interface RunRequest {
  strategy_name: string;
  symbol?: string | undefined;
  timeframe?: Timeframe | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  parameters?: Record<string, string | number | boolean> | undefined;
}

/** A run request with every default applied and every reference checked. */
export interface ResolvedRun {
  strategyName: string;
  /** The configuration that runs (overrides applied). */
  config: StrategyConfig;
  /** The hash of what actually runs. */
  hash: string;
  /** The hash of the stored version the overrides apply to. */
  baseHash: string;
  data: SeriesRef;
  /** Bars of the series in the range. */
  barCount: number;
}

function parseDateField(
  field: string,
  value: string | undefined,
  fallback: string | undefined,
): number {
  const text = value ?? fallback;
  if (text === undefined) {
    throw new ValidationError(field, 'is required (the strategy has no default for it)');
  }
  const ms = parseDateInput(text);
  if (ms === undefined)
    throw new ValidationError(
      field,
      `"${text}" is not a date; use YYYY-MM-DD or an ISO-8601 timestamp`,
    );
  return ms;
}

/**
 * Resolves what a run request names: the strategy (with overrides), the series (the
 * request's or the strategy's defaults) and the range. Every problem is a 400 naming the
 * field; nothing runs.
 */
export function resolveRun(
  deps: { strategies: StrategyStore; series: SeriesStore },
  body: RunRequest,
): ResolvedRun {
  const { strategies, series } = deps;
  const strategy = strategies.get(body.strategy_name);
  if (!strategy) {
    throw new ValidationError(
      'strategy_name',
      `unknown strategy "${body.strategy_name}"; known: ${strategies.names().join(', ') || 'none'}`,
    );
  }
  const { config, issues } = applyOverrides(strategy.config, body.parameters ?? {});
  if (issues.length > 0) throw new ValidationIssuesError(issues);

  const symbol = body.symbol ?? config.data?.symbol;
  if (!symbol)
    throw new ValidationError('symbol', 'is required (the strategy names no default symbol)');
  const timeframe = body.timeframe ?? config.data?.timeframe;
  if (!timeframe)
    throw new ValidationError('timeframe', 'is required (the strategy names no default timeframe)');
  const start = parseDateField('start_date', body.start_date, config.data?.start_date);
  const end = parseDateField('end_date', body.end_date, config.data?.end_date);
  if (end < start)
    throw new ValidationError('end_date', 'is before start_date; swap them or widen the range');
  const stored = series.resolve(symbol, timeframe);
  if (!stored) {
    throw new ValidationError(
      'symbol',
      `no stored series "${symbol}" at ${timeframe} (nor a finer one to resample); stored: ${series.describe()}`,
    );
  }
  return {
    strategyName: strategy.name,
    config,
    // overrides make a different strategy: hash what actually runs
    hash: body.parameters ? strategyHash(config) : strategy.hash,
    baseHash: strategy.hash,
    data: {
      symbol: stored.symbol,
      timeframe,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      etag: stored.etag,
    },
    barCount: series.countInRange(symbol, timeframe, start, end),
  };
}
