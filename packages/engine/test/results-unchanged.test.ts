import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as engine from '../src/index.js';
import { goldenDigests } from './golden-cases.js';

describe('results are byte for byte those of the engine before its kernels', () => {
  it('full and display results of the bundled and three more strategies, on the S&P 500 and a random walk', () => {
    // recorded by running golden-cases.ts on the sources of commit 6b2cc4f (trading-signals
    // streaming, the original loop and metrics)
    const recorded = JSON.parse(
      readFileSync(new URL('fixtures/golden-results.json', import.meta.url), 'utf8'),
    ) as ReturnType<typeof goldenDigests>;
    const now = goldenDigests(engine);
    assert.deepEqual(Object.keys(now), Object.keys(recorded));
    for (const [label, digest] of Object.entries(recorded)) {
      assert.ok(digest.trades > 0, `${label} trades`);
      assert.deepEqual(now[label], digest, label);
    }
  });
});
