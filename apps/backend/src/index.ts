export { buildApp, type BuiltBackend, type BuildDeps } from './app.js';
export { startBackend, type BackendHandle } from './backend.js';
export { startupBanner } from './banner.js';
export {
  loadBackendConfig,
  defaultBackendConfig,
  ConfigError,
  BACKEND_USAGE,
  type BackendConfig,
} from './config.js';
export { openDatabase, SWEEP_SET_METRIC_COLUMNS } from './storage/database.js';
export { ArtifactStore } from './artifacts/artifact-store.js';
export { BACKEND_VERSION } from './version.js';
// for seeding a closed backend's database (the load benchmark's 100,000 operations)
export { OperationStore } from './operations/operation-store.js';
export type { OperationRecord } from './operations/operation-record.js';
// for the store-writes benchmark (what a sweep's sets cost the backend's SQLite, per set)
export { SweepSetStore } from './sweeps/sweep-set-store.js';
export { heatmapCells } from './sweeps/sweep-heatmap.js';
// for the activity benchmark (what the Workers view's figures cost per operation)
export { WorkerActivity } from './workers/worker-activity.js';
