// How a finished sweep ends: failed only when no set completed, and the message counts only
// the sets that did fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SweepResult } from '@ktrdr/shared';
import { sweepOutcome } from '../../src/sweeps/sweep-outcome.js';

const counts = (completed: number, failed: number, cancelled: number) => ({
  pending: 0,
  running: 0,
  completed,
  failed,
  cancelled,
});
// only what the outcome reads: no best set, no walk-forward
const result = {
  total: 10,
  counts: counts(0, 0, 0),
  objective: 'sharpe_ratio',
  best: null,
  sets_per_second: 100,
} as unknown as SweepResult;

describe('a finished sweep', () => {
  it('fails when every set failed, naming how many', () => {
    const outcome = sweepOutcome(result, counts(0, 10, 0));
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error, 'every one of the 10 parameter sets failed');
  });

  it('names failed and cancelled sets apart when none completed', () => {
    const outcome = sweepOutcome(result, counts(0, 7, 3));
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error, 'no parameter set completed: 7 failed and 3 were cancelled');
  });

  it('completes when one set completed, however many failed', () => {
    const outcome = sweepOutcome(result, counts(1, 9, 0));
    assert.equal(outcome.status, 'completed');
    assert.equal(outcome.error, null);
  });
});
