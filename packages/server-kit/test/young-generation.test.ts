import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSpaceSize, releaseYoungGenerationWhenQuiet } from '../src/young-generation.js';

const MiB = 1024 * 1024;

describe('releaseYoungGenerationWhenQuiet', () => {
  it('shrinks the new space that a burst of surviving allocation grew, once the process is quiet', async () => {
    // what start-up does: objects that survive scavenges until the new space is at its largest
    let kept: unknown[] = [];
    for (let i = 0; i < 400_000 && newSpaceSize() < 16 * MiB; i++) kept.push({ i, s: `item ${i}` });
    kept = [];
    assert.ok(newSpaceSize() >= 16 * MiB, `new space grew (${newSpaceSize() / MiB} MiB)`);
    const stop = releaseYoungGenerationWhenQuiet();
    try {
      const deadline = Date.now() + 30_000;
      while (newSpaceSize() > 2 * MiB && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
      assert.ok(newSpaceSize() <= 2 * MiB, `new space shrank (${newSpaceSize() / MiB} MiB)`);
    } finally {
      stop();
    }
    assert.equal(kept.length, 0);
  });
});
