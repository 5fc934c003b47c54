import { Routes, type OperationType, type WorkerType } from '@ktrdr/shared';

/**
 * How one kind of operation reaches a worker. A new kind of job is one entry here (plus
 * its request schema in `shared` and its handler on the worker), not edits scattered
 * over the registry and dispatcher.
 */
export interface JobDefinition {
  operationType: OperationType;
  workerType: WorkerType;
  /** The worker route that starts it. */
  workerStartPath: string;
  /** Route to a `gpu: true` worker first when one is free (training). */
  preferGpu: boolean;
}

/** Every kind of operation that runs on workers. */
export const JOB_DEFINITIONS: Partial<Record<OperationType, JobDefinition>> = {
  backtesting: {
    operationType: 'backtesting',
    workerType: 'backtesting',
    workerStartPath: Routes.worker.backtestStart,
    preferGpu: false,
  },
  training: {
    operationType: 'training',
    workerType: 'training',
    workerStartPath: Routes.worker.trainingStart,
    preferGpu: true,
  },
};

/** The definition of an operation type, or a clear error for types that do not run on workers. */
export function jobDefinition(type: OperationType): JobDefinition {
  const definition = JOB_DEFINITIONS[type];
  if (!definition) throw new Error(`operations of type ${type} do not run on workers`);
  return definition;
}
