// Cloned machines on a LAN (network namespaces, each worker in its own UTS namespace with
// the same host name): both workers default to the id `backtesting-trader-pc-5003`. The
// second is refused (409 WORKER_ID_IN_USE, naming the first's endpoint) and exits; the
// first runs its operation to completion; the second, given its own KTRDR_WORKER_ID, joins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackendClient, type Operation } from '@ktrdr/shared';
import {
  REPO_ROOT,
  spawnService,
  tempDir,
  testLan,
  waitFor,
  type ServiceProcess,
} from '@ktrdr/testkit';

const TOKEN = 'identity-lan-token-0123456789abcdef';
// names and a subnet unique to this run, apart from lan.test.ts (198.18.x) so both can run at once
const lan = testLan({
  tag: `i${process.pid % 100_000}`,
  subnet: `198.19.${(process.pid % 250) + 1}`,
  nodes: { backend: 10, pc1: 11, pc2: 12 },
});
type NodeName = 'backend' | 'pc1' | 'pc2';
const { ns, address } = lan;
const HOSTNAME = 'trader-pc';
const DEFAULT_ID = `backtesting-${HOSTNAME}-5003`;
/** The exit status of a worker refused for an id in use (sysexits' EX_CONFIG). */
const EXIT_ID_IN_USE = 78;

const skip = lan.cannotBuild(['unshare', '--uts', 'hostname', HOSTNAME]);

describe(
  'cloned machines on a LAN (same host name, same port): the second worker is refused its default id',
  { skip: skip ?? false },
  () => {
    const dir = tempDir('ktrdr-identity-lan-');
    const backendUrl = `http://${address('backend')}:8000`;
    const clones: ServiceProcess[] = [];
    let backend: ServiceProcess;
    let client: BackendClient;

    /** Starts a worker in `name`'s network namespace, in a UTS namespace named `trader-pc`. */
    const startClone = async (name: NodeName, env: Record<string, string> = {}) => {
      const { proc } = await spawnService(
        `${REPO_ROOT}apps/worker/dist/bin.js`,
        [],
        {
          KTRDR_BACKEND_URL: backendUrl,
          KTRDR_CLUSTER_TOKEN: TOKEN,
          KTRDR_WORKER_TYPE: 'backtesting',
          KTRDR_WORKER_PORT: '5003',
          KTRDR_CACHE_DIR: `${dir.path}/${name}-${clones.length}`,
          // ~11 s per backtest of the bundled series: it outlasts the second clone's start
          KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '500',
          ...env,
        },
        /listening on/,
        20_000,
        // `sh -c` sets the host name inside the new UTS namespace, then execs node
        [
          'ip',
          'netns',
          'exec',
          ns(name),
          'unshare',
          '--uts',
          'sh',
          '-c',
          `hostname ${HOSTNAME} && exec "$0" "$@"`,
        ],
      );
      clones.push(proc);
      return proc;
    };

    before(async () => {
      lan.tearDown();
      lan.build();
      ({ proc: backend } = await spawnService(
        `${REPO_ROOT}apps/backend/dist/bin.js`,
        [],
        {
          KTRDR_HOST: '0.0.0.0',
          KTRDR_PORT: '8000',
          KTRDR_DATA_DIR: `${dir.path}/data`,
          KTRDR_CLUSTER_TOKEN: TOKEN,
        },
        /listening on/,
        20_000,
        ['ip', 'netns', 'exec', ns('backend')],
      ));
      client = new BackendClient({ baseUrl: backendUrl, token: TOKEN });
    });

    after(async () => {
      await Promise.all(clones.map((c) => c.stop('SIGKILL')));
      await backend?.stop('SIGKILL');
      lan.tearDown();
      dir.remove();
    });

    const settled = (id: string, timeoutMs = 40_000) =>
      waitFor(
        `${id} ended`,
        async () => {
          const op = await client.getOperation(id);
          return op.status === 'pending' || op.status === 'running' ? undefined : op;
        },
        { timeoutMs, intervalMs: 200 },
      );

    it('the first clone registers; the second is refused with the first one named, and exits; the first finishes its run', async () => {
      const first = await startClone('pc1');
      const firstUrl = `http://${address('pc1')}:5003`;
      const registered = await waitFor('the first clone registered', async () =>
        (await client.listWorkers()).workers.find((w) => w.worker_id === DEFAULT_ID),
      );
      assert.equal(registered.endpoint_url, firstUrl, 'its default id, from the shared host name');
      const { operation_id } = await client.startBacktest({ strategy_name: 'sma_crossover' });
      await waitFor('running on the first clone', async () => {
        const op = await client.getOperation(operation_id);
        return op.status === 'running' && op.progress.percentage > 0;
      });

      const second = await startClone('pc2');
      const code = await Promise.race([
        second.exited,
        new Promise((r) => setTimeout(() => r('still running after 15 s'), 15_000)),
      ]);
      assert.equal(
        code,
        EXIT_ID_IN_USE,
        `exit status; it printed: ${second.stdout()}${second.stderr()}`,
      );
      assert.equal(
        second.stderr().trim(),
        `ktrdr-worker: worker id "${DEFAULT_ID}" is in use by a live worker at ${firstUrl}; give this worker its own id with KTRDR_WORKER_ID (or stop the other one)`,
      );

      const workers = (await client.listWorkers()).workers;
      assert.equal(workers.length, 1, JSON.stringify(workers));
      assert.equal(workers[0]?.endpoint_url, firstUrl);
      assert.equal(workers[0]?.status, 'busy');
      assert.equal(workers[0]?.current_operation_id, operation_id);
      const done: Operation = await settled(operation_id);
      assert.equal(done.status, 'completed', done.error_message ?? '');
      assert.equal(done.worker_id, DEFAULT_ID);
      assert.equal(done.attempts.length, 1, 'never failed over');
      assert.equal(first.child.exitCode, null, 'the first clone still runs');
    });

    it('the second clone, given its own KTRDR_WORKER_ID, joins and takes work', async () => {
      const ownId = `backtesting-${HOSTNAME}-2-5003`;
      await startClone('pc2', { KTRDR_WORKER_ID: ownId });
      const joined = await waitFor('two workers', async () => {
        const all = (await client.listWorkers()).workers;
        return all.length === 2 && all.every((w) => w.status === 'available') ? all : undefined;
      });
      assert.equal(
        joined.find((w) => w.worker_id === ownId)?.endpoint_url,
        `http://${address('pc2')}:5003`,
      );
      const started = await Promise.all(
        [1, 2].map(() =>
          client.startBacktest({ strategy_name: 'sma_crossover', start_date: '2019-01-01' }),
        ),
      );
      const ops = await Promise.all(started.map((s) => settled(s.operation_id)));
      assert.deepEqual(
        ops.map((o) => o.status),
        ['completed', 'completed'],
      );
      assert.deepEqual(new Set(ops.map((o) => o.worker_id)), new Set([DEFAULT_ID, ownId]));
    });
  },
);
