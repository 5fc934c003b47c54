import { fileURLToPath } from 'node:url';

export * from './count-kind.js';
export { default as countKindModule } from './module.js';

/**
 * The compiled count-kind module, for a spawned worker's `KTRDR_JOB_KINDS` (workers run the
 * compiled bin, so they load compiled modules).
 */
export const COUNT_KIND_MODULE_PATH = fileURLToPath(
  new URL('../../dist/test-job-kind/module.js', import.meta.url),
);
