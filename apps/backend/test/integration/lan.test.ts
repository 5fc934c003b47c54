import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackendClient, type Operation, type Worker } from '@ktrdr/shared';
import {
  REPO_ROOT,
  spawnService,
  tempDir,
  testLan,
  waitFor,
  type ServiceProcess,
} from '@ktrdr/testkit';

const TOKEN = 'lan-token-0123456789abcdef';
// names and a subnet of the 198.18.0.0/15 test range unique to this run
const lan = testLan({
  tag: `k${process.pid % 100_000}`,
  subnet: `198.18.${(process.pid % 250) + 1}`,
  nodes: { backend: 10, w1: 11, w2: 12, w3: 13 },
});
type NodeName = 'backend' | 'w1' | 'w2' | 'w3';
const { ns, address } = lan;

const skip = lan.cannotBuild();

// A LAN made of network namespaces: the backend alone in one, bound to 0.0.0.0; a worker in
// each of three others, each registering with its own address.
describe('workers across a LAN (network namespaces)', { skip: skip ?? false }, () => {
  const dir = tempDir('ktrdr-lan-');
  const procs: ServiceProcess[] = [];
  let client: BackendClient;
  const backendUrl = `http://${address('backend')}:8000`;

  const startWorker = async (
    name: NodeName,
    env: Record<string, string> = {},
    ready = /listening on/,
  ) => {
    const { proc } = await spawnService(
      `${REPO_ROOT}apps/worker/dist/bin.js`,
      [],
      {
        KTRDR_BACKEND_URL: backendUrl,
        KTRDR_CLUSTER_TOKEN: TOKEN,
        KTRDR_WORKER_TYPE: 'backtesting',
        KTRDR_WORKER_PORT: '5003',
        // namespaces share this machine's host name, which the default id is made of
        KTRDR_WORKER_ID: `backtesting-${name}-${procs.length}`,
        KTRDR_CACHE_DIR: `${dir.path}/${name}-${procs.length}`,
        // ~5 s per backtest of the bundled series: long enough to cut a link under it
        KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '1000',
        ...env,
      },
      ready,
      20_000,
      ['ip', 'netns', 'exec', ns(name)],
    );
    procs.push(proc);
    return proc;
  };

  before(async () => {
    lan.tearDown();
    lan.build();
    const { proc } = await spawnService(
      `${REPO_ROOT}apps/backend/dist/bin.js`,
      [],
      {
        KTRDR_HOST: '0.0.0.0',
        KTRDR_PORT: '8000',
        KTRDR_DATA_DIR: `${dir.path}/data`,
        KTRDR_CLUSTER_TOKEN: TOKEN,
        KTRDR_WORKER_GRACE_SECONDS: '2',
      },
      /listening on/,
      20_000,
      ['ip', 'netns', 'exec', ns('backend')],
    );
    procs.push(proc);
    client = new BackendClient({ baseUrl: backendUrl, token: TOKEN });
    await Promise.all((['w1', 'w2', 'w3'] as const).map((name) => startWorker(name)));
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    lan.tearDown();
    dir.remove();
  });

  const roster = async () => (await client.listWorkers()).workers;
  const byAddress = (workers: Worker[], name: NodeName) =>
    workers.find((w) => w.endpoint_url === `http://${address(name)}:5003`);
  const settled = (id: string, timeoutMs = 30_000) =>
    waitFor(
      `${id} ended`,
      async () => {
        const op = await client.getOperation(id);
        return op.status === 'pending' || op.status === 'running' ? undefined : op;
      },
      { timeoutMs, intervalMs: 200 },
    );

  it('each worker registers from its own namespace with its own address', async () => {
    const workers = await waitFor('three workers', async () => {
      const all = await roster();
      return all.length === 3 ? all : undefined;
    });
    for (const name of ['w1', 'w2', 'w3'] as const) {
      const worker = byAddress(workers, name);
      assert.ok(
        worker,
        `${name} advertises ${address(name)}: ${JSON.stringify(workers.map((w) => w.endpoint_url))}`,
      );
      assert.equal(worker.status, 'available');
    }
  });

  it('backtests are dispatched to all three', async () => {
    const started = await Promise.all(
      [1, 2, 3].map(() =>
        client.startBacktest({ strategy_name: 'sma_crossover', start_date: '2015-01-01' }),
      ),
    );
    const ops: Operation[] = await Promise.all(started.map((s) => settled(s.operation_id)));
    assert.deepEqual(
      ops.map((o) => o.status),
      ['completed', 'completed', 'completed'],
    );
    assert.equal(new Set(ops.map((o) => o.worker_id)).size, 3, 'one on each worker');
  });

  it('a worker that advertises a loopback URL is refused with a message naming it', async () => {
    const refused = await startWorker(
      'w1',
      { KTRDR_WORKER_PORT: '5004', KTRDR_WORKER_PUBLIC_URL: 'http://127.0.0.1:5004' },
      /registration refused/,
    );
    assert.match(refused.output(), /http:\/\/127\.0\.0\.1:5004\/health/);
    assert.match(refused.output(), /KTRDR_WORKER_PUBLIC_URL/);
    assert.equal((await roster()).length, 3, 'not in the roster');
    await refused.stop('SIGKILL');
  });

  it('a link cut mid-run: the worker turns temporarily unavailable, its run moves to another worker after the grace period; restored, it takes work again', async () => {
    const { operation_id } = await client.startBacktest({ strategy_name: 'sma_crossover' });
    const running = await waitFor('running', async () => {
      const op = await client.getOperation(operation_id);
      return op.status === 'running' && op.progress.percentage > 0 ? op : undefined;
    });
    const workers = await roster();
    const cut = (['w1', 'w2', 'w3'] as const).find(
      (n) => byAddress(workers, n)?.worker_id === running.worker_id,
    ) as NodeName;
    assert.ok(cut, `the worker running it (${running.worker_id}) is one of the three`);
    lan.setLink(cut, false);
    try {
      await waitFor(
        `${cut} temporarily unavailable`,
        async () => byAddress(await roster(), cut)?.status === 'temporarily_unavailable',
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      // no checkpoint yet: after the grace period it starts again on another worker
      const moved = await settled(operation_id, 30_000);
      assert.equal(moved.status, 'completed', moved.error_message ?? '');
      assert.equal(moved.attempt, 2);
      assert.notEqual(moved.worker_id, running.worker_id);
      assert.match(
        moved.attempts[0]?.outcome ?? '',
        new RegExp(`^lost: worker ${running.worker_id} .* longer than the 2 s grace period`),
      );
    } finally {
      lan.setLink(cut, true);
    }
    await waitFor(
      `${cut} available again`,
      async () => byAddress(await roster(), cut)?.status === 'available',
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    // three at once: every worker, the restored one included, takes one
    const started = await Promise.all(
      [1, 2, 3].map(() =>
        client.startBacktest({ strategy_name: 'sma_crossover', start_date: '2018-01-01' }),
      ),
    );
    const ops = await Promise.all(started.map((s) => settled(s.operation_id)));
    assert.ok(
      ops.every((o) => o.status === 'completed'),
      JSON.stringify(ops.map((o) => o.status)),
    );
    assert.ok(
      ops.some((o) => o.worker_id === byAddress(workers, cut)?.worker_id),
      'the restored worker ran one',
    );
  });

  it('a worker the backend cannot call (listening on its own loopback only, as behind a firewall) joins over its channel and runs work', async () => {
    const hidden = await startWorker('w3', {
      KTRDR_WORKER_HOST: '127.0.0.1',
      KTRDR_WORKER_PORT: '5005',
      KTRDR_WORKER_CONNECTION: 'reverse',
    });
    const joined = await waitFor('joined over its channel', async () =>
      (await roster()).find((w) => w.connection === 'reverse' && w.status === 'available'),
    );
    assert.equal(joined.endpoint_url, null);
    // its channel opens a moment after it registered: rounds of four until it has run one
    let ran: Operation | undefined;
    for (let round = 0; round < 5 && !ran; round++) {
      const started = await Promise.all(
        [1, 2, 3, 4].map(() =>
          client.startBacktest({ strategy_name: 'sma_crossover', start_date: '2019-06-01' }),
        ),
      );
      const ops = await Promise.all(started.map((s) => settled(s.operation_id)));
      assert.ok(
        ops.every((o) => o.status === 'completed'),
        JSON.stringify(ops.map((o) => o.status)),
      );
      ran = ops.find((o) => o.worker_id === joined.worker_id);
    }
    assert.ok(ran, `the hidden worker ran one; it printed: ${hidden.output().slice(-600)}`);
    await hidden.stop('SIGTERM');
  });
});
