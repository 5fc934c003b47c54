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
