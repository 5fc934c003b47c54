import type { BackendTokens } from './auth/backend-tokens.js';
import type { WorkerCredentials } from './auth/worker-credentials.js';
import type { WorkerScope } from './auth/worker-scope.js';
import type { DataAcquisitionService } from './acquisition/data-acquisition-service.js';
import type { IbHostGate } from './acquisition/ib-host-gate.js';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import type { BacktestService } from './backtests/backtest-service.js';
import type { ModelStore } from './models/model-store.js';
import type { TrainingService } from './training/training-service.js';
import type { BackendConfig } from './config.js';
import type { SeriesStore } from './data/series-store.js';
import type { Dispatcher } from './dispatch/dispatcher.js';
import type { EventBus } from './events/event-bus.js';
import type { BackendMetrics } from './observability/prometheus.js';
import type { OperationActions } from './operations/operation-actions.js';
import type { OperationsService } from './operations/operations-service.js';
import type { StrategyStore } from './strategies/strategy-store.js';
import type { WorkerActivity } from './workers/worker-activity.js';
import type { WorkerRegistry } from './workers/worker-registry.js';
import type { WorkerService } from './workers/worker-service.js';
import type { ChannelHub } from './workers/channel-hub.js';
import type { SweepService } from './sweeps/sweep-service.js';
import type { SweepSets } from './sweeps/sweep-sets.js';

/** The services the routes work with, built once per backend. */
export interface BackendContext {
  config: BackendConfig;
  version: string;
  startedAt: number;
  /** The URL this backend answers on (known once it listens). */
  url: () => string;
  /** The admin token now in force. */
  token: () => string;
  tokens: BackendTokens;
  /** The SHA-256 fingerprint of this backend's certificate (TLS mode), else null. */
  tlsFingerprint: string | null;
  credentials: WorkerCredentials;
  /** What a worker's credential reaches (its own entry, its operations, their data). */
  scope: WorkerScope;
  events: EventBus;
  operations: OperationsService;
  actions: OperationActions;
  registry: WorkerRegistry;
  workers: WorkerService;
  dispatcher: Dispatcher;
  series: SeriesStore;
  strategies: StrategyStore;
  artifacts: ArtifactStore;
  backtests: BacktestService;
  training: TrainingService;
  models: ModelStore;
  metrics: BackendMetrics;
  ibGate: IbHostGate;
  acquisition: DataAcquisitionService;
  channels: ChannelHub;
  sweeps: SweepService;
  /** A sweep's sets as the API reads them (pages, CSV, heat map, a set as a backtest). */
  sweepSets: SweepSets;
  /** How busy each worker is, and the cluster's throughput (`recordItems` for shards' sets). */
  activity: WorkerActivity;
}
