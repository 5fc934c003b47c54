import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  electronBinaryStatus,
  findElectronPackage,
  type ElectronPackage,
} from './electron-package.js';
import { verifyElectron } from './verify-electron.js';

/** The command a trader runs to try the download again. */
export const SETUP_DESKTOP_COMMAND = 'npx ktrdr setup desktop';

/** How long the download may take by default: about two minutes. */
export const ELECTRON_INSTALL_TIMEOUT_MS = 120_000;

/** Options of {@link installElectron}. */
export interface InstallElectronOptions {
  /** The electron package (default: the one this repository installed). */
  pkg?: ElectronPackage;
  timeoutMs?: number;
  /** Called about once a second while the installer runs, with the seconds so far. */
  onProgress?: (elapsedSeconds: number) => void;
  /** Where the installer's own output lines go (its progress bar, if it draws one). */
  onOutput?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** What came of it. */
export type InstallElectronResult =
  | { ok: true; path: string; version: string; alreadyInstalled: boolean }
  | { ok: false; reason: string; interrupted?: boolean };

const STAGING = '.ktrdr-install';
// the compiled file: beside this one, or (when this module runs from src/ in tests) in dist/
const FETCH_CAUSE = [
  fileURLToPath(new URL('./fetch-cause.js', import.meta.url)),
  fileURLToPath(new URL('../../dist/electron/fetch-cause.js', import.meta.url)),
].find((path) => existsSync(path));

/** The installer's own error, as one line: its message, never its stack. */
export function installerReason(output: string, code: number | null): string {
  const lines = output.split('\n').map((l) => l.trim());
  const error = lines.find((l) => /^(\w*Error|RequestError|HTTPError)\b.*:/.test(l));
  if (error) return error.replace(/^(\w*Error):\s*/, '');
  const last = lines.filter((l) => l !== '' && !l.startsWith('at ')).pop();
  return last ?? `the installer exited with code ${code ?? 'none'}`;
}

/**
 * Runs Electron's own installer (`install.js` of the electron package, so ELECTRON_MIRROR,
 * ELECTRON_CUSTOM_DIR, electron_config_cache and the other variables it honours apply) with
 * a deadline, and makes its result atomic: the installer works in a staging copy of the
 * package, and only a complete, verified binary is moved into `dist/`. A download cut off
 * (deadline, Ctrl-C, a full disk) leaves nothing the next start would try to launch.
 */
export async function installElectron(
  options: InstallElectronOptions = {},
): Promise<InstallElectronResult> {
  const pkg = options.pkg ?? findElectronPackage();
  if (!pkg) return { ok: false, reason: 'the electron package is not installed (run npm ci)' };
  const before = electronBinaryStatus(pkg);
  if (before.installed)
    return { ok: true, path: before.path, version: before.version, alreadyInstalled: true };

  const staging = join(pkg.dir, STAGING);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // install.js reads its version and checksums beside itself and resolves @electron/get
  // from the package's node_modules, which a folder inside the package still reaches
  for (const file of ['install.js', 'package.json', 'checksums.json']) {
    if (existsSync(join(pkg.dir, file))) copyFileSync(join(pkg.dir, file), join(staging, file));
  }
  const timeoutMs = options.timeoutMs ?? ELECTRON_INSTALL_TIMEOUT_MS;
  const env = { ...(options.env ?? process.env) };
  delete env.ELECTRON_OVERRIDE_DIST_PATH; // it would send the files outside the staging copy
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;

  const outcome = await new Promise<{
    code: number | null;
    output: string;
    timedOut: boolean;
    interrupted: boolean;
  }>((resolve) => {
    let output = '';
    let timedOut = false;
    let interrupted = false;
    const child = spawn(
      process.execPath,
      [...(FETCH_CAUSE ? ['--import', FETCH_CAUSE] : []), join(staging, 'install.js')],
      {
        cwd: staging,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const started = Date.now();
    const tick = setInterval(
      () => options.onProgress?.(Math.round((Date.now() - started) / 1000)),
      1000,
    );
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      // its own progress lines pass through; an error's stack does not (the reason is returned)
      for (const line of text.split(/[\r\n]+/))
        if (line.trim() && !/^\s*at |Error\b/.test(line)) options.onOutput?.(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const stopOnSignal = () => {
      interrupted = true;
      child.kill('SIGKILL');
    };
    process.once('SIGINT', stopOnSignal);
    child.on('close', (code) => {
      clearInterval(tick);
      clearTimeout(timer);
      process.removeListener('SIGINT', stopOnSignal);
      resolve({ code, output, timedOut, interrupted });
    });
    child.on('error', (error) => {
      output += `Error: ${error.message}\n`;
    });
  });

  const fail = (reason: string): { ok: false; reason: string } => {
    rmSync(staging, { recursive: true, force: true });
    return { ok: false, reason };
  };
  if (outcome.interrupted) return { ...fail('interrupted (Ctrl-C)'), interrupted: true };
  if (outcome.timedOut)
    return fail(
      `the download took longer than ${Math.round(timeoutMs / 1000)} s (a slow or filtered network: set ELECTRON_MIRROR, or retry)`,
    );
  if (outcome.code !== 0) return fail(installerReason(outcome.output, outcome.code));

  const staged = electronBinaryStatus({ ...pkg, dir: staging });
  if (!staged.installed) return fail(`the installer finished but ${staged.reason}`);
  const check = await verifyElectron(staged.path);
  if (!check.ok) return fail(check.reason);
  // swap in the complete binary: dist first, path.txt last (the mark of a finished install)
  rmSync(join(pkg.dir, 'path.txt'), { force: true });
  rmSync(join(pkg.dir, 'dist'), { recursive: true, force: true });
  renameSync(join(staging, 'dist'), join(pkg.dir, 'dist'));
  if (existsSync(join(staging, 'electron.d.ts')))
    renameSync(join(staging, 'electron.d.ts'), join(pkg.dir, 'electron.d.ts'));
  renameSync(join(staging, 'path.txt'), join(pkg.dir, 'path.txt'));
  rmSync(staging, { recursive: true, force: true });
  const after = electronBinaryStatus(pkg);
  if (!after.installed) return { ok: false, reason: after.reason };
  return { ok: true, path: after.path, version: after.version, alreadyInstalled: false };
}
