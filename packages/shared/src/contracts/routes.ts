/**
 * Route paths, written once. Fastify-style `:param` placeholders; use {@link fillPath}
 * to build a concrete URL path.
 */
export const Routes = {
  health: '/health',
  metrics: '/metrics',
  docs: '/docs',
  backend: {
    workers: '/api/v1/workers',
    workerRegister: '/api/v1/workers/register',
    worker: '/api/v1/workers/:worker_id',
    workerHeartbeat: '/api/v1/workers/:worker_id/heartbeat',
    workerChannel: '/api/v1/workers/:worker_id/channel',
    workerChannelReplies: '/api/v1/workers/:worker_id/channel/replies',
    operations: '/api/v1/operations',
    operation: '/api/v1/operations/:operation_id',
    operationMetrics: '/api/v1/operations/:operation_id/metrics',
    operationResult: '/api/v1/operations/:operation_id/result',
    operationCancel: '/api/v1/operations/:operation_id/cancel',
    operationResume: '/api/v1/operations/:operation_id/resume',
    operationRetry: '/api/v1/operations/:operation_id/retry',
    operationReport: '/api/v1/operations/:operation_id/report',
    operationArtifact: '/api/v1/operations/:operation_id/artifacts/:name',
    operationResultFull: '/api/v1/operations/:operation_id/result/full',
    backtestStart: '/api/v1/backtests/start',
    events: '/api/v1/events',
    data: '/api/v1/data',
    dataImport: '/api/v1/data/import',
    series: '/api/v1/data/:symbol/:timeframe',
    session: '/api/v1/session',
    cluster: '/api/v1/cluster',
    tokensRotate: '/api/v1/tokens/rotate',
    models: '/api/v1/models',
    model: '/api/v1/models/:model_id',
    modelDownload: '/api/v1/models/:model_id/download',
    trainingStart: '/api/v1/training/start',
    sweepStart: '/api/v1/sweeps/start',
    sweepSets: '/api/v1/sweeps/:operation_id/sets',
    sweepHeatmap: '/api/v1/sweeps/:operation_id/heatmap',
    sweepSetBacktest: '/api/v1/sweeps/:operation_id/sets/:set_index/backtest',
    operationResultCsv: '/api/v1/operations/:operation_id/result.csv',
    strategies: '/api/v1/strategies',
    strategyValidate: '/api/v1/strategies/validate',
    strategy: '/api/v1/strategies/:name',
    dataDownload: '/api/v1/data/download',
    ibStatus: '/api/v1/ib/status',
    ibValidate: '/api/v1/ib/validate',
  },
  ibHost: {
    historical: '/api/v1/data/historical',
    validate: '/api/v1/data/validate',
    headTimestamp: '/api/v1/data/head-timestamp',
  },
  worker: {
    operations: '/api/v1/operations',
    operation: '/api/v1/operations/:operation_id',
    operationMetrics: '/api/v1/operations/:operation_id/metrics',
    operationCancel: '/api/v1/operations/:operation_id/cancel',
    backtestStart: '/backtests/start',
    trainingStart: '/training/start',
    sweepShardStart: '/sweep_shards/start',
  },
} as const;

/** Replaces each `:name` in `path` with the URI-encoded value of `params[name]`. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([a-z_]+)/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`fillPath: missing "${key}" for ${path}`);
    return encodeURIComponent(value);
  });
}
