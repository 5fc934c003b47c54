import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The installed `electron` npm package: where it is, which version, which binary it wants. */
export interface ElectronPackage {
  dir: string;
  version: string;
  /** The executable's path inside `dist/` on this platform (what Electron's path.txt holds). */
  platformPath: string;
}

/** The binary's path inside `dist/` for a platform, as Electron's installer lays it out. */
export function electronPlatformPath(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    default:
      return 'electron';
  }
}

/** The `electron` package, or undefined where it is not installed (a production install). */
export function findElectronPackage(dir?: string): ElectronPackage | undefined {
  let packageDir = dir;
  if (!packageDir) {
    try {
      packageDir = dirname(require.resolve('electron/package.json'));
    } catch {
      return undefined;
    }
  }
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir: packageDir, version: manifest.version, platformPath: electronPlatformPath() };
}

/** Where the binary is, or why the package has none usable. */
export type ElectronBinaryStatus =
  | { installed: true; path: string; version: string }
  | { installed: false; reason: string; version?: string; packageDir?: string };

/**
 * Whether the binary is fully installed, by the same marks Electron's own installer checks
 * (`dist/version` equal to the package's version, `path.txt`, the executable): a download
 * cut off half-way, or a binary left over from another version, counts as missing, so the
 * next start installs it again instead of launching something broken.
 */
export function electronBinaryStatus(pkg = findElectronPackage()): ElectronBinaryStatus {
  if (!pkg) return { installed: false, reason: 'the electron package is not installed' };
  const dist = join(pkg.dir, 'dist');
  const missing = (reason: string): ElectronBinaryStatus => ({
    installed: false,
    reason,
    version: pkg.version,
    packageDir: pkg.dir,
  });
  if (!existsSync(dist)) return missing(`no Electron binary in ${dist}`);
  let version = '';
  try {
    version = readFileSync(join(dist, 'version'), 'utf8').trim().replace(/^v/, '');
  } catch {
    return missing(`${dist} is incomplete (no version file)`);
  }
  if (version !== pkg.version)
    return missing(`${dist} holds Electron ${version}, the package needs ${pkg.version}`);
  let platformPath = '';
  try {
    platformPath = readFileSync(join(pkg.dir, 'path.txt'), 'utf8').trim();
  } catch {
    return missing(`${dist} is incomplete (no path.txt)`);
  }
  const binary = join(dist, platformPath);
  if (platformPath !== pkg.platformPath || !existsSync(binary))
    return missing(`${dist} has no ${pkg.platformPath} for this platform`);
  return { installed: true, path: binary, version: pkg.version };
}
