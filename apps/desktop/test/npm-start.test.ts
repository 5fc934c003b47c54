import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { electronBinaryStatus } from '@ktrdr/doctor';
import { BackendClient } from '@ktrdr/shared';
import { freePort, REPO_ROOT, spawnService, tempDir, waitFor } from '@ktrdr/testkit';

// where the binary is installed (a connected machine), npm start would open a window
const electronInstalled = electronBinaryStatus().installed;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * What `npm start` runs after its build step, on free ports, with a fresh data dir and an IB
 * gateway port nothing listens on; resolves once it printed that it is ready.
 */
async function npmStart(dataDir: string, env: Record<string, string> = {}, args: string[] = []) {
  const { proc } = await spawnService(
    `${REPO_ROOT}apps/desktop/dist/start.js`,
    args,
    {
      ...(electronInstalled ? { KTRDR_HEADLESS: '1' } : {}),
      ...env,
      KTRDR_DATA_DIR: dataDir,
      KTRDR_PORT: '0',
      KTRDR_CLUSTER_TOKEN: '',
      KTRDR_IB_HOST_PORT: '0',
      IB_GATEWAY_PORT: '1',
    },
    /Ctrl-C stops everything/,
  );
  return proc;
}

// What `npm start` runs (after its build step): the README's front door.
describe('npm start (headless local stack)', () => {
  it('starts the backend and the local workers, runs a backtest, and leaves no process behind on Ctrl-C', async () => {
    const dir = tempDir();
    // Electron's download fails here as it does offline: its mirror is a closed port
    const mirrorPort = await freePort();
    const proc = await npmStart(dir.path, { ELECTRON_MIRROR: `http://127.0.0.1:${mirrorPort}/` });
    try {
      const output = proc.output();
      if (!electronInstalled) {
        assert.match(
          output,
          /no Electron binary yet: running Electron's installer for \d+\.\d+\.\d+/,
        );
        // one line: the installer's own reason, the retry command, then headless
        assert.match(
          output,
          new RegExp(
            `ktrdr: no desktop window here \\(Electron's installer failed: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${mirrorPort}; retry with: npx ktrdr setup desktop\\); running headless\\.`,
          ),
        );
      }
      // the banner ends with what this machine lacks
      assert.match(
        output,
        /\ndoctor: \d+ of \d+ optional parts ready here; missing: .*\(how to fix each: npx ktrdr doctor\)\n/,
      );
      if (!electronInstalled) assert.match(output, /missing: Electron binary/);
      assert.match(output, /IB Gateway \/ TWS/, 'nothing listens at the IB port of this test');
      const url = /ktrdr backend listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      assert.ok(url, output);
      const token = readFileSync(`${dir.path}/cluster-token`, 'utf8').trim();
      // not a terminal: the banner says where the token is, never the token itself
      assert.match(output, new RegExp(`token: in ${dir.path}/cluster-token`));
      assert.ok(!output.includes(token), 'the token is not printed to a pipe');
      assert.match(
        output,
        /workers: 1 backtest and 1 CPU training worker\(s\) registered; GPU training host not started/,
      );
      // the CLI command the banner prints runs as printed (npx ktrdr = the CLI's bin)
      const printed = /^ {2}(.*npx ktrdr.* backtest sma_crossover --follow)$/m.exec(output)?.[1];
      assert.ok(printed, output);
      assert.ok(printed.includes(`KTRDR_DATA_DIR=${dir.path}`), printed);
      const cli = spawnSync(
        'sh',
        [
          '-c',
          printed.replace('npx ktrdr', `${process.execPath} ${REPO_ROOT}apps/cli/dist/bin.js`),
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } },
      );
      assert.equal(cli.status, 0, cli.stderr);
      assert.match(cli.stdout, /✔ op_backtesting_\S+ completed/);

      const client = new BackendClient({ baseUrl: url, token });
      // the IB host service runs beside it, trying a gateway that is not there
      const ibHost =
        /IB host service on (http:\/\/127\.0\.0\.1:\d+) \(IB Gateway\/TWS expected at 127\.0\.0\.1:1;/.exec(
          output,
        )?.[1];
      assert.ok(ibHost, output);
      const ib = await client.ibStatus();
      assert.deepEqual(
        [ib.enabled, ib.reachable, ib.host_service_url, ib.gateway?.connected, ib.gateway?.port],
        [true, true, ibHost, false, 1],
      );
      assert.match(ib.message, /not connected to IB Gateway\/TWS at 127\.0\.0\.1:1/);
      const { workers } = await client.listWorkers();
      assert.deepEqual(workers.map((w) => w.worker_type).sort(), ['backtesting', 'training']);
      const started = await client.startBacktest({ strategy_name: 'rsi_mean_reversion' });
      assert.equal(started.status, 'running');
      await waitFor(
        'backtest completed',
        async () => (await client.getOperation(started.operation_id)).status === 'completed',
        { timeoutMs: 20_000 },
      );

      const childPids = readFileSync(
        `/proc/${proc.child.pid}/task/${proc.child.pid}/children`,
        'utf8',
      )
        .trim()
        .split(/\s+/)
        .map(Number);
      // the GPU training host exited at start (no GPU here): two workers and the IB host remain
      assert.equal(
        childPids.length,
        3,
        'a backtest worker, a training worker, the IB host service',
      );
      const exit = await proc.stop('SIGINT');
      assert.equal(exit, 0, proc.output());
      await waitFor('worker processes gone', () => childPids.every((pid) => !alive(pid)), {
        timeoutMs: 5000,
      });
    } finally {
      await proc.stop('SIGKILL');
      dir.remove();
    }
  });

  it('takes its workers with it when it is killed outright (a crash)', async () => {
    const dir = tempDir();
    // --headless: no installer attempt at all
    const proc = await npmStart(dir.path, {}, ['--headless']);
    try {
      assert.doesNotMatch(proc.output(), /Electron's installer/);
      assert.match(proc.output(), /no desktop window here \(--headless\); running headless/);
      const childPids = readFileSync(
        `/proc/${proc.child.pid}/task/${proc.child.pid}/children`,
        'utf8',
      )
        .trim()
        .split(/\s+/)
        .map(Number);
      assert.equal(childPids.length, 3);
      await proc.stop('SIGKILL');
      // no SIGINT handler ran: the children notice their stdin pipe closing and leave
      await waitFor('orphaned workers gone', () => childPids.every((pid) => !alive(pid)), {
        timeoutMs: 10_000,
      });
    } finally {
      await proc.stop('SIGKILL');
      dir.remove();
    }
  });
});
