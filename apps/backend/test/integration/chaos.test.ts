import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runChaos, tempDir } from '@ktrdr/testkit';
import { TEST_TOKEN } from './cluster-fixture.js';

/**
 * The short chaos run CI keeps (the long one is `npm run chaos`): backend and workers
 * SIGKILLed under a stream of checkpointed backtests; nothing may be lost, duplicated,
 * left running, or end with a different result than an uninterrupted run.
 */
describe('chaos: backend and workers killed under load', () => {
  const dir = tempDir();
  after(() => dir.remove());

  it('loses, repeats and strands nothing, and every result equals the uninterrupted run', async () => {
    const report = await runChaos({
      dir: dir.path,
      token: TEST_TOKEN,
      seconds: 24,
      workers: 3,
      backendKills: 2,
      workerKills: 3,
      seed: 7,
      log: (line) => console.log(`# ${line}`),
    });
    console.log(`# ${JSON.stringify(report)}`);
    assert.ok(report.acknowledged >= 10, `work was submitted: ${report.acknowledged}`);
    assert.equal(report.backendKills, 2);
    assert.ok(report.workerKills >= 1, 'at least one busy worker was killed');
    assert.deepEqual(report.lost, [], 'no acknowledged operation lost');
    assert.deepEqual(report.duplicated, [], 'none completed twice');
    assert.deepEqual(report.stuck, [], 'none left pending or running');
    assert.deepEqual(report.notCompleted, [], 'every acknowledged operation completed');
    assert.deepEqual(report.wrongResults, [], 'every result equals the uninterrupted run');
    assert.ok(report.movedOperations >= 1, 'some operation needed another attempt');
  });
});
