// Worker identity (docs/architecture.md, "Failure handling"): a worker id names one live worker. Real worker processes
// on loopback: a second worker with a live worker's id is refused and exits, the live one
// carries on untouched; the same worker restarting on its endpoint, or a newcomer after the
// holder died, takes the id as before.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { BackendClient, type Operation } from '@ktrdr/shared';
import {
  freePort,
  REPO_ROOT,
  spawnService,
  tempDir,
  waitFor,
  type ServiceProcess,
} from '@ktrdr/testkit';
import type { BackendHandle } from '../../src/index.js';
import { startTestBackend, TEST_TOKEN } from './cluster-fixture.js';

const ID = 'bt-identity-x';
/** The exit status of a worker refused for an id in use (sysexits' EX_CONFIG). */
const EXIT_ID_IN_USE = 78;

/** A worker process, with the URL it listens on. */
type Proc = ServiceProcess & { url: string };

/** Starts `ktrdr-worker` with `env` on loopback, once it listens (its output kept per stream). */
async function startWorker(env: Record<string, string>): Promise<Proc> {
  const { proc, match } = await spawnService(
    `${REPO_ROOT}apps/worker/dist/bin.js`,
    [],
    {
      KTRDR_CLUSTER_TOKEN: TEST_TOKEN,
      KTRDR_WORKER_TYPE: 'backtesting',
      KTRDR_WORKER_HOST: '127.0.0.1',
      ...env,
    },
    /listening on (http:\/\/\S+)/,
  );
  return Object.assign(proc, { url: match[1] as string });
}

/** A stand-in that answers `/health` as `workerId`, as a worker would. */
async function healthStub(workerId: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'ok',
        worker_id: workerId,
        worker_type: 'backtesting',
        worker_status: 'idle',
        current_operation_id: null,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  };
}

const inUse = (id: string, url: string) =>
  `worker id "${id}" is in use by a live worker at ${url}; give this worker its own id with KTRDR_WORKER_ID (or stop the other one)`;

