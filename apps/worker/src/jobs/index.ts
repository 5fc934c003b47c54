import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobKindModule } from '@ktrdr/shared';
import { workerJobOf, type WorkerJobDefinition } from '../runtime/job-definition.js';
import { backtestJobDefinition } from './backtest/definition.js';
import { sweepShardJobDefinition } from './sweep-shard/definition.js';
import { trainingJobDefinition } from './training/definition.js';

/** The job kinds every worker build runs (each worker the ones of its type). */
export const BUILT_IN_WORKER_JOBS: readonly WorkerJobDefinition[] = [
  backtestJobDefinition,
  sweepShardJobDefinition,
  trainingJobDefinition,
];

/**
 * Loads the job kinds of `KTRDR_JOB_KINDS` modules (paths or file URLs): each default-exports
 * a {@link JobKindModule}, its descriptor and its handler's URL.
 */
export async function loadJobKindModules(
  specifiers: readonly string[],
): Promise<WorkerJobDefinition[]> {
  const jobs: WorkerJobDefinition[] = [];
  for (const specifier of specifiers) {
    const url = /^file:/.test(specifier)
      ? specifier
      : pathToFileURL(isAbsolute(specifier) ? specifier : resolve(specifier)).href;
    const loaded = (await import(url)) as { default?: Partial<JobKindModule> };
    const module = loaded.default;
    if (!module?.kind || typeof module.handlerModule !== 'string')
      throw new Error(
        `KTRDR_JOB_KINDS: ${specifier} must export by default { kind, handlerModule } (a job-kind descriptor and its handler's file URL)`,
      );
    jobs.push(workerJobOf(module.kind, new URL(module.handlerModule)));
  }
  return jobs;
}
