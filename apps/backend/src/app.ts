import {
  bearerOrSessionAuthenticator,
  safeEqual,
  createLogger,
  createServer,
  type TypedServer,
} from '@ktrdr/server-kit';
import { JobKindRegistry, dataLoadKind, sweepKind, type AnyJobKind } from '@ktrdr/shared';
import type { BackendTokens } from './auth/backend-tokens.js';
import type { TlsIdentity } from './auth/tls-certificate.js';
import { WorkerCredentials } from './auth/worker-credentials.js';
import { WorkerScope } from './auth/worker-scope.js';
import { DataAcquisitionService } from './acquisition/data-acquisition-service.js';
import { IbHostGate } from './acquisition/ib-host-gate.js';
import { ArtifactStore } from './artifacts/artifact-store.js';
import { BacktestService } from './backtests/backtest-service.js';
import type { BackendConfig } from './config.js';
import type { BackendContext } from './context.js';
import { SeriesStore } from './data/series-store.js';
import { DispatchQueues } from './dispatch/dispatch-queues.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { EventBus } from './events/event-bus.js';
import { BackendMetrics } from './observability/prometheus.js';
import { OperationActions, type LocalRunner } from './operations/operation-actions.js';
import { OperationsService } from './operations/operations-service.js';
import { OperationStore } from './operations/operation-store.js';
import { ModelStore } from './models/model-store.js';
import { backtestRoutes } from './routes/backtests.js';
import { jobKindRoutes } from './routes/job-kinds.js';
import { modelRoutes } from './routes/models.js';
import { trainingRoutes } from './routes/training.js';
import { TrainingService } from './training/training-service.js';
import { acquisitionRoutes } from './routes/acquisition.js';
import { dataRoutes } from './routes/data.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { operationRoutes } from './routes/operations.js';
import { strategyRoutes } from './routes/strategies.js';
import { sessionRoutes } from './routes/session.js';
import { sweepRoutes } from './routes/sweeps.js';
import { SweepService } from './sweeps/sweep-service.js';
import { SweepSetStore } from './sweeps/sweep-set-store.js';
import { SweepSets } from './sweeps/sweep-sets.js';
import { tokenRoutes } from './routes/tokens.js';
import { webRoutes } from './routes/web.js';
import { workerRoutes } from './routes/workers.js';
import type { Db } from './storage/database.js';
import { dataDirLayout } from './storage/data-dir.js';
import { StrategyStore } from './strategies/strategy-store.js';
import { BACKEND_VERSION } from './version.js';
import { ChannelHub } from './workers/channel-hub.js';
import { WorkerActivity } from './workers/worker-activity.js';
import { WorkerClients } from './workers/worker-clients.js';
import { WorkerRegistry } from './workers/worker-registry.js';
import { WorkerService } from './workers/worker-service.js';
import { join } from 'node:path';

/** What {@link buildApp} needs beyond the configuration. */
export interface BuildDeps {
  db: Db;
  /** The admin and join tokens (rotatable). */
  tokens: BackendTokens;
  /** Serve HTTPS with this identity (its fingerprint goes into the join command). */
  tls?: TlsIdentity | undefined;
  /** The URL clients use to reach this backend (known once it listens). */
  publicUrl: () => string;
  /** Job kinds beyond the built-in ones. */
  jobKinds?: readonly AnyJobKind[];
}

/** A built backend: the Fastify app (not listening) and its services. */
export interface BuiltBackend {
  app: TypedServer;
  ctx: BackendContext;
  /** Stops timers and pooled connections (the caller closes the app and the database). */
  dispose(): Promise<void>;
}

/**
 * Builds the backend: services over the given database, and the Fastify app with every
 * route. It never listens; {@link startBackend} does.
 */