describe('worker identity on loopback: an id in use by a live worker is refused, the live worker untouched', () => {
  const dir = tempDir('ktrdr-identity-');
  let backend: BackendHandle;
  let client: BackendClient;
  let backendPort: number;
  const procs: Proc[] = [];
  const stubs: Server[] = [];
  // a slow heartbeat: a killed worker stays in the roster (unprobed) for 4.5 s, long enough
  // to show that the same endpoint replaces a registration the backend still holds
  const heartbeatIntervalMs = 3000;

  const worker = async (port: number, env: Record<string, string> = {}) => {
    const proc = await startWorker({
      KTRDR_BACKEND_URL: backend.url,
      KTRDR_WORKER_ID: ID,
      KTRDR_WORKER_PORT: String(port),
      KTRDR_CACHE_DIR: `${dir.path}/worker-${procs.length}`,
      ...env,
    });
    procs.push(proc);
    return proc;
  };
  const holder = () => backend.backend.ctx.registry.get(ID);
  const settled = (id: string, timeoutMs = 40_000) =>
    waitFor(
      `${id} ended`,
      async () => {
        const op = await client.getOperation(id);
        return op.status === 'pending' || op.status === 'running' ? undefined : op;
      },
      { timeoutMs, intervalMs: 100 },
    );

  before(async () => {
    backendPort = await freePort();
    backend = await startTestBackend(dir.path, { port: backendPort, heartbeatIntervalMs });
    client = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    for (const s of stubs) s.close();
    await backend.close();
    dir.remove();
  });

  let portA: number;
  let a: Proc;

  it('a second worker with the id of a busy one is refused (409), exits 78 with the message; the busy one carries on', async () => {
    portA = await freePort();
    // ~11 s per backtest of the bundled series: it outlasts the refused workers' starts
    a = await worker(portA, { KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '500' });
    await waitFor('A registered', () => holder()?.endpoint_url === a.url);
    const { operation_id } = await client.startBacktest({ strategy_name: 'sma_crossover' });
    await waitFor('A runs it', async () => {
      const op = await client.getOperation(operation_id);
      return op.status === 'running' && op.worker_id === ID && op.progress.percentage > 0;
    });

    // watch the live worker: no credential issued or revoked, no event about it
    const { ctx } = backend.backend;
    const credentialCalls: string[] = [];
    const credentials = ctx.credentials;
    const issue = credentials.issue.bind(credentials);
    const revoke = credentials.revoke.bind(credentials);
    credentials.issue = (id) => {
      credentialCalls.push(`issue ${id}`);
      return issue(id);
    };
    credentials.revoke = (id) => {
      credentialCalls.push(`revoke ${id}`);
      revoke(id);
    };
    const events: string[] = [];
    const unsubscribe = ctx.events.subscribe((e) => {
      if (e.event !== 'heartbeats' && e.event !== 'progress') events.push(e.frame);
    });
    const before = { ...holder()! };
    try {
      const b = await worker(await freePort());
      const code = await Promise.race([
        b.exited,
        new Promise((r) => setTimeout(() => r('still running after 15 s'), 15_000)),
      ]);
      assert.equal(code, EXIT_ID_IN_USE, `exit status; stderr: ${b.stderr()}`);
      assert.equal(b.stderr().trim(), `ktrdr-worker: ${inUse(ID, a.url)}`, 'one clear line');
      await assert.rejects(fetch(`${b.url}/health`), 'its port is released');

      // a clone advertising the live worker's own URL (the backend reaches A there) is refused too
      const c = await worker(await freePort(), { KTRDR_WORKER_PUBLIC_URL: a.url });
      assert.equal(await c.exited, EXIT_ID_IN_USE, c.stderr());
      assert.equal(
        c.stderr().trim(),
        `ktrdr-worker: ${inUse(ID, a.url)}; this worker advertises that same address, which is not its own (check KTRDR_WORKER_PUBLIC_URL)`,
      );

      // the wire answer, for a registration by hand
      const stub = await healthStub(ID);
      stubs.push(stub.server);
      const answer = await fetch(`${backend.url}/api/v1/workers/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          worker_id: ID,
          worker_type: 'backtesting',
          endpoint_url: stub.url,
          capabilities: { gpu: false, cpu_cores: 1, memory_mb: 1, version: 'test' },
        }),
      });
      assert.equal(answer.status, 409);
      assert.deepEqual(await answer.json(), {
        error: {
          code: 'WORKER_ID_IN_USE',
          message: inUse(ID, a.url),
          details: { worker_id: ID, live_endpoint: a.url, live_connection: 'direct' },
        },
      });
    } finally {
      unsubscribe();
      // the prototype's methods again
      delete (credentials as Partial<typeof credentials>).issue;
      delete (credentials as Partial<typeof credentials>).revoke;
    }
    assert.deepEqual(credentialCalls, [], 'no credential issued or revoked');
    assert.deepEqual(events, [], 'no worker, worker_removed or operation event');
    const after = holder()!;
    assert.equal(after.endpoint_url, a.url);
    assert.equal(after.callback_token, before.callback_token);
    assert.equal(after.status, 'busy');
    assert.equal(after.current_operation_id, operation_id);
    const running = await client.getOperation(operation_id);
    assert.equal(running.status, 'running');
    assert.equal(running.attempt, 1);

    // it completes where it ran, on its first attempt, reporting with its own credential
    const done: Operation = await settled(operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal(done.worker_id, ID);
    assert.equal(done.attempts.length, 1);
    assert.doesNotMatch(a.stdout() + a.stderr(), /credential no longer valid/);
    await waitFor('A available again', () => holder()?.status === 'available');
  });

  it('the same worker restarting on its own endpoint replaces its registration', async () => {
    const registeredAt = holder()!.registered_at;
    const oldSecret = holder()!.callback_token;
    // killed right after a heartbeat: the backend still holds it (unprobed) when it is back
    const beat = holder()!.last_heartbeat_at;
    await waitFor('a heartbeat', () => holder()!.last_heartbeat_at > beat, { timeoutMs: 10_000 });
    await a.stop('SIGKILL');
    a = await worker(portA);
    await waitFor('A registered again', () => holder()?.callback_token !== oldSecret);
    const record = holder()!;
    assert.equal(record.endpoint_url, a.url);
    assert.equal(record.registered_at, registeredAt, 'its registration replaced, not made anew');
    const { operation_id } = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-01-01',
    });
    const op = await settled(operation_id);
    assert.equal(op.status, 'completed', op.error_message ?? '');
    assert.equal(a.child.exitCode, null, 'still running');
  });

  let b: Proc;

  it('once the holder is killed, a worker at another endpoint takes the id', async () => {
    await a.stop('SIGKILL');
    b = await worker(await freePort());
    await waitFor('B holds the id', () => holder()?.endpoint_url === b.url);
    const { operation_id } = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-01-01',
    });
    const op = await settled(operation_id);
    assert.equal(op.status, 'completed', op.error_message ?? '');
    assert.equal(op.worker_id, ID);
    assert.equal(b.child.exitCode, null);
  });

  it('reverse workers: a second one with the id of one holding its channel is refused; after a credential rotation the holder keeps it; once it dies, the id is free', async () => {
    const rid = 'bt-identity-r';
    const reverse = { KTRDR_WORKER_ID: rid, KTRDR_WORKER_CONNECTION: 'reverse' };
    const r1 = await worker(await freePort(), reverse);
    await waitFor('its channel open', () => backend.backend.ctx.channels.isOpen(rid));
    const r2 = await worker(await freePort(), reverse);
    assert.equal(await r2.exited, EXIT_ID_IN_USE, r2.stderr());
    assert.equal(
      r2.stderr().trim(),
      `ktrdr-worker: worker id "${rid}" is in use by a live worker connected over its channel (connection reverse); give this worker its own id with KTRDR_WORKER_ID (or stop the other one)`,
    );
    // every credential revoked: the holder registers again with the token, as the same process
    const secret = backend.backend.ctx.registry.get(rid)?.callback_token;
    await client.rotateToken('workers');
    await waitFor('it registered again', () => /credential no longer valid/.test(r1.stdout()));
    await waitFor('it heartbeats with its new credential', async () => {
      const w = await client.getWorker(rid);
      return Date.parse(w.last_heartbeat_at) > Date.now() - 2 * heartbeatIntervalMs;
    });
    assert.equal(r1.child.exitCode, null, `still running; it printed: ${r1.stderr()}`);
    assert.equal(backend.backend.ctx.registry.get(rid)?.callback_token, secret);
    // killed: its channel closes at once, and a newcomer takes the id
    await r1.stop('SIGKILL');
    const r3 = await worker(await freePort(), reverse);
    await waitFor(
      'the newcomer holds the id',
      () =>
        backend.backend.ctx.registry.get(rid)?.callback_token !== secret &&
        backend.backend.ctx.channels.isOpen(rid),
    );
    assert.equal(r3.child.exitCode, null);
    await r3.stop('SIGTERM');
  });

  it('re-registering after a backend restart, a worker finds its id taken by a live one: it exits 78 with the message', async () => {
    // B is paused while the backend restarts and another live worker takes the id
    b.child.kill('SIGSTOP');
    try {
      await backend.close();
      backend = await startTestBackend(dir.path, { port: backendPort, heartbeatIntervalMs });
      client = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
      const stub = await healthStub(ID);
      stubs.push(stub.server);
      await client.registerWorker({
        worker_id: ID,
        worker_type: 'backtesting',
        endpoint_url: stub.url,
        capabilities: { gpu: false, cpu_cores: 1, memory_mb: 1, version: 'test' },
      });
      b.child.kill('SIGCONT');
      const code = await Promise.race([
        b.exited,
        new Promise((r) => setTimeout(() => r('still running after 15 s'), 15_000)),
      ]);
      assert.equal(code, EXIT_ID_IN_USE, `exit status; output: ${b.stdout()}${b.stderr()}`);
      assert.equal(b.stderr().trim(), `ktrdr-worker: ${inUse(ID, stub.url)}`);
      assert.equal(holder()?.endpoint_url, stub.url, 'the live holder keeps the id');
    } finally {
      b.child.kill('SIGCONT');
    }
  });
});
