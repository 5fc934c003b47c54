#!/usr/bin/env node
// Fetches the Node 24 LTS binary that the second CI pass (and the cross-driver SQLite test)
// run on, once, into .cache/node24/, and prints the path of its `node`. Idempotent: when
// the binary is already there (and is that version) it only prints the path.
//
//   node scripts/node24.mjs            → /…/.cache/node24/bin/node
//   "$(node scripts/node24.mjs)" --version
//
// The binary comes from the npm registry (the `node-<platform>-<arch>` packages that the
// `node` package installs), through the ordinary `npm pack`, so it needs nothing but the
// registry npm already uses. Progress goes to stderr; stdout is only the path.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE24_VERSION = '24.22.3';

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, '.cache');
const target = join(cache, 'node24');
const windows = process.platform === 'win32';
const binary = windows ? join(target, 'node.exe') : join(target, 'bin', 'node');

function versionOf(path) {
  const run = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

function fail(message) {
  console.error(`node24: ${message}`);
  process.exit(1);
}

if (existsSync(binary) && versionOf(binary) === `v${NODE24_VERSION}`) {
  console.log(binary);
  process.exit(0);
}

const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
if (!platform) fail(`no Node ${NODE24_VERSION} package for ${process.platform}`);
const spec = `node-${platform}-${process.arch}@${NODE24_VERSION}`;
mkdirSync(cache, { recursive: true });
const work = mkdtempSync(join(cache, 'node24-download-'));
try {
  console.error(`node24: fetching ${spec} from the npm registry into ${target}`);
  const pack = spawnSync(
    windows ? 'npm.cmd' : 'npm',
    ['pack', spec, '--silent', '--pack-destination', work],
    { encoding: 'utf8', shell: windows, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (pack.status !== 0) fail(`npm pack ${spec} failed (exit ${pack.status ?? pack.signal})`);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) fail(`npm pack ${spec} wrote no tarball`);
  const untar = spawnSync('tar', ['-xzf', tarball], { cwd: work, stdio: 'inherit' });
  if (untar.status !== 0) fail(`could not unpack ${tarball}`);
  const unpacked = join(work, 'package');
  const unpackedBinary = windows ? join(unpacked, 'node.exe') : join(unpacked, 'bin', 'node');
  if (versionOf(unpackedBinary) !== `v${NODE24_VERSION}`)
    fail(`${spec} holds no runnable node at ${unpackedBinary}`);
  rmSync(target, { recursive: true, force: true });
  // a rename, so a concurrent run never sees half a folder
  renameSync(unpacked, target);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(binary);
