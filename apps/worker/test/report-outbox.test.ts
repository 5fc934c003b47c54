import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BackendClient, INLINE_ARTIFACTS_MAX_BYTES } from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';
import { ArtifactTransfer } from '../src/runtime/artifact-transfer.js';
import { ReportOutbox } from '../src/runtime/report-outbox.js';

interface Received {
  method: string;
  path: string;
  body: Buffer;
}

const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger;

/**
 * A final report's result files on their way to a backend (here a real HTTP server on
 * loopback that records what arrives and answers as the backend does): small in-memory
 * ones ride inside the report, anything else is uploaded first.
 */
describe('final reports and their result files', () => {
  let server: Server;
  let received: Received[] = [];
  let outbox: ReportOutbox;

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          path: (req.url ?? '').split('?')[0] ?? '',
          body: Buffer.concat(chunks),
        });
        res.setHeader('content-type', 'application/json');
        res.end(
          req.method === 'PUT'
            ? JSON.stringify({ name: 'x', size_bytes: 0, sha256: '' })
            : JSON.stringify({ accepted: true, status: 'completed' }),
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
    });
  });
  after(() => server.close());

  const deliver = async (report: Parameters<ReportOutbox['finalize']>[0]) => {
    received = [];
    outbox.finalize(report);
    await outbox.flush();
    return received;
  };

  it('sends a short job’s results inside its completed report: one request, bytes intact', async () => {
    const display = new TextEncoder().encode('{"metrics":{"total_return":0.12}}');
    const full = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const requests = await deliver({
      operation_id: 'op_a',
      attempt: 1,
      status: 'completed',
      artifacts: [
        { name: 'result.json', bytes: display },
        { name: 'result-full.bin', bytes: full },
      ],
    });
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.path}`),
      ['POST /api/v1/operations/op_a/report'],
    );
    const body = JSON.parse((requests[0] as Received).body.toString()) as {
      status: string;
      artifacts: { name: string; data_base64: string }[];
    };
    assert.equal(body.status, 'completed');
    assert.deepEqual(
      body.artifacts.map((a) => [a.name, [...Buffer.from(a.data_base64, 'base64')]]),
      [
        ['result.json', [...display]],
        ['result-full.bin', [...full]],
      ],
    );
  });

  it('uploads results larger than a report may carry first, then reports without them', async () => {
    const big = new Uint8Array(INLINE_ARTIFACTS_MAX_BYTES + 1).fill(7);
    const requests = await deliver({
      operation_id: 'op_b',
      attempt: 2,
      status: 'completed',
      artifacts: [
        { name: 'result.json', bytes: new TextEncoder().encode('{}') },
        { name: 'result-full.bin', bytes: big },
      ],
    });
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`).sort(), [
      'POST /api/v1/operations/op_b/report',
      'PUT /api/v1/operations/op_b/artifacts/result-full.bin',
      'PUT /api/v1/operations/op_b/artifacts/result.json',
    ]);
    assert.equal(requests.at(-1)?.method, 'POST', 'the report goes last');
    assert.equal(requests.find((r) => r.body.length === big.length)?.method, 'PUT');
    const report = JSON.parse((requests.at(-1) as Received).body.toString()) as object;
    assert.equal('artifacts' in report, false);
  });
});
