import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempDir } from '@ktrdr/testkit';
import {
  ConfigError,
  loadBackendConfig,
  startupBanner,
  type BackendHandle,
} from '../../src/index.js';
import { acquireLock, loadOrCreateToken } from '../../src/storage/data-dir.js';
import { newOperationId } from '../../src/operations/operation-ids.js';

describe('backend configuration', () => {
  it('reads env, lets flags win, and expands ~ in the data dir', () => {
    const config = loadBackendConfig(
      { KTRDR_PORT: '9000', KTRDR_DATA_DIR: '~/kt', HOME: '/home/x' },
      ['--port', '9100', '--host=0.0.0.0'],
    );
    assert.equal(config.port, 9100);
    assert.equal(config.host, '0.0.0.0');
    assert.match(config.dataDir, /\/kt$/);
  });

  it('stops with one line naming the variable on bad values', () => {
    assert.throws(
      () => loadBackendConfig({ KTRDR_PORT: 'eighty' }),
      (e: unknown) =>
        e instanceof ConfigError && /KTRDR_PORT="eighty" is not a port/.test(e.message),
    );
    assert.throws(
      () => loadBackendConfig({ USE_IB_HOST_SERVICE: 'maybe' }),
      /USE_IB_HOST_SERVICE="maybe" must be true or false/,
    );
    assert.throws(
      () => loadBackendConfig({ KTRDR_CLUSTER_TOKEN: 'short' }),
      /KTRDR_CLUSTER_TOKEN is too short/,
    );
    assert.throws(() => loadBackendConfig({}, ['--colour', 'red']), /unknown option "--colour"/);
    assert.throws(
      () => loadBackendConfig({ KTRDR_WORKER_GRACE_SECONDS: 'soon' }),
      /KTRDR_WORKER_GRACE_SECONDS must be a number of seconds/,
    );
    const timed = loadBackendConfig({
      KTRDR_WORKER_GRACE_SECONDS: '2.5',
      KTRDR_WORKER_REMOVAL_SECONDS: '30',
    });
    assert.deepEqual([timed.workerGraceMs, timed.workerRemovalMs], [2500, 30_000]);
  });
});

describe('data dir', () => {
  it('generates the token once, mode 0600, and reads it back', () => {
    const dir = tempDir();
    const first = loadOrCreateToken(`${dir.path}/cluster-token`);
    const second = loadOrCreateToken(`${dir.path}/cluster-token`);
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.token, first.token);
    assert.ok(first.token.length >= 40);
    assert.equal(statSync(`${dir.path}/cluster-token`).mode & 0o777, 0o600);
    dir.remove();
  });

  it('refuses a second backend on the same dir, naming the running one, and takes over a stale lock', () => {
    const dir = tempDir();
    const lock = `${dir.path}/backend.lock`;
    const release = acquireLock(lock, 'http://127.0.0.1:8000');
    assert.throws(
      () => acquireLock(lock, 'http://127.0.0.1:8001'),
      new RegExp(`another backend \\(pid ${process.pid}, http://127\\.0\\.0\\.1:8000`),
    );
    release();
    // a lock left by a process that no longer exists
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, url: 'http://old' }));
    const again = acquireLock(lock, 'http://127.0.0.1:8002');
    again();
    dir.remove();
  });
});

describe('operation ids and the start-up banner', () => {
  it('makes ids of the form op_<type>_<YYYYMMDD_HHMMSS>_<8 hex>', () => {
    assert.match(
      newOperationId('backtesting', new Date(Date.UTC(2026, 10, 28, 15, 4, 5))),
      /^op_backtesting_20261128_150405_[0-9a-f]{8}$/,
    );
  });

  it('shows the ready-to-click URL only on a terminal', () => {
    const handle = {
      url: 'http://127.0.0.1:8000',
      token: 'secret-token-value-123',
      dataDir: '/d',
      tokenSource: { kind: 'file', path: '/d/cluster-token', created: false },
      joinTokenSource: { kind: 'file', path: '/d/join-token', created: false },
      tlsFingerprint: null,
    } as unknown as BackendHandle;
    assert.match(
      startupBanner(handle, true),
      /open: http:\/\/127\.0\.0\.1:8000\/#token=secret-token-value-123/,
    );
    const piped = startupBanner(handle, false);
    assert.ok(!piped.includes('secret-token-value-123'), 'no token in non-interactive output');
    assert.match(piped, /token: in \/d\/cluster-token/);
    assert.match(piped, /join token \(workers only\): in \/d\/join-token/);
  });

  it('reads KTRDR_TLS and the certificate files, naming the variable when wrong', () => {
    assert.deepEqual(loadBackendConfig({ KTRDR_TLS: 'self-signed' }).tls, { mode: 'self-signed' });
    assert.deepEqual(loadBackendConfig({}).tls, { mode: 'off' });
    assert.throws(
      () => loadBackendConfig({ KTRDR_TLS: 'maybe' }),
      /KTRDR_TLS must be off or self-signed/,
    );
    assert.throws(
      () => loadBackendConfig({ KTRDR_TLS_CERT: '/c.pem' }),
      /KTRDR_TLS_CERT and KTRDR_TLS_KEY go together/,
    );
    assert.throws(
      () => loadBackendConfig({ KTRDR_JOIN_TOKEN: 'short' }),
      /KTRDR_JOIN_TOKEN is too short/,
    );
  });
});
