import { readFileSync } from 'node:fs';

/** The IB host package's version, reported by `/health` and the OpenAPI document. */
// the desktop app's bundler defines KTRDR_CODE_VERSION (the bundle has no package.json beside it)
export const IB_HOST_VERSION: string =
  process.env.KTRDR_CODE_VERSION ??
  (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
