import { readFileSync } from 'node:fs';

/** The backend package's version (also the `code_version` of provenance). */
// the desktop app's bundler defines KTRDR_CODE_VERSION (the bundle has no package.json beside it)
export const BACKEND_VERSION: string =
  process.env.KTRDR_CODE_VERSION ??
  (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
