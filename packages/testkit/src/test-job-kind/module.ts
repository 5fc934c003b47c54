import type { JobKindModule } from '@ktrdr/shared';
import { countKind } from './count-kind.js';

/**
 * The count kind as a worker loads it (`KTRDR_JOB_KINDS=<this file, compiled>`): its
 * descriptor and its handler, next to this file.
 */
const countKindModule: JobKindModule = {
  kind: countKind,
  handlerModule: new URL(
    `./handler${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
    import.meta.url,
  ).href,
};

export default countKindModule;
