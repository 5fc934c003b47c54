import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BacktestJobSchema } from '@ktrdr/shared';
import { createLogger } from '@ktrdr/server-kit';
import { tempDir } from '@ktrdr/testkit';
import type { BackendLink, FinalReport } from '../src/runtime/backend-link.js';
import { JobRunner } from '../src/runtime/job-runner.js';
import { LocalOperations } from '../src/runtime/local-operations.js';
import type { WorkerJobDefinition } from '../src/runtime/job-definition.js';
import { loadWorkerConfig, WorkerConfigError } from '../src/index.js';
import { BUILT_IN_WORKER_JOBS } from '../src/jobs/index.js';

/**
 * A runner whose link records the final reports (the runner calls only `reportProgress` and
 * `finalize` of it) and whose backend is never reached.
 */
function testRunner(options: { cancelDeadlineMs: number; idleThreadMs?: number }) {
  const dir = tempDir();
  const finals: FinalReport[] = [];
  const link = {
    reportProgress: () => undefined,
    finalize: (r: FinalReport) => finals.push(r),
  } as unknown as BackendLink;
  const runner = new JobRunner(
    {
      backendUrl: 'http://127.0.0.1:9',
      token: () => 't',
      cacheDir: dir.path,
      settings: { checkpointSeconds: 10, trainingBackend: 'cpu' },
      workerId: () => 'w1',
      ...options,
    },
    new LocalOperations(() => 'w1'),
    link,
    createLogger('silent'),
  );
  return { runner, finals, dir };
}

/** A backtesting kind run by one of the test's handler fixtures (which prepare nothing). */
function fixtureKind(fixture: string): WorkerJobDefinition {
  return {
    workerType: 'backtesting',
    operationType: 'backtesting',
    startPath: `/${fixture}/start`,
    requestSchema: BacktestJobSchema,
    handlerModule: new URL(`./fixtures/${fixture}.ts`, import.meta.url),
    prepares: false,
    describe: () => ({}),
  };
}

describe('JobRunner', () => {
  it('starts at start-up only the threads of built-in kinds whose handler prepares something', async () => {
    for (const definition of BUILT_IN_WORKER_JOBS) {
      const module = (await import(definition.handlerModule.href)) as { prepare?: unknown };
      assert.equal(
        definition.prepares,
        typeof module.prepare === 'function',
        `${definition.operationType}: prepares says whether its handler exports prepare`,
      );
    }
  });

  it('terminates a job that ignores cancel after the deadline, and it still ends cancelled', async () => {
    const { runner, finals, dir } = testRunner({ cancelDeadlineMs: 300 });
    const stubborn = fixtureKind('stubborn-handler');
    runner.start(stubborn, { task_id: 'op1', attempt: 1 });
    assert.equal(runner.state().worker_status, 'busy');
    assert.throws(
      () => runner.start(stubborn, { task_id: 'op2', attempt: 1 }),
      /running op1; one operation at a time/,
    );
    await new Promise((r) => setTimeout(r, 1500)); // let the thread boot and start spinning
    const t0 = Date.now();
    const op = await runner.cancel('op1', 'cancelled by user');
    const took = Date.now() - t0;
    assert.equal(op.status, 'cancelled');
    assert.match(op.error_message ?? '', /stopped by force after 0.3 s/);
    assert.ok(took >= 250 && took < 3000, `stopped in ${took} ms`);
    assert.equal(runner.state().worker_status, 'idle');
    assert.deepEqual(
      finals.map((f) => [f.operation_id, f.status]),
      [['op1', 'cancelled']],
    );
    await runner.shutdown(0);
    dir.remove();
  });
});

