import { feasibilityIssues, featureSpec, featureSpecHash } from '@ktrdr/engine/validate';
import {
  backtestingKind,
  type BacktestJob,
  type BacktestStartRequest,
  type StartResponse,
  type StrategyConfig,
} from '@ktrdr/shared';
import { ValidationError, ValidationIssuesError } from '@ktrdr/server-kit';
import type { SeriesStore } from '../data/series-store.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { requireWorkersOfType } from '../dispatch/worker-availability.js';
import type { ModelStore } from '../models/model-store.js';
import type { NewOperation, OperationsService } from '../operations/operations-service.js';
import { resolveRun } from '../operations/run-request.js';
import { modelRange } from './model-range.js';
import type { StrategyStore } from '../strategies/strategy-store.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';

/** What starting a backtest needs. */
export interface BacktestServiceDeps {
  strategies: StrategyStore;
  series: SeriesStore;
  models: ModelStore;
  operations: OperationsService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  codeVersion: string;
  /** The backend URL a new worker should use, for the "start a worker" hint. */
  backendUrl: () => string;
}

/**
 * Turns a backtest request into a queued operation, after checking everything that can
 * be checked without running it (strategy, overrides, series, range, warm-up, the model
 * and its inputs) through the engine's pure `validate` entry point. Never runs a backtest
 * itself.
 */
export class BacktestService {
  constructor(private readonly deps: BacktestServiceDeps) {}

  /** The model a strategy runs with: required and matching for neuro_fuzzy, absent for rules. */
  private checkModel(config: StrategyConfig, modelId: string | undefined): void {
    const { models } = this.deps;
    if (config.type === 'rules') {
      if (modelId !== undefined)
        throw new ValidationError(
          'model_id',
          `"${modelId}": "${config.name}" is a rules strategy and uses no model`,
        );
      return;
    }
    if (modelId === undefined)
      throw new ValidationError(
        'model_id',
        `is required: "${config.name}" is a neuro_fuzzy strategy and runs a trained model; train one (POST /api/v1/training/start) or pick one from GET /api/v1/models`,
      );
    const stored = models.featureSpecHash(modelId);
    if (stored === undefined)
      throw new ValidationError(
        'model_id',
        `unknown model "${modelId}"; pick one from GET /api/v1/models`,
      );
    const wanted = featureSpecHash(featureSpec(config));
    if (stored !== wanted)
      throw new ValidationError(
        'model_id',
        `model "${modelId}" was trained on other inputs than "${config.name}" computes (feature spec ${stored}, strategy ${wanted}); train a model for this strategy`,
      );
  }

  /**
   * Checks a backtest request through and builds the operation it would be — its job,
   * metadata and provenance — without creating anything (sweeps check every set first).
   */
  prepare(
    request: BacktestStartRequest,
    parentOperationId?: string,
    options: { strategyByReference?: boolean } = {},
  ): NewOperation<'backtesting'> {
    const { body, note } = modelRange(this.deps.models, request);
    const run = resolveRun(this.deps, body);
    const feasibility = feasibilityIssues(run.config, run.barCount);
    if (feasibility.length > 0) throw new ValidationIssuesError(feasibility);
    this.checkModel(run.config, body.model_id);
    const job: Omit<BacktestJob, 'task_id' | 'attempt'> = {
      // by reference (sweeps): the worker fetches the stored version once and applies the
      // overrides itself, so each child is a small message
      strategy: options.strategyByReference
        ? {
            name: run.strategyName,
            hash: run.hash,
            base_hash: run.baseHash,
            parameters: body.parameters ?? {},
          }
        : { name: run.strategyName, hash: run.hash, config: run.config },
      data: run.data,
      initial_capital: body.initial_capital ?? 100_000,
      commission: body.commission ?? 0.001,
      slippage: body.slippage ?? 0.0005,
      ...(body.model_id !== undefined ? { model_id: body.model_id } : {}),
    };
    return {
      type: backtestingKind.operationType,
      parentOperationId: parentOperationId ?? null,
      metadata: {
        strategy_name: run.strategyName,
        symbol: run.data.symbol,
        timeframe: run.data.timeframe,
        start_date: run.data.start,
        end_date: run.data.end,
        initial_capital: job.initial_capital,
        commission: job.commission,
        slippage: job.slippage,
        parameters: body.parameters ?? {},
        ...(body.model_id !== undefined ? { model_id: body.model_id } : {}),
        ...(note !== undefined ? { range_note: note } : {}),
      },
      provenance: {
        strategy_hash: run.hash,
        data_etag: run.data.etag,
        code_version: this.deps.codeVersion,
        ...(body.model_id !== undefined ? { model_id: body.model_id } : {}),
      },
      job,
    };
  }

  async start(body: BacktestStartRequest): Promise<StartResponse> {
    const { operations, dispatcher, registry } = this.deps;
    const operation = this.prepare(body);
    requireWorkersOfType(registry, backtestingKind.runsOn, this.deps.backendUrl());
    const { record, submitted } = operations.createAndSubmit<'backtesting'>(operation, (r) =>
      dispatcher.submit(r),
    );
    await submitted;
    const note = operation.metadata.range_note;
    return {
      success: true,
      operation_id: record.operation_id,
      status: record.status,
      ...(note !== undefined ? { note } : {}),
    };
  }
}
