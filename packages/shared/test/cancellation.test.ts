import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { CancellationToken, CancelledError } from '../src/index.js';

describe('CancellationToken', () => {
  it('is seen by a synchronous loop in another thread without any message', async () => {
    const token = CancellationToken.create();
    // a busy loop that never yields: only shared memory can stop it
    const thread = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const flag = new Int32Array(workerData);
       let spins = 0;
       while (Atomics.load(flag, 0) === 0) {
         if (++spins === 1000) parentPort.postMessage('started');
       }
       parentPort.postMessage({ stopped: true, spins });`,
      { eval: true, workerData: token.buffer },
    );
    const messages: unknown[] = [];
    const stopped = new Promise<{ stopped: boolean; spins: number }>((resolve) => {
      thread.on('message', (m) => {
        messages.push(m);
        if (typeof m === 'object') resolve(m as { stopped: boolean; spins: number });
      });
    });
    await new Promise<void>((resolve) => thread.once('message', () => resolve()));
    token.cancel();
    const result = await stopped;
    assert.equal(result.stopped, true);
    assert.ok(result.spins >= 1000, 'it was spinning when the flag was set');
    await thread.terminate();
  });

  it('throwIfCancelled throws a CancelledError once set', () => {
    const token = CancellationToken.create();
    assert.doesNotThrow(() => token.throwIfCancelled());
    token.cancel();
    assert.throws(() => token.throwIfCancelled(), CancelledError);
  });

  it('sleep() wakes early on cancellation', async () => {
    const token = CancellationToken.create();
    const thread = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const flag = new Int32Array(workerData);
       const t0 = Date.now();
       Atomics.wait(flag, 0, 0, 10000);
       parentPort.postMessage(Date.now() - t0);`,
      { eval: true, workerData: token.buffer },
    );
    setTimeout(() => token.cancel(), 50);
    const slept = await new Promise<number>((resolve) => thread.once('message', resolve));
    assert.ok(slept < 5000, `woke after ${slept} ms instead of 10 s`);
    await thread.terminate();
    assert.equal(token.sleep(1000), true, 'a cancelled token does not sleep');
  });
});
