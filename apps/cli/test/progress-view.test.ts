import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { initialProgress, type Operation } from '@ktrdr/shared';
import { bar, LineProgressView, RedrawingProgressView } from '../src/follow/progress-view.js';
import { replayTerminal } from './screen.js';

function operation(
  patch: Omit<Partial<Operation>, 'progress'> & { progress?: Partial<Operation['progress']> },
): Operation {
  return {
    operation_id: 'op_training_20261128_120000_0123abcd',
    operation_type: 'training',
    status: 'running',
    attempt: 1,
    worker_id: 'training-a-5004',
    parent_operation_id: null,
    retry_of: null,
    created_at: '2026-11-28T12:00:00.000Z',
    started_at: '2026-11-28T12:00:00.000Z',
    completed_at: null,
    metadata: {},
    error_message: null,
    result_summary: null,
    queue_position: null,
    routing_reason: null,
    attempts: [],
    provenance: { strategy_hash: null, data_etag: null, code_version: 'test' },
    ...patch,
    progress: { ...initialProgress(), ...patch.progress },
  };
}

/** A stream that records what is written, with a terminal's width. */
function capture(columns: number) {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  (stream as { columns: number }).columns = columns;
  return { stream, text: () => text };
}

describe('progress display', () => {
  it('draws the bar to an eighth of a cell, always the same width', () => {
    assert.equal(bar(0, 10), ' '.repeat(10));
    assert.equal(bar(100, 10), '█'.repeat(10));
    assert.equal(bar(55, 10), '█████▌    ');
    assert.equal(bar(150, 4), '████', 'clamped');
    for (const p of [0, 3, 33.3, 99.9]) assert.equal([...bar(p, 20)].length, 20);
  });

  it('on a terminal, cuts the live line to the width and erases it before a note', () => {
    const out = capture(40);
    const view = new RedrawingProgressView(out.stream);
    view.update(
      operation({
        progress: {
          percentage: 42,
          steps_total: 10,
          context: { epoch: 5, epochs: 10, batch: 3, batches: 56, loss: 0.91234, accuracy: 0.5 },
        },
      }),
    );
    view.note('running on training-a-5004');
    view.close();
    const screen = replayTerminal(out.text(), 40);
    assert.equal(screen.overflow, 0);
    assert.deepEqual(screen.lines.filter(Boolean), ['running on training-a-5004']);
    assert.match(out.text(), /▕.{20}▏ {3}42\.0% {2}Epoch …/, 'cut with an ellipsis');
  });

  it('in a pipe, writes a line per epoch and nothing in between', () => {
    const out = capture(80);
    const view = new LineProgressView(out.stream);
    for (let epoch = 1; epoch <= 3; epoch++) {
      for (let batch = 1; batch <= 4; batch++) {
        view.update(
          operation({
            progress: {
              percentage: ((epoch - 1) * 4 + batch) * (100 / 12),
              steps_completed: epoch - 1,
              steps_total: 3,
              eta_seconds: 65,
              context: { epoch, epochs: 3, batch, batches: 4, loss: 1 / epoch },
            },
          }),
        );
      }
    }
    assert.deepEqual(out.text().trimEnd().split('\n'), [
      '[  8.3%] Epoch 1/3 · batch 1/4 · loss 1.0000 · ETA 1 m 05 s',
      '[ 41.7%] Epoch 2/3 · batch 1/4 · loss 0.5000 · ETA 1 m 05 s',
      '[ 75.0%] Epoch 3/3 · batch 1/4 · loss 0.3333 · ETA 1 m 05 s',
    ]);
  });
});
