import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Type from 'typebox';
import { BackendClient, type NextJob } from '@ktrdr/shared';
import { AppError } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import { ArtifactTransfer } from '../src/runtime/artifact-transfer.js';
import { handedJobStarter } from '../src/runtime/handed-job.js';
import type { WorkerJobDefinition } from '../src/runtime/job-definition.js';
import type { FinalReport } from '../src/runtime/report-outbox.js';
import { ReportOutbox } from '../src/runtime/report-outbox.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger;

/**
 * A free worker's last outcome asks for its next job (`take_next`), and a job in the answer
 * is checked like a start request's body before it runs. The backend here is a real HTTP
 * server on loopback that records the reports and answers with a job.
 */
describe('the next job in a report’s answer, on the worker', () => {
  let server: Server;
  const bodies: Record<string, unknown>[] = [];
  let handed: NextJob[] = [];
  let free = true;
  let outbox: ReportOutbox;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const report = JSON.parse(body) as Record<string, unknown>;
        bodies.push(report);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            accepted: true,
            status: report.status,
            ...(report.take_next
              ? { next_job: { operation_type: 'demo', job: { task_id: 'op_next', attempt: 1 } } }
              : {}),
          }),
        );
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const client = new BackendClient({ baseUrl: `http://127.0.0.1:${port}`, token: 't' });
    const deps = { client, workerId: () => 'w1', onDrop: () => {}, log: quiet };
    outbox = new ReportOutbox({
      ...deps,
      isRegistered: () => true,
      files: new ArtifactTransfer(deps),
      canTakeNext: () => free,
      onNextJob: (next) => handed.push(next),
    });
  });
  after(() => server.close());

  it('asks only when the worker is free and nothing else waits, and passes on what comes', async () => {
    bodies.length = 0;
    handed = [];
    free = true;
    outbox.finalize({ operation_id: 'op_a', attempt: 1, status: 'completed' });
    await outbox.flush();
    assert.equal(bodies[0]?.take_next, true);
    assert.deepEqual(handed, [{ operation_type: 'demo', job: { task_id: 'op_next', attempt: 1 } }]);

    // two outcomes waiting: only the last one asks (the first one's answer would start a job
    // ahead of an outcome still to be told)
    bodies.length = 0;
    handed = [];
    outbox.finalize({ operation_id: 'op_b', attempt: 1, status: 'failed', error: 'x' });
    outbox.finalize({ operation_id: 'op_c', attempt: 1, status: 'cancelled' });
    await outbox.flush();
    assert.deepEqual(
      bodies.map((b) => [b.status, b.take_next ?? false]),
      [
        ['failed', false],
        ['cancelled', true],
      ],
    );
    assert.equal(handed.length, 1);

    bodies.length = 0;
    handed = [];
    free = false;
    outbox.finalize({ operation_id: 'op_d', attempt: 1, status: 'completed' });
    await outbox.flush();
    assert.equal(bodies[0]?.take_next, undefined, 'a worker that is not free does not ask');
    assert.deepEqual(handed, []);
  });
});

describe('starting a handed-over job', () => {
  const definition = {
    workerType: 'backtesting',
    operationType: 'demo',
    startPath: '/demo/start',
    requestSchema: Type.Object(
      {
        task_id: Type.String(),
        attempt: Type.Integer({ minimum: 1 }),
        period: Type.Integer({ minimum: 2, default: 20 }),
      },
      { additionalProperties: false },
    ),
    handlerModule: new URL('file:///nowhere.js'),
    prepares: false,
    describe: () => ({}),
  } as unknown as WorkerJobDefinition;

  const setup = (start: (job: Record<string, unknown>) => void = () => undefined) => {
    const started: Record<string, unknown>[] = [];
    const reports: FinalReport[] = [];
    const run = handedJobStarter({
      definitions: [definition],
      runner: {
        start: (_d, job) => {
          start(job);
          started.push(job);
          return undefined as never;
        },
      },
      finalize: (report) => reports.push(report),
      workerId: () => 'w1',
      log: quiet,
    });
    return { run, started, reports };
  };

  it('runs a valid job, its defaults filled as the start route fills them', () => {
    const { run, started, reports } = setup();
    run({ operation_type: 'demo', job: { task_id: 'op_1', attempt: 2 } });
    assert.deepEqual(started, [{ task_id: 'op_1', attempt: 2, period: 20 }]);
    assert.deepEqual(reports, []);
  });

  it('ends a job it cannot run failed, naming the field or the kind', () => {
    const { run, started, reports } = setup();
    run({ operation_type: 'demo', job: { task_id: 'op_2', attempt: 1, period: 1 } });
    run({ operation_type: 'training', job: { task_id: 'op_3', attempt: 1 } });
    assert.deepEqual(started, []);
    assert.deepEqual(
      reports.map((r) => [r.operation_id, r.status]),
      [
        ['op_2', 'failed'],
        ['op_3', 'failed'],
      ],
    );
    assert.match(reports[0]?.error ?? '', /^worker w1 rejected the job: body\.period: .*2/);
    assert.equal(reports[1]?.error, 'worker w1 rejected the job: it runs no training jobs');
  });

  it('leaves a job that comes while the worker shuts down to the backend', () => {
    const { run, reports } = setup(() => {
      throw new AppError('WORKER_BUSY', 'this worker is shutting down and takes no new work');
    });
    run({ operation_type: 'demo', job: { task_id: 'op_4', attempt: 1 } });
    assert.deepEqual(reports, [], 'no outcome: the backend takes it back when the worker leaves');
  });
});
