import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BackendClient } from '@ktrdr/shared';
import {
  REPO_ROOT,
  spawnService,
  startBackendProcess,
  startWorkerProcess,
  tempDir,
  waitFor,
  type BackendProcess,
} from '@ktrdr/testkit';

const TOKEN = 'container-token-0123456789abcdef';
const run = promisify(execFile);

async function healthcheck(cacheDir: string): Promise<number> {
  try {
    await run(process.execPath, [`${REPO_ROOT}apps/worker/scripts/healthcheck.mjs`], {
      env: { KTRDR_CACHE_DIR: cacheDir },
    });
    return 0;
  } catch (error) {
    return (error as { code: number }).code;
  }
}

// What the worker's container image relies on: replicas on port 0 that advertise the host's
// address with the port they bound, and a health check that finds that port by itself.
describe('worker as a container replica', () => {
  const dir = tempDir();
  let backend: BackendProcess;
  before(async () => {
    backend = await startBackendProcess({ dataDir: `${dir.path}/data`, port: 0, token: TOKEN });
  });
  after(async () => {
    await backend.stop('SIGTERM');
    dir.remove();
  });

  it('binds all interfaces on a free port and advertises KTRDR_WORKER_PUBLIC_HOST with that port', async () => {
    const cacheDir = `${dir.path}/replica`;
    const worker = await startWorkerProcess({
      backendUrl: backend.url,
      token: TOKEN,
      cacheDir,
      env: { KTRDR_WORKER_HOST: '0.0.0.0', KTRDR_WORKER_PUBLIC_HOST: '127.0.0.1' },
    });
    try {
      const bound = readFileSync(`${cacheDir}/worker.url`, 'utf8').trim();
      const port = new URL(bound).port;
      const client = new BackendClient({ baseUrl: backend.url, token: TOKEN });
      const registered = await waitFor('registered', async () =>
        (await client.listWorkers()).workers.find((w) => w.worker_id === worker.workerId),
      );
      assert.equal(registered.endpoint_url, `http://127.0.0.1:${port}`);
      assert.match(worker.workerId, new RegExp(`^backtesting-.+-${port}$`), 'an id per replica');
      assert.equal(await healthcheck(cacheDir), 0, 'healthy while it runs');
    } finally {
      await worker.stop('SIGTERM');
    }
    assert.equal(await healthcheck(cacheDir), 1, 'unhealthy once it is gone');
    assert.equal(await healthcheck(`${dir.path}/never-started`), 1, 'unhealthy before it bound');
  });

  it('refuses a KTRDR_WORKER_PUBLIC_HOST that is not a host, naming it', async () => {
    await assert.rejects(
      spawnService(
        `${REPO_ROOT}apps/worker/dist/bin.js`,
        [],
        {
          KTRDR_BACKEND_URL: backend.url,
          KTRDR_CLUSTER_TOKEN: TOKEN,
          KTRDR_WORKER_TYPE: 'backtesting',
          KTRDR_WORKER_PUBLIC_HOST: 'http://10.0.0.1:5003',
        },
        /listening on/,
        10_000,
      ),
      /exited \(1\).*KTRDR_WORKER_PUBLIC_HOST must be a host name or address/s,
    );
  });
});
