import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The Electron binary's path, or why there is none. Electron's npm package downloads its
 * binary in an install script; where that could not run (no internet, or the script not
 * approved) `node_modules/electron/dist` is missing, and requiring `electron` would try
 * to download it — so look first.
 */
export function electronBinary(): { path: string } | { missing: string } {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed' };
  }
  if (!existsSync(join(packageDir, 'dist'))) {
    return {
      missing: `no Electron binary in ${join(packageDir, 'dist')} (run "node node_modules/electron/install.js" on a machine with internet)`,
    };
  }
  return { path: require('electron') as string };
}
