import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialProgress } from '@ktrdr/shared';
import { EventBus } from '../../src/events/event-bus.js';

describe('EventBus', () => {
  it('replays what a reconnecting client missed after its Last-Event-ID', () => {
    const bus = new EventBus(10);
    for (let i = 0; i < 5; i++)
      bus.publish('worker_removed', { worker_id: `w${i}`, reason: 'test' });
    assert.deepEqual(
      bus.since(3).map((e) => e.id),
      [4, 5],
    );
    assert.deepEqual(bus.since(5), []);
    assert.match(bus.since(4)[0]!.frame, /^id: 5\nevent: worker_removed\ndata: \{"worker_id":"w4"/);
    bus.close();
  });

  it('keeps only the newest events and coalesces progress per operation', async () => {
    const bus = new EventBus(3, 30);
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(e.event));
    for (let i = 0; i < 5; i++) bus.publish('heartbeats', {});
    assert.equal(bus.since(0).length, 3);
    assert.deepEqual(
      bus.since(3).map((e) => e.id),
      [4, 5],
      'after the buffer wrapped, replay still runs oldest first',
    );
    for (let i = 0; i < 20; i++)
      bus.publishProgress('op1', { ...initialProgress(), percentage: i });
    await new Promise((r) => setTimeout(r, 60));
    const progress = bus.since(0).filter((e) => e.event === 'progress');
    assert.equal(
      seen.filter((e) => e === 'progress').length,
      2,
      'the first update, then only the latest',
    );
    assert.match(progress.at(-1)!.frame, /"percentage":19/);
    bus.close();
  });
});
