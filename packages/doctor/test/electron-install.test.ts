import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { freePort, REPO_ROOT, tempDir } from '@ktrdr/testkit';
import {
  electronBinaryStatus,
  findElectronPackage,
  installElectron,
  installerReason,
  type ElectronPackage,
} from '../src/index.js';

/** A zip of `files` (stored, no compression), with unix modes, as Electron's releases are zips. */
function zip(files: { name: string; data: Buffer; mode: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name);
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.data.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by unix, so the mode below counts
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.data.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100000 | file.mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, file.data);
    centrals.push(central, name);
    offset += local.length + name.length + file.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A copy of the real electron package's installer files in a temp dir (the repo's stays untouched). */
function electronPackageCopy(): ElectronPackage {
  const real = findElectronPackage();
  assert.ok(real, 'the electron package is installed by npm ci');
  const dir = join(tempDir('ktrdr-electron-').path, 'electron');
  mkdirSync(dir);
  for (const file of ['install.js', 'package.json', 'checksums.json'])
    copyFileSync(join(real.dir, file), join(dir, file));
  return { ...real, dir };
}

/** Serves one release the way Electron's mirror does: the zip and its SHASUMS256.txt. */
async function mirror(
  version: string,
  body: Buffer,
  behaviour: 'whole' | 'stall' = 'whole',
): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const fileName = `electron-v${version}-${process.platform}-${process.arch}.zip`;
  const sums = `${createHash('sha256').update(body).digest('hex')} *${fileName}\n`;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.endsWith('/SHASUMS256.txt')) return void res.end(sums);
    if (req.url?.endsWith(`/${fileName}`)) {
      res.writeHead(200, { 'content-length': body.length });
      if (behaviour === 'stall') return void res.write(body.subarray(0, body.length >> 1));
      return void res.end(body);
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server, requests };
}

function installerEnv(mirrorUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ELECTRON_MIRROR: mirrorUrl,
    electron_use_remote_checksums: '1',
    electron_config_cache: tempDir('ktrdr-electron-cache-').path,
    // the copy lives outside node_modules: let its require('@electron/get') find the real one
    NODE_PATH: join(REPO_ROOT, 'node_modules'),
  };
}

// A stand-in binary: the real one cannot be downloaded here. It answers the verification
// probe the way Electron run as Node does.
const FAKE_ELECTRON = Buffer.from(
  '#!/bin/sh\necho \'{"electron":"45.5.0","node":"24.0.0","sqlite":true}\'\n',
);

describe("Electron's installer, run by ktrdr (against a mirror on loopback)", () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('downloads through the real install.js, verifies the binary, and only then moves it into dist/', async () => {
    const pkg = electronPackageCopy();
    const release = zip([
      { name: pkg.platformPath, data: FAKE_ELECTRON, mode: 0o755 },
      { name: 'version', data: Buffer.from(pkg.version), mode: 0o644 },
    ]);
    const { url, server, requests } = await mirror(pkg.version, release);
    servers.push(server);
    assert.equal(electronBinaryStatus(pkg).installed, false);
    const seconds: number[] = [];
    const result = await installElectron({
      pkg,
      env: installerEnv(url),
      timeoutMs: 60_000,
      onProgress: (s) => seconds.push(s),
    });
    assert.deepEqual(result, {
      ok: true,
      path: join(pkg.dir, 'dist', pkg.platformPath),
      version: pkg.version,
      alreadyInstalled: false,
    });
    assert.ok(
      requests.some((r) => r.endsWith('.zip')),
      `the mirror was asked: ${requests.join(', ')}`,
    );
    assert.equal(readFileSync(join(pkg.dir, 'path.txt'), 'utf8'), pkg.platformPath);
    assert.equal(existsSync(join(pkg.dir, '.ktrdr-install')), false, 'no staging copy left');
    assert.deepEqual(electronBinaryStatus(pkg), {
      installed: true,
      path: result.ok ? result.path : '',
      version: pkg.version,
    });
    // a second start finds it and downloads nothing
    const again = await installElectron({ pkg, env: installerEnv(url) });
    assert.equal(again.ok && again.alreadyInstalled, true);
  });

  it('a download cut off at the deadline leaves no binary behind, and says why', async () => {
    const pkg = electronPackageCopy();
    const release = zip([
      { name: pkg.platformPath, data: Buffer.alloc(2_000_000, 1), mode: 0o755 },
    ]);
    const { url, server } = await mirror(pkg.version, release, 'stall');
    servers.push(server);
    const result = await installElectron({ pkg, env: installerEnv(url), timeoutMs: 3000 });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /the download took longer than 3 s/);
    assert.equal(existsSync(join(pkg.dir, 'dist')), false);
    assert.equal(existsSync(join(pkg.dir, 'path.txt')), false);
    assert.equal(existsSync(join(pkg.dir, '.ktrdr-install')), false);
  });

  it("an unreachable mirror fails fast with the network's own reason, not a stack", async () => {
    const pkg = electronPackageCopy();
    const port = await freePort();
    const result = await installElectron({
      pkg,
      env: installerEnv(`http://127.0.0.1:${port}/`),
      timeoutMs: 30_000,
    });
    assert.equal(result.ok, false);
    const reason = result.ok ? '' : result.reason;
    assert.match(reason, /ECONNREFUSED/);
    assert.match(reason, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(reason, /\n|\bat /);
  });

  it('a binary that is not Electron is refused and not installed', async () => {
    const pkg = electronPackageCopy();
    const release = zip([
      { name: pkg.platformPath, data: Buffer.from('#!/bin/sh\necho not electron\n'), mode: 0o755 },
      { name: 'version', data: Buffer.from(pkg.version), mode: 0o644 },
    ]);
    const { url, server } = await mirror(pkg.version, release);
    servers.push(server);
    const result = await installElectron({ pkg, env: installerEnv(url), timeoutMs: 60_000 });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /does not run here: not electron/);
    assert.equal(existsSync(join(pkg.dir, 'dist')), false);
  });

  it('a half-finished dist (no path.txt, or another version) counts as missing', () => {
    const pkg = electronPackageCopy();
    mkdirSync(join(pkg.dir, 'dist'));
    writeFileSync(join(pkg.dir, 'dist', 'version'), pkg.version);
    assert.deepEqual(electronBinaryStatus(pkg), {
      installed: false,
      reason: `${join(pkg.dir, 'dist')} is incomplete (no path.txt)`,
      version: pkg.version,
      packageDir: pkg.dir,
    });
    writeFileSync(join(pkg.dir, 'dist', 'version'), '39.8.9');
    const status = electronBinaryStatus(pkg);
    assert.equal(status.installed, false);
    assert.match(
      status.installed ? '' : status.reason,
      /holds Electron 39\.8\.9, the package needs/,
    );
  });

  it("reads the installer's error line out of its stack", () => {
    assert.equal(
      installerReason(
        'Error: fetch failed: getaddrinfo ENOTFOUND github.com\n    at x (y.js:1:1)\n',
        1,
      ),
      'fetch failed: getaddrinfo ENOTFOUND github.com',
    );
    assert.equal(
      installerReason('HTTPError: Response code 404 (Not Found) for http://m/x.zip\n', 1),
      'Response code 404 (Not Found) for http://m/x.zip',
    );
    assert.equal(installerReason('', 7), 'the installer exited with code 7');
  });
});
