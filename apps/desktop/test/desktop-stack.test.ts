import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { REPO_ROOT, tempDir, waitFor } from '@ktrdr/testkit';
import { BackendClient } from '@ktrdr/shared';
import { forkHost } from '../src/main/fork-host.js';
import { DEFAULT_SETTINGS, loadSettings, saveSettings } from '../src/main/settings.js';
import { desktopRuntime } from '../src/main/runtime-plan.js';
import { startDesktopStack, StartupError, type HostProcess } from '../src/main/supervisor.js';

// the compiled host, as Electron runs it
const HOST = `${REPO_ROOT}apps/desktop/dist/main/backend-host.js`;

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Records the pid of every host it starts. */
function trackingSpawner() {
  const pids: number[] = [];
  const spawn = (entry: string, env: Record<string, string>): HostProcess => {
    const host = forkHost(entry, env);
    if (host.pid) pids.push(host.pid);
    return host;
  };
  return { spawn, pids };
}

describe('desktop stack (the main process logic, without Electron)', () => {
  it('starts the backend in its own process and the local workers, and stops every process', async () => {
    const dir = tempDir();
    const settings = {
      ...DEFAULT_SETTINGS,
      backend_port: 0,
      local_backtest_workers: 2,
      ib_host_port: 0,
      ib_gateway_port: 1,
    };
    const lines: string[] = [];
    const stack = await startDesktopStack({
      dataDir: dir.path,
      settings,
      spawnHost: forkHost,
      hostEntry: HOST,
      log: (line) => lines.push(line),
    });
    try {
      const client = new BackendClient({ baseUrl: stack.url, token: stack.token });
      const { workers } = await client.listWorkers();
      assert.deepEqual(workers.map((w) => w.worker_type).sort(), [
        'backtesting',
        'backtesting',
        'training',
      ]);
      assert.ok(workers.every((w) => w.status === 'available'));
      const training = workers.find((w) => w.worker_type === 'training');
      assert.equal(training?.capabilities.training_backend, 'wasm', 'CPU training on wasm');
      // this machine has no GPU backend: the training host service declined, and said why
      assert.ok(
        lines.some((l) => /^\[gpu-training-host\] not started \(exit 1\)$/.test(l)) &&
          lines.some((l) =>
            /^\[gpu-training-host\] .*needs a GPU backend, and none loaded/.test(l),
          ),
        lines.filter((l) => l.includes('gpu-training-host')).join('\n') ||
          'no gpu-training-host line',
      );
      assert.equal((await client.health()).service, 'backend');
      // the IB host service runs beside the backend, which routes downloads through it
      const ib = await client.ibStatus();
      assert.equal(ib.host_service_url, await stack.ibHost.workerId());
      assert.deepEqual([ib.enabled, ib.reachable, ib.gateway?.connected], [true, true, false]);
      assert.match(
        stack.url,
        /^http:\/\/127\.0\.0\.1:\d+$/,
        'LAN workers are off by default: loopback only',
      );
    } finally {
      const pids = [...stack.workers, stack.ibHost].map((w) => w.pid);
      await stack.stop();
      await waitFor('no process left', () => pids.every((pid) => !alive(pid)), { timeoutMs: 5000 });
      await assert.rejects(
        new BackendClient({ baseUrl: stack.url }).health({ timeoutMs: 1000 }),
        /refused|cannot reach/,
      );
      dir.remove();
    }
  });

  it('fails with an actionable message when the port is taken, and leaves nothing running', async () => {
    const dir = tempDir();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const tracking = trackingSpawner();
    try {
      await assert.rejects(
        startDesktopStack({
          dataDir: dir.path,
          settings: { ...DEFAULT_SETTINGS, backend_port: port },
          spawnHost: tracking.spawn,
          hostEntry: HOST,
        }),
        (error: unknown) => {
          assert.ok(error instanceof StartupError);
          assert.match(
            error.message,
            new RegExp(
              `port ${port} on 127\\.0\\.0\\.1 is in use .*change the port in the settings`,
            ),
          );
          return true;
        },
      );
      assert.equal(tracking.pids.length, 1);
      await waitFor('the failed backend process is gone', () => !alive(tracking.pids[0]), {
        timeoutMs: 5000,
      });
    } finally {
      blocker.close();
      dir.remove();
    }
  });

  it('gives up on a backend that never answers, after the handshake deadline', async () => {
    const dir = tempDir();
    const silent = `${dir.path}/silent.mjs`;
    writeFileSync(silent, 'setInterval(() => {}, 1000);\n');
    let pid: number | undefined;
    const spawn = (entry: string, env: Record<string, string>): HostProcess => {
      const child = fork(entry, [], { env: { ...process.env, ...env }, stdio: 'ignore' });
      pid = child.pid;
      return {
        send: () => undefined,
        onMessage: (listener) => child.on('message', listener),
        onExit: (listener) => child.on('exit', (code) => listener(code)),
        kill: () => void child.kill('SIGKILL'),
      };
    };
    const started = Date.now();
    await assert.rejects(
      startDesktopStack({
        dataDir: dir.path,
        settings: DEFAULT_SETTINGS,
        spawnHost: spawn,
        hostEntry: silent,
        handshakeTimeoutMs: 800,
      }),
      /the backend did not start within 0\.8 s/,
    );
    assert.ok(Date.now() - started < 5000);
    await waitFor('silent host killed', () => !alive(pid), { timeoutMs: 3000 });
    dir.remove();
  });
});

