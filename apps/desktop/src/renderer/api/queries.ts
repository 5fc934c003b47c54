import type { BackendClient, OperationListQuery } from '@ktrdr/shared';
import { queryOptions } from '@tanstack/react-query';

// Query options factories: each key sits next to its fetch, and live updates patch the
// same keys (see live.ts). Components never spell a key inline.

/** The worker roster. */
export const workersQuery = (client: BackendClient) =>
  queryOptions({ queryKey: ['workers'] as const, queryFn: () => client.listWorkers() });

/** A page of operations for a filter. */
export const operationsQuery = (client: BackendClient, filters: OperationListQuery) =>
  queryOptions({
    queryKey: ['operations', filters] as const,
    queryFn: () => client.listOperations({ limit: 200, ...filters }),
  });

/** One operation. */
export const operationQuery = (client: BackendClient, id: string) =>
  queryOptions({ queryKey: ['operation', id] as const, queryFn: () => client.getOperation(id) });

/** The display result of a completed backtest. */
export const backtestResultQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: ['result', id] as const,
    queryFn: () => client.getBacktestResult(id),
    staleTime: Infinity,
  });

/** Per-epoch metric rows of an operation (the SSE 'metrics' event invalidates it). */
export const metricsQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: ['metrics', id] as const,
    queryFn: async () => (await client.getOperationMetrics(id)).metrics,
  });

/** The result of a completed training run. */
export const trainingResultQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: ['result', id] as const,
    queryFn: () => client.getTrainingResult(id),
    staleTime: Infinity,
  });

/** One model: metrics, lineage, inputs. */
export const modelQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: ['model', id] as const,
    queryFn: () => client.getModel(id),
    staleTime: Infinity,
  });

/** Strategies. */
export const strategiesQuery = (client: BackendClient) =>
  queryOptions({ queryKey: ['strategies'] as const, queryFn: () => client.listStrategies() });

/** One strategy's YAML. */
export const strategyQuery = (client: BackendClient, name: string) =>
  queryOptions({ queryKey: ['strategy', name] as const, queryFn: () => client.getStrategy(name) });

/** Stored series. */
export const seriesQuery = (client: BackendClient) =>
  queryOptions({ queryKey: ['series'] as const, queryFn: () => client.listSeries() });

/** Trained models. */
export const modelsQuery = (client: BackendClient) =>
  queryOptions({ queryKey: ['models'] as const, queryFn: () => client.listModels() });

/** Where the backend listens and how to join it. */
export const clusterQuery = (client: BackendClient) =>
  queryOptions({
    queryKey: ['cluster'] as const,
    queryFn: () => client.clusterInfo(),
    staleTime: 60_000,
  });

/** The IB host service's link to IB Gateway/TWS (polled: it changes without an event). */
export const ibStatusQuery = (client: BackendClient) =>
  queryOptions({
    queryKey: ['ib-status'] as const,
    queryFn: () => client.ibStatus(),
    refetchInterval: 10_000,
  });

/** The result of a completed data download. */
export const dataLoadResultQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: ['result', id] as const,
    queryFn: () => client.getDataLoadResult(id),
    staleTime: Infinity,
  });

/**
 * A sweep's leaderboard (live while it runs: the sweep panel refetches it, at most a few
 * times a second, when the sweep's progress moves; live.ts patches its rows' statuses).
 */
export const sweepResultQuery = (client: BackendClient, id: string) =>
  queryOptions({ queryKey: ['sweep', id] as const, queryFn: () => client.getSweepResult(id) });
