import { trainingIssues } from '@ktrdr/engine/validate';
import {
  modelIdForOperation,
  trainingKind,
  type StartResponse,
  type TrainingJob,
  type TrainingStartRequest,
} from '@ktrdr/shared';
import { ValidationError, ValidationIssuesError } from '@ktrdr/server-kit';
import type { SeriesStore } from '../data/series-store.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { requireWorkersOfType } from '../dispatch/worker-availability.js';
import { newOperationId } from '../operations/operation-ids.js';
import type { OperationsService } from '../operations/operations-service.js';
import { resolveRun } from '../operations/run-request.js';
import type { StrategyStore } from '../strategies/strategy-store.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';

/** What starting a training run needs. */
export interface TrainingServiceDeps {
  strategies: StrategyStore;
  series: SeriesStore;
  operations: OperationsService;
  dispatcher: Dispatcher;
  registry: WorkerRegistry;
  codeVersion: string;
  backendUrl: () => string;
}

/**
 * Turns a training request into a queued operation, after checking, without training,
 * that the strategy is a `neuro_fuzzy` one and that the range gives enough labelled rows
 * for its split. The dispatcher routes it to a GPU worker first.
 */
export class TrainingService {
  constructor(private readonly deps: TrainingServiceDeps) {}

  async start(body: TrainingStartRequest): Promise<StartResponse> {
    const { operations, dispatcher, registry } = this.deps;
    const run = resolveRun(this.deps, body);
    const config = run.config;
    if (config.type !== 'neuro_fuzzy') {
      throw new ValidationError(
        'strategy_name',
        `"${config.name}" is a ${config.type} strategy: only neuro_fuzzy strategies are trained; backtest it directly`,
      );
    }
    const issues = trainingIssues(config, run.barCount);
    if (issues.length > 0) throw new ValidationIssuesError(issues);
    requireWorkersOfType(registry, trainingKind.runsOn, this.deps.backendUrl());

    const epochs = body.epochs ?? config.training.epochs ?? 50;
    const seed = body.seed ?? config.training.seed ?? 42;
    const operationId = newOperationId(trainingKind.operationType);
    const modelId = modelIdForOperation(run.strategyName, operationId);
    const job: Omit<TrainingJob, 'task_id' | 'attempt'> = {
      strategy: { name: run.strategyName, hash: run.hash, config },
      data: run.data,
      model_id: modelId,
      epochs,
      seed,
    };
    const { record, submitted } = operations.createAndSubmit<'training'>(
      {
        operationId,
        type: trainingKind.operationType,
        metadata: {
          strategy_name: run.strategyName,
          symbol: run.data.symbol,
          timeframe: run.data.timeframe,
          start_date: run.data.start,
          end_date: run.data.end,
          epochs,
          seed,
          model_id: modelId,
          ...(body.parameters ? { parameters: body.parameters } : {}),
        },
        provenance: {
          strategy_hash: run.hash,
          data_etag: run.data.etag,
          code_version: this.deps.codeVersion,
          model_id: modelId,
        },
        job,
      },
      (r) => dispatcher.submit(r),
    );
    await submitted;
    return { success: true, operation_id: record.operation_id, status: record.status };
  }
}
