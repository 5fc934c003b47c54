// Storing a running sweep's sets in the background, on a real SQLite file: slices land in
// order, the count of what is left falls to 0, a cancelled sweep's later sets are stored
// cancelled, and a failing slice ends the storing with its error (nothing after it stored).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '@ktrdr/testkit';
import { openDatabase } from '../../src/storage/database.js';
import { SetStoring, type StoringHooks } from '../../src/sweeps/set-storing.js';
import { SweepSetStore } from '../../src/sweeps/sweep-set-store.js';

const setsOf = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({
    set_index: from + i,
    parameters: { 'indicators.fast.period': from + i },
  }));

describe('SetStoring', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SweepSetStore;
  before(() => {
    dir = tempDir('ktrdr-set-storing-');
    store = new SweepSetStore(openDatabase(join(dir.path, 'k.db')));
  });
  after(() => dir.remove());

  /** Starts storing and records what the hooks saw. */
  const startStoring = (sweepId: string, all: ReturnType<typeof setsOf>, live: () => boolean) => {
    const seen = { stored: [] as number[], ended: [] as (Error | undefined)[] };
    const storing = new SetStoring(store);
    const hooks: StoringHooks = {
      live,
      stored: () => seen.stored.push(storing.left(sweepId)),
      ended: (error) => void seen.ended.push(error),
    };
    storing.start(sweepId, all, 0, hooks);
    return { storing, seen };
  };

  it('stores every set a slice at a time, counting down what is left, then ends once', async () => {
    const { storing, seen } = startStoring('a', setsOf(0, 3500), () => true);
    assert.equal(storing.has('a'), true);
    assert.equal(storing.left('a'), 3500);
    await storing.stored('a');
    assert.equal(storing.has('a'), false);
    assert.equal(storing.left('a'), 0);
    await storing.close();
    assert.deepEqual(seen.stored, [2500, 1500, 500, 0]);
    assert.deepEqual(seen.ended, [undefined]);
    assert.equal(store.counts('a').pending, 3500);
  });

  it('stores the slices after a cancel as cancelled, and offers none of them', async () => {
    let live = true;
    const { storing, seen } = startStoring('b', setsOf(0, 3000), () => live);
    // the first slice goes in on the next turn of the event loop; then the sweep is cancelled
    const cancel = setInterval(() => {
      if (store.counts('b').pending > 0) {
        live = false;
        clearInterval(cancel);
      }
    }, 0);
    await storing.close();
    clearInterval(cancel);
    const counts = store.counts('b');
    assert.equal(counts.pending + counts.cancelled, 3000);
    assert.ok(counts.cancelled >= 1000, JSON.stringify(counts));
    assert.equal(seen.stored.length, counts.pending / 1000);
  });

  it('waits on close for an ended hook still running, and lets no error of it go unhandled', async () => {
    const storing = new SetStoring(store);
    let hookDone = false;
    storing.start('d', setsOf(0, 1200), 0, {
      live: () => true,
      stored: () => {},
      ended: async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        hookDone = true;
        throw new Error('the hook failed after logging it');
      },
    });
    await storing.stored('d');
    assert.equal(hookDone, false, 'the loop ended before its hook did');
    await storing.close();
    assert.equal(hookDone, true);
    assert.equal(store.counts('d').pending, 1200);
  });

  it('ends with the error of a slice that cannot be stored, storing nothing after it', async () => {
    // set 1,500 is already stored: the second slice breaks the sweep's primary key
    await store.insert('c', setsOf(1500, 1501), () => Promise.resolve());
    const { storing, seen } = startStoring('c', setsOf(0, 4000), () => true);
    await storing.close();
    assert.equal(seen.ended.length, 1);
    assert.match(seen.ended[0]?.message ?? '', /UNIQUE|PRIMARY KEY|constraint/i);
    assert.equal(storing.has('c'), false);
    // the first slice and the one set stored before; the failed slice rolled back whole
    assert.equal(store.counts('c').pending, 1001);
    assert.deepEqual(seen.stored, [3000]);
  });
});
