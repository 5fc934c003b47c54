export { startWorker, type WorkerHandle } from './worker.js';
export {
  loadWorkerConfig,
  WorkerConfigError,
  WORKER_USAGE,
  DEFAULT_WORKER_PORTS,
  type WorkerConfig,
} from './config.js';
export type {
  WorkerJobDefinition,
  JobHandler,
  JobContext,
  JobOutcome,
} from './runtime/job-definition.js';
export {
  loadTrainingBackend,
  TRAINING_BACKENDS,
  type LoadedBackend,
  type TrainingBackendName,
  type TrainingBackendPreference,
} from './training/backend-loader.js';
