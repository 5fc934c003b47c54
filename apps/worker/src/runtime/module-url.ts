import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The URL of a sibling module with the caller's own extension: `.js` when running
 * compiled, `.ts` under tsx (tests) — worker threads need a real file path.
 */
export function siblingModule(importMetaUrl: string, relativeWithoutExtension: string): URL {
  return new URL(
    `${relativeWithoutExtension}${extname(fileURLToPath(importMetaUrl))}`,
    importMetaUrl,
  );
}
