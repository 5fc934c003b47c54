import { applyOverrides, feasibilityIssues, strategyHash } from '@ktrdr/engine/validate';
import {
  parseDateInput,
  type BacktestJob,
  type BacktestStartRequest,
  type StartResponse,
} from '@ktrdr/shared';
import { ValidationError, ValidationIssuesError } from '@ktrdr/server-kit';
import type { SeriesStore } from '../data/series-store.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { OperationsService } from '../operations/operations-service.js';
import type { StrategyStore } from '../strategies/strategy-store.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import { requireWorkersOfType } from '../dispatch/worker-availability.js';

/** What starting a backtest needs. */
export interface BacktestServiceDeps {
  strategies: StrategyStore;
  series: SeriesStore;
  operations: OperationsService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  codeVersion: string;
  /** The backend URL a new worker should use, for the "start a worker" hint. */
  backendUrl: () => string;
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
 * Turns a backtest request into a queued operation, after checking everything that can
 * be checked without running it (strategy, overrides, series, range, warm-up) through the
 * engine's pure `validate` entry point. Never runs a backtest itself.
 */
export class BacktestService {
  constructor(private readonly deps: BacktestServiceDeps) {}

  async start(body: BacktestStartRequest): Promise<StartResponse> {
    const { strategies, series, operations, dispatcher, registry } = this.deps;
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
      throw new ValidationError(
        'timeframe',
        'is required (the strategy names no default timeframe)',
      );
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
    const feasibility = feasibilityIssues(
      config,
      series.countInRange(symbol, timeframe, start, end),
    );
    if (feasibility.length > 0) throw new ValidationIssuesError(feasibility);
    if (config.type === 'neuro_fuzzy') {
      // model execution comes with the training issue; until then no model can exist
      throw new ValidationError(
        'model_id',
        body.model_id === undefined
          ? `is required: "${config.name}" is a neuro_fuzzy strategy and runs a trained model; train one first`
          : `unknown model "${body.model_id}"; no trained model is stored yet`,
      );
    }
    if (body.model_id !== undefined) {
      throw new ValidationError(
        'model_id',
        `"${body.model_id}": "${config.name}" is a rules strategy and uses no model`,
      );
    }
    requireWorkersOfType(registry, 'backtesting', this.deps.backendUrl());

    // overrides make a different strategy: hash what actually runs
    const hash = body.parameters ? strategyHash(config) : strategy.hash;
    const job: Omit<BacktestJob, 'task_id' | 'attempt'> = {
      strategy: { name: strategy.name, hash, config: config },
      data: {
        symbol: stored.symbol,
        timeframe,
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        etag: stored.etag,
      },
      initial_capital: body.initial_capital ?? 100_000,
      commission: body.commission ?? 0.001,
      slippage: body.slippage ?? 0.0005,
    };
    const record = operations.create({
      type: 'backtesting',
      metadata: {
        strategy_name: strategy.name,
        symbol: stored.symbol,
        timeframe,
        start_date: job.data.start,
        end_date: job.data.end,
        initial_capital: job.initial_capital,
        commission: job.commission,
        slippage: job.slippage,
        parameters: body.parameters ?? {},
      },
      provenance: {
        strategy_hash: hash,
        data_etag: stored.etag,
        code_version: this.deps.codeVersion,
      },
      job: job,
    });
    await dispatcher.submit(record);
    return { success: true, operation_id: record.operation_id, status: record.status };
  }
}