describe('desktop settings', () => {
  it('start from defaults, round-trip, and fall back to defaults with a warning when the file is bad', () => {
    const dir = tempDir();
    assert.deepEqual(loadSettings(dir.path), { settings: DEFAULT_SETTINGS, warning: null });
    saveSettings(dir.path, { ...DEFAULT_SETTINGS, backend_port: 8100, allow_lan_workers: true });
    assert.equal(loadSettings(dir.path).settings.backend_port, 8100);
    writeFileSync(`${dir.path}/desktop-settings.json`, '{"backend_port": "eighty"}');
    const bad = loadSettings(dir.path);
    assert.deepEqual(bad.settings, DEFAULT_SETTINGS);
    assert.match(bad.warning ?? '', /backend_port must be integer; using the defaults/);
    writeFileSync(`${dir.path}/desktop-settings.json`, '{not json');
    assert.match(loadSettings(dir.path).warning ?? '', /is not valid JSON/);
    dir.remove();
  });
});

describe('window security', () => {
  it('isolates and sandboxes the renderer, without Node, and keeps it on the backend', async () => {
    const { windowWebPreferences, navigationAllowed, WINDOW_CSP } =
      await import('../src/main/window-options.js');
    const prefs = windowWebPreferences('/p.cjs');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.match(WINDOW_CSP, /default-src 'self'; script-src 'self'/);
    assert.equal(
      navigationAllowed('http://127.0.0.1:8000/operations', 'http://127.0.0.1:8000'),
      true,
    );
    assert.equal(navigationAllowed('https://evil.example/', 'http://127.0.0.1:8000'), false);
    assert.equal(navigationAllowed('file:///etc/passwd', 'http://127.0.0.1:8000'), false);
    assert.match(WINDOW_CSP, /object-src 'none'/);
    assert.match(WINDOW_CSP, /frame-ancestors 'none'/);
    assert.doesNotMatch(WINDOW_CSP, /unsafe-eval/);
  });

  it('the window is built with those options (main.ts, which cannot run without Electron)', async () => {
    const { readFile } = await import('node:fs/promises');
    const main = await readFile(new URL('../src/main/main.ts', import.meta.url), 'utf8');
    assert.match(
      main,
      /new BrowserWindow\(\{[^}]*webPreferences: windowWebPreferences\(preload\)/s,
    );
    assert.match(main, /headers\['content-security-policy'\] = \[WINDOW_CSP\]/);
    assert.match(main, /setWindowOpenHandler\([^)]*\)[^]*?action: 'deny'/);
    assert.match(main, /'will-navigate'[^]*?navigationAllowed\(url, origin\)[^]*?preventDefault/);
    assert.match(main, /setPermissionRequestHandler\([^]*?callback\(false\)/);
  });
});

// Node 24 stands in for Electron's own Node (22+): a runtime with node:sqlite and no
// better-sqlite3 built for it. `node scripts/node24.mjs` fetches it (CI does).
const NODE24 = process.env.KTRDR_NODE24 ?? `${REPO_ROOT}.cache/node24/bin/node`;
const hasNode24 = existsSync(NODE24);

describe('which runtime runs what (the Electron main process, without Electron)', () => {
  it('inside Electron: the backend on node:sqlite in a utility process, workers on Electron run as Node', () => {
    const electron = desktopRuntime({ ...process.versions, electron: '45.5.0', node: '24.11.1' });
    assert.equal(electron.sqliteDriver, 'node-sqlite');
    assert.deepEqual(electron.workerEnv, { ELECTRON_RUN_AS_NODE: '1' });
    assert.match(
      electron.backend,
      /Electron utility process \(Electron 45\.5\.0, Node 24\.11\.1\)/,
    );
    const node = desktopRuntime({ ...process.versions, node: '20.20.2' });
    assert.deepEqual([node.sqliteDriver, node.workerEnv], ['auto', {}]);
  });

  it('a backend that cannot load its SQLite driver fails the start with the reason, and leaves nothing running', async (t) => {
    if (typeof process.getBuiltinModule === 'function' && process.getBuiltinModule('node:sqlite'))
      return t.skip(
        `this Node (${process.version}) has node:sqlite; the failure needs one without it`,
      );
    const dir = tempDir();
    const tracking = trackingSpawner();
    try {
      await assert.rejects(
        startDesktopStack({
          dataDir: dir.path,
          settings: { ...DEFAULT_SETTINGS, backend_port: 0, ib_host_port: 0, ib_gateway_port: 1 },
          spawnHost: tracking.spawn,
          hostEntry: HOST,
          sqliteDriver: 'node-sqlite',
        }),
        (error: unknown) => {
          assert.ok(error instanceof StartupError);
          assert.match(error.message, /^the backend could not start: .*node:sqlite/);
          return true;
        },
      );
      await waitFor('host gone', () => tracking.pids.every((pid) => !alive(pid)), {
        timeoutMs: 5000,
      });
    } finally {
      dir.remove();
    }
  });

  it(
    "the backend host runs on a Node with node:sqlite as Electron's utility process would, and a backtest completes",
    { skip: hasNode24 ? false : `no Node 24 at ${NODE24} (node scripts/node24.mjs fetches it)` },
    async () => {
      const dir = tempDir();
      const stack = await startDesktopStack({
        dataDir: dir.path,
        settings: {
          ...DEFAULT_SETTINGS,
          backend_port: 0,
          ib_host_port: 0,
          ib_gateway_port: 1,
          gpu_training_host: false,
        },
        spawnHost: (entry, env) => forkHost(entry, env, NODE24),
        hostEntry: HOST,
        sqliteDriver: 'node-sqlite',
      });
      try {
        const client = new BackendClient({ baseUrl: stack.url, token: stack.token });
        const started = await client.startBacktest({ strategy_name: 'sma_crossover' });
        await waitFor(
          'backtest completed',
          async () => (await client.getOperation(started.operation_id)).status === 'completed',
          { timeoutMs: 30_000 },
        );
        const result = await client.getBacktestResult(started.operation_id);
        assert.ok(result.metrics.total_trades > 0);
      } finally {
        await stack.stop();
        dir.remove();
      }
    },
  );
});
