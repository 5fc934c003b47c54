import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BackendClient, type Operation, type StartResponse } from '@ktrdr/shared';
import {
  COUNT_KIND_MODULE_PATH,
  REPO_ROOT,
  countKind,
  startWorkerProcess,
  tempDir,
  waitFor,
  type WorkerProcess,
} from '@ktrdr/testkit';
import { defaultBackendConfig, startBackend, type BackendHandle } from '../../src/index.js';

const TOKEN = 'test-token-0123456789abcdef';
const run = promisify(execFile);

/**
 * A job kind is one descriptor plus one handler (docs/developer-guide.md): the test-only
 * `test_count` kind of packages/testkit is given to an in-process backend
 * (`startBackend(config, {jobKinds})`) and to real worker processes (`KTRDR_JOB_KINDS`),
 * and goes through everything a built-in kind does — start route, queue, progress, cancel,
 * failover with resume from its checkpoint, its worker credential's scope, `ktrdr ops` —
 * without a line of production code naming it.
 */
describe('a job kind added by one descriptor and one handler', () => {
  const dir = tempDir();
  let backend: BackendHandle;
  let client: BackendClient;
  const workers: WorkerProcess[] = [];

  const addWorker = async () => {
    const worker = await startWorkerProcess({
      backendUrl: backend.url,
      token: TOKEN,
      cacheDir: `${dir.path}/worker-${workers.length + 1}`,
      env: { KTRDR_JOB_KINDS: COUNT_KIND_MODULE_PATH },
    });
    workers.push(worker);
    await waitFor(`worker ${worker.workerId} registered`, () =>
      backend.backend.ctx.registry.get(worker.workerId),
    );
    return worker;
  };
  const start = async (body: Record<string, unknown>): Promise<StartResponse> => {
    const response = await fetch(`${backend.url}${countKind.startRoute}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 202, await response.clone().text());
    return (await response.json()) as StartResponse;
  };
  const until = (id: string, predicate: (op: Operation) => boolean, what: string) =>
    waitFor(
      what,
      async () => {
        const op = await client.getOperation(id);
        return predicate(op) ? op : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  before(async () => {
    backend = await startBackend(
      {
        ...defaultBackendConfig(),
        host: '127.0.0.1',
        port: 0,
        dataDir: `${dir.path}/data`,
        clusterToken: TOKEN,
        logLevel: 'silent',
      },
      { jobKinds: [countKind] },
    );
    client = new BackendClient({ baseUrl: backend.url, token: TOKEN });
    await Promise.all([addWorker(), addWorker()]);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await backend.close();
    dir.remove();
  });

  it('a bad request is a 400 from its own schema, naming the field', async () => {
    const response = await fetch(`${backend.url}${countKind.startRoute}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ n: 0 }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'VALIDATION_ERROR');
    assert.match(body.error.message, /\bn\b/);
  });

  it('starts on a worker with progress; a third waits in line; cancel stops it and frees the worker', async () => {
    const slow = { n: 2000, step_ms: 20 };
    const a = await start(slow);
    const b = await start(slow);
    const c = await start({ n: 20, step_ms: 5 });
    const first = await until(
      a.operation_id,
      (op) => op.status === 'running' && op.progress.items_processed > 0,
      'the first count reports progress',
    );
    assert.equal(first.operation_type, countKind.operationType);
    assert.ok(first.progress.percentage > 0, 'a percentage from items');
    assert.match(first.progress.current_step ?? '', /^counted \d+ of 2000$/);
    await until(b.operation_id, (op) => op.status === 'running', 'the second count runs');
    const waiting = await client.getOperation(c.operation_id);
    assert.equal(waiting.status, 'pending', 'two workers, three counts: the third waits');
    assert.equal(waiting.queue_position, 1);

    const cancelled = await client.cancelOperation(a.operation_id);
    assert.equal(cancelled.status, 'cancelled');
    // the freed worker takes the one in line, which finishes
    const done = await until(c.operation_id, (op) => op.status === 'completed', 'the third ends');
    assert.equal(done.result_summary?.counted, 20);
    await client.cancelOperation(b.operation_id);
  });

  it("reads exactly the series its descriptor names with its worker's credential", async () => {
    const { operation_id } = await start({ n: 5, step_ms: 1 });
    const done = await until(operation_id, (op) => op.status === 'completed', 'it ends');
    const summary = done.result_summary ?? {};
    assert.ok(Number(summary.bars_read) > 1000, 'its own series (SP500 1d) was fetched');
    assert.equal(summary.other_series_status, 403, 'a series it does not read is refused');
  });

  it('a killed worker: the count resumes from its checkpoint on the other worker', async () => {
    const { operation_id } = await start({ n: 300, step_ms: 20, checkpoint_every: 10 });
    const running = await until(
      operation_id,
      (op) => op.status === 'running' && op.checkpoint_ref !== null && op.progress.percentage > 15,
      'the count checkpointed',
    );
    const victim = workers.find((w) => w.workerId === running.worker_id);
    assert.ok(victim, 'it runs on one of ours');
    await victim.stop('SIGKILL');
    const moved = await until(
      operation_id,
      (op) => op.attempt === 2 && op.status === 'running',
      'attempt 2 runs',
    );
    assert.notEqual(moved.worker_id, victim.workerId);
    assert.match(moved.attempts[0]?.outcome ?? '', /^lost: /);
    const done = await until(operation_id, (op) => op.status === 'completed', 'it ends');
    assert.equal(done.result_summary?.counted, 300);
    assert.ok(Number(done.result_summary?.resumed_from) >= 10, 'continued from its checkpoint');
  });

  it('`ktrdr ops` lists it with its label', async () => {
    const { stdout } = await run(
      process.execPath,
      [`${REPO_ROOT}apps/cli/dist/bin.js`, 'ops', '--limit', '10'],
      {
        env: {
          KTRDR_BACKEND_URL: backend.url,
          KTRDR_CLUSTER_TOKEN: TOKEN,
          KTRDR_DATA_DIR: `${dir.path}/cli`,
          KTRDR_JOB_KINDS: COUNT_KIND_MODULE_PATH,
        },
      },
    );
    assert.match(
      stdout,
      /^op_test_count_\S+\s+test_count\s+completed\s.*Count \(test\) · count to 300 over SP500/m,
    );
  });
});
