import { readFileSync } from 'node:fs';

/** The worker package's version, reported in its capabilities. */
// the desktop app's bundler defines KTRDR_CODE_VERSION (the bundle has no package.json beside it)
export const WORKER_VERSION: string =
  process.env.KTRDR_CODE_VERSION ??
  (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
