// The `ktrdr-ib-host` bin as a real process (compiled: run `npx tsc -b apps/ib-host` first).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { IbHostClient } from '@ktrdr/shared';
import { freePort, REPO_ROOT, spawnService, waitFor } from '@ktrdr/testkit';
import { startTwsSimulator } from '@ktrdr/testkit/tws-simulator';

const BIN = `${REPO_ROOT}apps/ib-host/dist/bin.js`;

describe('ktrdr-ib-host', () => {
  it('prints its URL when ready, connects to the gateway, and stops on SIGTERM', async () => {
    const sim = await startTwsSimulator();
    const { proc, match } = await spawnService(
      BIN,
      ['--client-id', '5'],
      {
        KTRDR_CLUSTER_TOKEN: 'bin-test-token',
        KTRDR_IB_HOST_PORT: '0',
        IB_GATEWAY_PORT: String(sim.port),
      },
      /ktrdr-ib-host listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    try {
      const client = new IbHostClient({ baseUrl: match[1] as string });
      await waitFor('connected', async () => (await client.health()).gateway.connected);
      assert.equal((await client.health()).gateway.client_id, 5);
      assert.equal(await proc.stop('SIGTERM'), 0);
    } finally {
      await proc.stop('SIGKILL');
      await sim.close();
    }
  });

  it('stops at once with one line naming a bad setting', async () => {
    const child = spawn(process.execPath, [BIN], {
      env: { PATH: process.env.PATH ?? '', KTRDR_CLUSTER_TOKEN: 't', IB_GATEWAY_PORT: 'four' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'ktrdr-ib-host: IB_GATEWAY_PORT="four" must be a whole number from 1 to 65535\n',
    );
  });

  it('answers --help', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, '--help'], {
      env: { PATH: process.env.PATH ?? '', KTRDR_IB_HOST_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 0);
    assert.match(stdout, /^Usage: ktrdr-ib-host/);
    assert.match(stdout, /IB_GATEWAY_PORT \(4002/);
  });
});
