import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BackendClient, type ClusterInfo } from '@ktrdr/shared';
import {
  REPO_ROOT,
  startBackendProcess,
  tempDir,
  waitFor,
  type BackendProcess,
} from '@ktrdr/testkit';

const TOKEN = 'join-token-0123456789abcdef';

// The "Join a worker" panel's command, run exactly as printed (npx ktrdr-worker is the
// worker's bin), from a backend that accepts LAN workers.
describe('joining a worker from another machine', () => {
  const dir = tempDir();
  let backend: BackendProcess;
  let info: ClusterInfo;
  let client: BackendClient;
  before(async () => {
    backend = await startBackendProcess({
      dataDir: `${dir.path}/data`,
      port: 0,
      token: TOKEN,
      env: { KTRDR_HOST: '0.0.0.0' },
    });
    client = new BackendClient({ baseUrl: backend.url, token: TOKEN });
    info = await client.clusterInfo();
  });
  after(async () => {
    await backend.stop('SIGTERM');
    dir.remove();
  });

  it('prints a join command that works as printed, and the same as a container', async (t) => {
    if (!info.join_command) {
      t.skip(`this machine has no LAN address (${info.join_hint ?? ''})`);
      return;
    }
    assert.equal(info.accepts_lan_workers, true);
    const command = info.join_command.replace(
      'npx ktrdr-worker',
      `${process.execPath} ${REPO_ROOT}apps/worker/dist/bin.js`,
    );
    const child = spawn('sh', ['-c', `exec env KTRDR_CACHE_DIR=${dir.path}/joined ${command}`], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    try {
      const joined = await waitFor('the joined worker registered', async () =>
        (await client.listWorkers()).workers.find(
          (w) => w.endpoint_url === `${info.lan_url?.replace(/:\d+$/, '')}:5003`,
        ),
      );
      assert.equal(joined.worker_type, 'backtesting');
      assert.equal(joined.status, 'available');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const docker = info.docker_command ?? '';
    assert.match(docker, /^docker run -d .*--network host /);
    assert.ok(docker.includes(`-e KTRDR_BACKEND_URL=${info.lan_url} `), docker);
    const joinToken = readFileSync(`${dir.path}/data/join-token`, 'utf8').trim();
    assert.ok(info.join_command.includes(`KTRDR_JOIN_TOKEN=${joinToken} `), 'the join token');
    assert.ok(!info.join_command.includes(TOKEN), 'never the admin token');
    assert.ok(docker.includes(`-e KTRDR_JOIN_TOKEN=${joinToken} `), docker);
    assert.ok(!docker.includes(TOKEN), 'never the admin token');
    assert.match(docker, /-e KTRDR_WORKER_PORT=0 ktrdr-worker$/);
  });
});
