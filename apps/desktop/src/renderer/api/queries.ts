import type {
  BacktestResult,
  BackendClient,
  ClusterInfo,
  ColumnarFloatBars,
  DataLoadResult,
  FullResult,
  IbContract,
  IbStatus,
  InstrumentType,
  ModelDetail,
  MetricsPage,
  ModelList,
  Operation,
  OperationList,
  OperationListQuery,
  SeriesList,
  StrategyDocument,
  StrategyList,
  SweepHeatmap,
  SweepResult,
  SweepSetsPage,
  SweepSetsQuery,
  TrainingResult,
  WorkerList,
} from '@ktrdr/shared';
import { queryOptions, type DataTag, type QueryKey } from '@tanstack/react-query';

// The one place query keys are spelled. Keys form a tree: a prefix (`operationKeys.lists()`)
// names everything below it for invalidation, and each full key holds one data type, which
// the key carries (setQueryData and getQueryData on it are typed). The options factories
// below keep each key next to its fetch; live.ts patches the same keys. Components never
// spell a key inline.

/** A full key, tagged with the data it holds. */
const holding =
  <TData>() =>
  <const TKey extends QueryKey>(key: TKey) =>
    key as DataTag<TKey, TData, Error>;

/** Operations: the lists, each one, and what belongs to one (its results, its metrics). */
export const operationKeys = {
  all: ['operations'] as const,
  lists: () => [...operationKeys.all, 'list'] as const,
  list: (filters: OperationListQuery) =>
    holding<OperationList>()([...operationKeys.lists(), filters]),
  detail: (id: string) => holding<Operation>()([...operationKeys.all, 'detail', id]),
  /** Every result kind of one operation (a completed operation refreshes them all). */
  results: (id: string) => [...operationKeys.all, id, 'result'] as const,
  backtestResult: (id: string) =>
    holding<BacktestResult>()([...operationKeys.results(id), 'backtest']),
  trainingResult: (id: string) =>
    holding<TrainingResult>()([...operationKeys.results(id), 'training']),
  dataLoadResult: (id: string) =>
    holding<DataLoadResult>()([...operationKeys.results(id), 'data_load']),
  /** A sweep's leaderboard; live while it runs. */
  sweepResult: (id: string) => holding<SweepResult>()([...operationKeys.results(id), 'sweep']),
  /** A page of a sweep's sets (sorted and paged by the backend). */
  sweepSets: (id: string, query: SweepSetsQuery) =>
    holding<SweepSetsPage>()([...operationKeys.results(id), 'sweep-sets', query]),
  /** A sweep's heat map (one window of a walk-forward). */
  sweepHeatmap: (id: string, window: number | null) =>
    holding<SweepHeatmap>()([...operationKeys.results(id), 'sweep-heatmap', window]),
  metrics: (id: string) => holding<MetricsPage['metrics']>()([...operationKeys.all, id, 'metrics']),
};

/** Workers. */
export const workerKeys = {
  all: ['workers'] as const,
  list: () => holding<WorkerList>()([...workerKeys.all, 'list']),
};

/** Trained models. */
export const modelKeys = {
  all: ['models'] as const,
  lists: () => [...modelKeys.all, 'list'] as const,
  list: () => holding<ModelList>()(modelKeys.lists()),
  detail: (id: string) => holding<ModelDetail>()([...modelKeys.all, 'detail', id]),
};

/** Strategies. */
export const strategyKeys = {
  all: ['strategies'] as const,
  lists: () => [...strategyKeys.all, 'list'] as const,
  list: () => holding<StrategyList>()(strategyKeys.lists()),
  detail: (name: string) => holding<StrategyDocument>()([...strategyKeys.all, 'detail', name]),
};

/** Stored series. */
export const seriesKeys = {
  all: ['series'] as const,
  list: () => holding<SeriesList>()([...seriesKeys.all, 'list']),
};

/** The cluster: where the backend listens and how to join it. */
export const clusterKeys = {
  all: ['cluster'] as const,
  info: () => holding<ClusterInfo>()([...clusterKeys.all, 'info']),
};

/** The IB host service: its gateway link, and contracts checked against it. */
export const ibKeys = {
  all: ['ib'] as const,
  status: () => holding<IbStatus>()([...ibKeys.all, 'status']),
  contract: (symbol: string, instrument: InstrumentType) =>
    holding<IbContract>()([...ibKeys.all, 'contract', symbol, instrument]),
};

/** The worker roster. */
export const workersQuery = (client: BackendClient) =>
  queryOptions({ queryKey: workerKeys.list(), queryFn: () => client.listWorkers() });

/** A page of operations for a filter. */
export const operationsQuery = (client: BackendClient, filters: OperationListQuery) =>
  queryOptions({
    queryKey: operationKeys.list(filters),
    queryFn: () => client.listOperations({ limit: 200, ...filters }),
  });

/** One operation. */
export const operationQuery = (client: BackendClient, id: string) =>
  queryOptions({ queryKey: operationKeys.detail(id), queryFn: () => client.getOperation(id) });

