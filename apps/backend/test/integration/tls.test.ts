import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { pinnedAgent } from '@ktrdr/server-kit/tls-pin';
import { BackendClient } from '@ktrdr/shared';
import {
  freePort,
  startBackendProcess,
  startWorkerProcess,
  tempDir,
  waitFor,
  type BackendProcess,
  type WorkerProcess,
} from '@ktrdr/testkit';
import { TEST_TOKEN } from './cluster-fixture.js';

describe('TLS mode: a self-signed certificate whose fingerprint workers pin', () => {
  const dir = tempDir();
  let backend: BackendProcess;
  let port: number;
  let fingerprint: string;
  let client: BackendClient;
  const workers: WorkerProcess[] = [];
  const start = () =>
    startBackendProcess({
      dataDir: `${dir.path}/data`,
      port,
      token: TEST_TOKEN,
      env: { KTRDR_TLS: 'self-signed' },
    });

  before(async () => {
    port = await freePort();
    backend = await start();
    fingerprint = new X509Certificate(readFileSync(`${dir.path}/data/tls/cert.pem`)).fingerprint256;
    client = new BackendClient({
      baseUrl: backend.url,
      token: TEST_TOKEN,
      dispatcher: pinnedAgent(fingerprint),
    });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await backend.stop('SIGKILL');
    dir.remove();
  });

  it('serves HTTPS only, announces the fingerprint, and an unpinned client is refused', async () => {
    assert.match(backend.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(
      backend.output().includes(`TLS certificate SHA-256 (workers pin it): ${fingerprint}`),
      backend.output(),
    );
    const info = await client.clusterInfo();
    assert.equal(info.tls_fingerprint, fingerprint);
    await assert.rejects(fetch(`${backend.url}/health`), 'the default trust store refuses it');
    await assert.rejects(
      fetch(`http://127.0.0.1:${port}/health`).then((r) => {
        if (r.status !== 200) throw new Error(String(r.status));
      }),
      'no plain HTTP on the port',
    );
  });

  it('a worker given the URL, the fingerprint and the join token registers and runs a backtest', async () => {
    const joinToken = readFileSync(`${dir.path}/data/join-token`, 'utf8').trim();
    workers.push(
      await startWorkerProcess({
        backendUrl: backend.url,
        token: '',
        cacheDir: `${dir.path}/worker`,
        env: { KTRDR_JOIN_TOKEN: joinToken, KTRDR_BACKEND_FINGERPRINT: fingerprint.toLowerCase() },
      }),
    );
    await waitFor(
      'registered over TLS',
      async () => (await client.listWorkers()).total_count === 1,
    );
    const { operation_id } = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2018-01-01',
    });
    const done = await waitFor('completed', async () => {
      const op = await client.getOperation(operation_id);
      return op.status === 'completed' || op.status === 'failed' ? op : undefined;
    });
    assert.equal(done.status, 'completed', done.error_message ?? '');
  });

  it('a worker pinning another fingerprint never registers, and says why', async () => {
    const wrong = await startWorkerProcess({
      backendUrl: backend.url,
      token: TEST_TOKEN,
      cacheDir: `${dir.path}/impostor`,
      env: { KTRDR_BACKEND_FINGERPRINT: 'AB'.repeat(32) },
    });
    workers.push(wrong);
    await waitFor('it explains', () => /is not the pinned one/.test(wrong.output()), {
      timeoutMs: 10_000,
    });
    assert.equal((await client.listWorkers()).total_count, 1, 'still only the first worker');
  });

  it('a restart keeps the certificate, so pinned workers come back', async () => {
    await backend.stop('SIGKILL');
    backend = await start();
    const again = new X509Certificate(readFileSync(`${dir.path}/data/tls/cert.pem`));
    assert.equal(again.fingerprint256, fingerprint);
    await waitFor('the pinned worker registered again', async () =>
      (await client.listWorkers()).workers.some((w) => w.status === 'available'),
    );
  });
});
