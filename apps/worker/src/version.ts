import { readFileSync } from 'node:fs';

/** The worker package's version, reported in its capabilities. */
export const WORKER_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