export async function buildApp(config: BackendConfig, deps: BuildDeps): Promise<BuiltBackend> {
  const { tokens } = deps;
  const token = () => tokens.admin();
  const credentials = new WorkerCredentials(deps.db);
  const app = await createServer({
    title: 'ktrdr backend',
    version: BACKEND_VERSION,
    description:
      "Orchestrator: workers, operations, data and strategies. Every route but /health needs a bearer token: the admin token (or the UI's session), or — where a route says so — the join token or a worker's own credential.",
    authenticate: bearerOrSessionAuthenticator(token, (sent) => {
      if (safeEqual(sent, tokens.join())) return { role: 'join' };
      const workerId = credentials.verify(sent);
      return workerId ? { role: 'worker', workerId } : undefined;
    }),
    logger: createLogger(config.logLevel, 'backend'),
    ...(deps.tls ? { https: { key: deps.tls.key, cert: deps.tls.cert } } : {}),
    ...(config.authThrottle ? { authThrottle: config.authThrottle } : {}),
  });
  const log = app.log;
  log.debug(
    {
      sqlite_driver: deps.db.driver,
      sqlite_version: deps.db.sqliteVersion,
      database: deps.db.path,
    },
    'database open',
  );
  const layout = dataDirLayout(config.dataDir);
  const events = new EventBus();
  const kinds = new JobKindRegistry(deps.jobKinds ?? []);
  // built first and handed to both: the operations service reads queue positions from the
  // queues the dispatcher moves operations through
  const queues = new DispatchQueues();
  const operations = new OperationsService({
    store: new OperationStore(deps.db),
    events,
    queues,
    kinds,
  });
  const registry = new WorkerRegistry(events);
  const channels = new ChannelHub((workerId) => {
    const worker = registry.get(workerId);
    if (worker) dispatcher.pump(worker.worker_type);
  });
  // the backend calls each worker with the secret that worker chose when it registered
  const clients = new WorkerClients(
    (workerId) => registry.get(workerId)?.callback_token ?? undefined,
    channels,
  );
  // how busy each worker is, fed by operations ending (read by the roster and /metrics)
  const activity = new WorkerActivity({ operations, registry });
  const metrics = new BackendMetrics({ workers: registry, operations, events, activity });
  const dispatcher = new Dispatcher({
    kinds,
    queues,
    registry,
    operations,
    clients,
    log,
    observeDispatch: (ms) => metrics.observeDispatch(ms),
    observeHandOver: () => metrics.countHandOver(),
    reachable: (worker) => worker.connection === 'direct' || channels.isOpen(worker.worker_id),
  });
  const workers = new WorkerService({
    registry,
    credentials,
    operations,
    dispatcher,
    clients,
    log,
    policy: {
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      missedHeartbeats: config.missedHeartbeats,
      graceMs: config.workerGraceMs,
      removalMs: config.workerRemovalMs,
      maxLostAttempts: config.maxLostAttempts,
    },
  });
  const artifacts = new ArtifactStore(layout.artifacts, deps.db);
  const actions: OperationActions = new OperationActions({
    operations,
    dispatcher,
    registry,
    workers,
    clients,
    artifacts,
    cancelTimeoutMs: config.cancelTimeoutMs,
    log,
    backendUrl: deps.publicUrl,
    // the services of the kinds the backend runs itself, built below (the sweep service
    // uses the actions); looked up when an action needs one
    localRunner: (type): LocalRunner | undefined => localRunners.get(type),
    inTransaction: (fn) => deps.db.transaction(fn)(),
    reportedSets: (record, sets) => {
      sweeps.recordSets(record, sets);
      if (record.worker_id)
        activity.recordItems(record.worker_id, sets.set_index.length + (sets.failed?.length ?? 0));
    },
  });
  const series = new SeriesStore(deps.db);
  series.seed(join(config.assetsDir, 'data'));
  const strategies = new StrategyStore(layout.strategies, deps.db, log);
  strategies.seed(join(config.assetsDir, 'strategies'));
  const models = new ModelStore(layout.models, deps.db);
  const runDeps = {
    strategies,
    series,
    operations,
    dispatcher,
    registry,
    codeVersion: BACKEND_VERSION,
    backendUrl: deps.publicUrl,
  };
  const training = new TrainingService(runDeps);
  const backtests = new BacktestService({
    ...runDeps,
    models,
  });

  // the IB host service was started with the admin token of this start: rotating the admin
  // token later must not cut the backend off from it
  const serviceToken = tokens.admin();
  const ibGate = new IbHostGate(config, () => serviceToken);
  const acquisition = new DataAcquisitionService({
    gate: ibGate,
    operations,
    series,
    artifacts,
    log,
    codeVersion: BACKEND_VERSION,
  });
  const sweepSetStore = new SweepSetStore(deps.db);
  const sweeps: SweepService = new SweepService({
    operations,
    backtests,
    dispatcher,
    registry,
    actions,
    artifacts,
    series,
    strategies,
    sets: sweepSetStore,
    log,
    maxSets: config.maxSweepSets,
    shardSets: config.sweepShardSets,
    backendUrl: deps.publicUrl,
  });
  metrics.watchSweeps(sweeps);
  const localRunners: ReadonlyMap<string, LocalRunner> = new Map<string, LocalRunner>([
    [dataLoadKind.operationType, acquisition],
    [sweepKind.operationType, sweeps],
  ]);
  for (const kind of kinds.all())
    if (kind.runsOn === 'backend' && !localRunners.has(kind.operationType))
      throw new Error(`job kind ${kind.operationType} runs on the backend, and no service runs it`);

  const ctx: BackendContext = {
    config,
    version: BACKEND_VERSION,
    startedAt: Date.now(),
    url: deps.publicUrl,
    token,
    tokens,
    tlsFingerprint: deps.tls?.fingerprint ?? null,
    credentials,
    scope: new WorkerScope(operations),
    events,
    operations,
    actions,
    registry,
    workers,
    dispatcher,
    series,
    strategies,
    artifacts,
    backtests,
    training,
    models,
    metrics,
    ibGate,
    acquisition,
    channels,
    sweeps,
    sweepSets: new SweepSets({
      operations,
      sets: sweepSetStore,
      backtests,
      dispatcher,
      registry,
      backendUrl: deps.publicUrl,
    }),
    activity,
  };
  healthRoutes(app, ctx);
  workerRoutes(app, ctx);
  operationRoutes(app, ctx);
  backtestRoutes(app, ctx);
  trainingRoutes(app, ctx);
  jobKindRoutes(app, ctx);
  sweepRoutes(app, ctx);
  modelRoutes(app, ctx);
  eventRoutes(app, ctx);
  dataRoutes(app, ctx);
  acquisitionRoutes(app, ctx);
  strategyRoutes(app, ctx);
  sessionRoutes(app, ctx);
  tokenRoutes(app, ctx);
  if (config.webDir) await webRoutes(app, config.webDir);

  return {
    app,
    ctx,
    async dispose() {
      // sets still being stored are stored before the database closes
      await sweeps.close();
      await acquisition.close();
      await dispatcher.close();
      // `running` rows still waiting are written while the database is open
      operations.writePending();
      registry.close();
      activity.close();
      events.close();
      artifacts.close();
      await clients.close();
    },
  };
}
