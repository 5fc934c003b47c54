import { readFileSync } from 'node:fs';

/** The backend package's version (also the `code_version` of provenance). */
export const BACKEND_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