describe('JobRunner after a forced stop', () => {
  it('runs the next job on a fresh thread: the stuck one’s late end is not taken for the next job’s', async () => {
    const { runner, finals, dir } = testRunner({ cancelDeadlineMs: 300 });
    const late = fixtureKind('late-handler');
    runner.start(late, { task_id: 'op1', attempt: 1, hold_ms: 2500 });
    await new Promise((r) => setTimeout(r, 1500)); // the thread boots and starts its long step
    const first = await runner.cancel('op1', 'cancelled by user');
    assert.match(first.error_message ?? '', /stopped by force/);
    // the next job at once, while the first one's thread would still be in its step
    runner.start(late, { task_id: 'op2', attempt: 1, hold_ms: 0 });
    const deadline = Date.now() + 20_000;
    while (!finals.some((f) => f.operation_id === 'op2') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      finals.map((f) => [f.operation_id, f.status]),
      [
        ['op1', 'cancelled'],
        ['op2', 'completed'],
      ],
    );
    await runner.shutdown(0);
    dir.remove();
  });
});

describe('JobRunner idle threads', () => {
  it('stops a thread idle for idleThreadMs, and the next job runs on a fresh one', async () => {
    const { runner, finals, dir } = testRunner({ cancelDeadlineMs: 1000, idleThreadMs: 300 });
    const quick = fixtureKind('quick-handler');
    await runner.prepare(quick);
    assert.equal(runner.hasIdleThread(quick), true, 'prewarmed');
    const ended = async (n: number) => {
      while (finals.length < n) await new Promise((r) => setTimeout(r, 10));
      return finals[n - 1]!;
    };
    runner.start(quick, { task_id: 'op1', attempt: 1 });
    const first = await ended(1);
    runner.start(quick, { task_id: 'op2', attempt: 1 });
    const second = await ended(2);
    assert.equal(second.summary?.thread, first.summary?.thread, 'back-to-back jobs share a thread');
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(runner.hasIdleThread(quick), false, 'the idle thread was stopped');
    runner.start(quick, { task_id: 'op3', attempt: 1 });
    const third = await ended(3);
    assert.equal(third.status, 'completed');
    assert.notEqual(third.summary?.thread, first.summary?.thread, 'a fresh thread ran it');
    await runner.shutdown(0);
    dir.remove();
  });
});

describe('worker configuration', () => {
  it('names the variable when something is missing or wrong', () => {
    assert.throws(
      () => loadWorkerConfig({ KTRDR_CLUSTER_TOKEN: 'x' }),
      (e: unknown) =>
        e instanceof WorkerConfigError &&
        /KTRDR_WORKER_TYPE \(--type\) must be one of: backtesting, training/.test(e.message),
    );
    assert.throws(
      () => loadWorkerConfig({}, ['--type', 'backtesting']),
      /KTRDR_JOIN_TOKEN \(--join-token\) is required: copy it from the backend's data dir \(~\/\.ktrdr\/join-token\)/,
    );
    assert.throws(
      () =>
        loadWorkerConfig({ KTRDR_JOIN_TOKEN: 'j', KTRDR_BACKEND_FINGERPRINT: 'nope' }, [
          '--type',
          'backtesting',
        ]),
      /KTRDR_BACKEND_FINGERPRINT must be a SHA-256 certificate fingerprint/,
    );
    const joined = loadWorkerConfig({ KTRDR_JOIN_TOKEN: 'j', KTRDR_CLUSTER_TOKEN: 'a' }, [
      '--type',
      'backtesting',
    ]);
    assert.equal(joined.token, 'j', 'the join token wins: a worker needs no admin rights');
    assert.equal(joined.tokenIsAdmin, false);
    assert.throws(
      () =>
        loadWorkerConfig({ KTRDR_CLUSTER_TOKEN: 'x' }, [
          '--type',
          'backtesting',
          '--port',
          '99999',
        ]),
      /KTRDR_WORKER_PORT="99999"/,
    );
  });

  it('defaults the port by type and lets flags win', () => {
    assert.equal(
      loadWorkerConfig({ KTRDR_CLUSTER_TOKEN: 'x', KTRDR_WORKER_TYPE: 'training' }).port,
      5004,
    );
    const c = loadWorkerConfig({ KTRDR_CLUSTER_TOKEN: 'x', KTRDR_WORKER_PORT: '7000' }, [
      '--type=backtesting',
      '--port',
      '0',
    ]);
    assert.equal(c.port, 0);
    assert.equal(c.workerType, 'backtesting');
  });
});