/** The display result of a completed backtest. */
export const backtestResultQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: operationKeys.backtestResult(id),
    queryFn: () => client.getBacktestResult(id),
    staleTime: Infinity,
  });

/** Per-epoch metric rows of an operation (the SSE 'metrics' event invalidates it). */
export const metricsQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: operationKeys.metrics(id),
    queryFn: async () => (await client.getOperationMetrics(id)).metrics,
  });

/** The result of a completed training run. */
export const trainingResultQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: operationKeys.trainingResult(id),
    queryFn: () => client.getTrainingResult(id),
    staleTime: Infinity,
  });

/** The result of a completed data download. */
export const dataLoadResultQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: operationKeys.dataLoadResult(id),
    queryFn: () => client.getDataLoadResult(id),
    staleTime: Infinity,
  });

/**
 * A sweep's leaderboard (live while it runs: the sweep panel refetches it, at most a few
 * times a second, when the sweep's progress moves; live.ts patches its rows' statuses).
 */
export const sweepResultQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: operationKeys.sweepResult(id),
    queryFn: () => client.getSweepResult(id),
  });

/** A page of a sweep's sets. */
export const sweepSetsQuery = (client: BackendClient, id: string, query: SweepSetsQuery) =>
  queryOptions({
    queryKey: operationKeys.sweepSets(id, query),
    queryFn: () => client.getSweepSets(id, query),
  });

/** A sweep's heat map over its first two swept paths. */
export const sweepHeatmapQuery = (client: BackendClient, id: string, window: number | null) =>
  queryOptions({
    queryKey: operationKeys.sweepHeatmap(id, window),
    queryFn: () => client.getSweepHeatmap(id, window ?? undefined),
  });

/** One model: metrics, lineage, inputs. */
export const modelQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: modelKeys.detail(id),
    queryFn: () => client.getModel(id),
    staleTime: Infinity,
  });

/** Trained models. */
export const modelsQuery = (client: BackendClient) =>
  queryOptions({ queryKey: modelKeys.list(), queryFn: () => client.listModels() });

/** Strategies. */
export const strategiesQuery = (client: BackendClient) =>
  queryOptions({ queryKey: strategyKeys.list(), queryFn: () => client.listStrategies() });

/** One strategy's YAML. */
export const strategyQuery = (client: BackendClient, name: string) =>
  queryOptions({ queryKey: strategyKeys.detail(name), queryFn: () => client.getStrategy(name) });

/** Stored series. */
export const seriesQuery = (client: BackendClient) =>
  queryOptions({ queryKey: seriesKeys.list(), queryFn: () => client.listSeries() });

/** Where the backend listens and how to join it. */
export const clusterQuery = (client: BackendClient) =>
  queryOptions({
    queryKey: clusterKeys.info(),
    queryFn: () => client.clusterInfo(),
    staleTime: 60_000,
  });

/** The IB host service's link to IB Gateway/TWS (polled: it changes without an event). */
export const ibStatusQuery = (client: BackendClient) =>
  queryOptions({
    queryKey: ibKeys.status(),
    queryFn: () => client.ibStatus(),
    refetchInterval: 10_000,
  });

/**
 * A symbol checked against the gateway (the download form checks it as you type; an
 * unknown symbol is an answer, not a reason to retry).
 */
export const ibContractQuery = (
  client: BackendClient,
  symbol: string,
  instrument: InstrumentType,
) =>
  queryOptions({
    queryKey: ibKeys.contract(symbol, instrument),
    queryFn: () => client.ibValidate({ symbol, instrument_type: instrument }),
    retry: false,
    staleTime: 5 * 60_000,
  });

/**
 * What the result page's charts read besides the display result: the run's bars and its
 * full result (every bar's equity, for the rolling Sharpe). Both are immutable once the
 * run completed; the full result sits under the operation's results prefix.
 */
export const chartKeys = {
  bars: (symbol: string, timeframe: string, start: string, end: string) =>
    holding<ColumnarFloatBars>()(['bars', symbol, timeframe, start, end]),
  fullResult: (id: string) => holding<FullResult>()([...operationKeys.results(id), 'full']),
};

/** A run's bars (binary columnar form: fast for long series). */
export const runBarsQuery = (
  client: BackendClient,
  run: { symbol: string; timeframe: string; start: string; end: string },
) =>
  queryOptions({
    queryKey: chartKeys.bars(run.symbol, run.timeframe, run.start, run.end),
    queryFn: ({ signal }) =>
      client.getSeriesBinary(run.symbol, run.timeframe, { start: run.start, end: run.end }, signal),
    staleTime: Infinity,
  });

/** A completed backtest's full result (every bar, every trade). */
export const fullResultQuery = (client: BackendClient, id: string) =>
  queryOptions({
    queryKey: chartKeys.fullResult(id),
    queryFn: ({ signal }) => client.fullResult(id, { signal }),
    staleTime: Infinity,
  });
