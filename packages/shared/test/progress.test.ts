import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatestValueThrottle, ProgressTracker } from '../src/index.js';

describe('ProgressTracker', () => {
  it('computes percentage and an ETA from the observed rate', () => {
    let now = 1_000;
    const tracker = new ProgressTracker(() => now);
    tracker.update({ current_step: 'start', items_processed: 0, items_total: 1000 });
    now += 2_000; // 250 items in 2 s → 125/s, 750 left → 6 s
    const p = tracker.update({
      current_step: 'bars',
      items_processed: 250,
      items_total: 1000,
      context: { bar_date: '2020-01-01' },
    });
    assert.equal(p.percentage, 25);
    assert.equal(p.eta_seconds, 6);
    assert.equal(p.context.bar_date, '2020-01-01');
  });

  it('has no ETA before anything moved, and never goes past 100 %', () => {
    const tracker = new ProgressTracker(() => 0);
    assert.equal(
      tracker.update({ current_step: 'x', items_processed: 0, items_total: 10 }).eta_seconds,
      null,
    );
    assert.equal(
      tracker.update({ current_step: 'x', items_processed: 50, items_total: 10 }).percentage,
      100,
    );
  });
});

describe('LatestValueThrottle', () => {
  it('emits the first value at once, then only the latest once per interval', async () => {
    const seen: number[] = [];
    const throttle = new LatestValueThrottle<number>(40, (v) => seen.push(v));
    throttle.push(1);
    throttle.push(2);
    throttle.push(3);
    assert.deepEqual(seen, [1]);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(seen, [1, 3], 'the trailing emit carries the latest value; 2 was superseded');
    throttle.cancel();
  });

  it('with leading: false, holds the first value a whole interval; a cancel before sends nothing', async () => {
    const seen: number[] = [];
    const throttle = new LatestValueThrottle<number>(40, (v) => seen.push(v), undefined, {
      leading: false,
    });
    throttle.push(1);
    assert.equal(seen.length, 0, 'not sent at once');
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(seen, [1], 'sent at the end of the interval');
    const quiet = new LatestValueThrottle<number>(40, (v) => seen.push(v), undefined, {
      leading: false,
    });
    quiet.push(2);
    quiet.cancel();
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(seen, [1], 'a value cancelled within the first interval is never sent');
    throttle.cancel();
  });

  it('flush() emits a pending value right away', () => {
    const seen: string[] = [];
    const throttle = new LatestValueThrottle<string>(10_000, (v) => seen.push(v));
    throttle.push('a');
    throttle.push('b');
    throttle.flush();
    assert.deepEqual(seen, ['a', 'b']);
    throttle.cancel();
  });
});
