import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IB_PACING_RULES, Pacer, type PacedRequest } from '../../src/pacing/pacer.js';

/** A clock the test moves by hand. */
function manualClock(startMs = 1_000_000) {
  let now = startMs;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Distinct requests (different end dates) for one contract. */
const chunk = (i: number, contract = 'AAPL|TRADES'): PacedRequest => ({
  contractKey: contract,
  identityKey: `${contract}|1 hour|end-${i}|30 D`,
});

const NO_MARGIN = { ...IB_PACING_RULES, marginMs: 0 };

describe('pacer: IB historical-data pacing rules', () => {
  it('holds an identical request until 15 s after the first', () => {
    const clock = manualClock();
    const pacer = new Pacer(NO_MARGIN, clock.now);
    assert.equal(pacer.reserve(chunk(1)).delayMs, 0);
    assert.equal(pacer.reserve(chunk(1)).delayMs, 15_000);
    clock.advance(16_000);
    // the second one goes at 15 s, so a third waits until 30 s
    assert.equal(pacer.reserve(chunk(1)).delayMs, 14_000);
  });

  it('lets at most 5 requests for one contract go within 2 s; other contracts are not held', () => {
    const clock = manualClock();
    const pacer = new Pacer(NO_MARGIN, clock.now);
    const delays = Array.from({ length: 11 }, (_, i) => pacer.reserve(chunk(i)).delayMs);
    assert.deepEqual(delays, [0, 0, 0, 0, 0, 2000, 2000, 2000, 2000, 2000, 4000]);
    assert.equal(pacer.reserve(chunk(0, 'MSFT|TRADES')).delayMs, 0);
    clock.advance(2000);
    assert.equal(pacer.reserve(chunk(99)).delayMs, 2000, 'the slots at 2 s and 4 s are taken');
  });

  it('lets at most 60 requests go in any 10 minutes', () => {
    const clock = manualClock();
    const pacer = new Pacer(NO_MARGIN, clock.now);
    for (let i = 0; i < 60; i++) {
      assert.equal(pacer.reserve(chunk(i, `C${i}|TRADES`)).delayMs, 0);
    }
    assert.equal(pacer.reserve(chunk(60, 'C60|TRADES')).delayMs, 600_000);
    clock.advance(600_000);
    assert.equal(pacer.reserve(chunk(61, 'C61|TRADES')).delayMs, 0, 'the first 60 left the window');
  });

  it('adds its safety margin to every window', () => {
    const pacer = new Pacer({ ...IB_PACING_RULES, marginMs: 250 }, manualClock().now);
    for (let i = 0; i < 5; i++) pacer.reserve(chunk(i));
    assert.equal(pacer.reserve(chunk(5)).delayMs, 2250);
    assert.equal(pacer.reserve(chunk(0)).delayMs, 15_250);
  });

  it('gives a cancelled slot back', () => {
    const pacer = new Pacer(NO_MARGIN, manualClock().now);
    for (let i = 0; i < 5; i++) pacer.reserve(chunk(i));
    const sixth = pacer.reserve(chunk(5));
    assert.equal(sixth.delayMs, 2000);
    sixth.cancel();
    pacer.reserve(chunk(6)).cancel();
    assert.equal(pacer.reserve(chunk(7)).delayMs, 2000);
  });

  it('keeps at most 50 requests open, serving waiters in order; an aborted wait leaves the queue', async () => {
    const pacer = new Pacer(NO_MARGIN, manualClock().now);
    for (let i = 0; i < 50; i++) await pacer.acquireOpen();
    assert.equal(pacer.openRequests, 50);
    const order: string[] = [];
    const aborted = new AbortController();
    const first = pacer.acquireOpen().then(() => order.push('first'));
    const quitter = pacer.acquireOpen(aborted.signal);
    const second = pacer.acquireOpen().then(() => order.push('second'));
    aborted.abort(new Error('caller gone'));
    await assert.rejects(quitter, /caller gone/);
    pacer.releaseOpen();
    pacer.releaseOpen();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first', 'second']);
    assert.equal(pacer.openRequests, 50);
  });

  it('plans 700 requests for one contract without sleeping: 5 per 2 s, 60 per 10 minutes', () => {
    const pacer = new Pacer(NO_MARGIN, manualClock().now);
    const requests = Array.from({ length: 700 }, (_, i) => chunk(i));
    const startedAt = Date.now();
    const plan = pacer.plan(requests);
    assert.ok(Date.now() - startedAt < 5000, 'planning is quick');
    // request i goes in cycle floor(i/60) (10 minutes each), group floor((i%60)/5) (2 s each)
    const expectedAt = (i: number) =>
      Math.floor(i / 60) * 600_000 + Math.floor((i % 60) / 5) * 2000;
    assert.equal(plan.requests.length, 700);
    for (const i of [0, 4, 5, 59, 60, 64, 65, 119, 120, 699]) {
      assert.equal(plan.requests[i]?.send_after_ms, expectedAt(i), `request ${i}`);
    }
    assert.equal(plan.total_wait_ms, 11 * 600_000 + 7 * 2000); // 6 614 000 ms ≈ 1 h 50 min
    assert.equal(plan.finishes_after_ms, plan.total_wait_ms);
    assert.equal(
      plan.requests.reduce((sum, r) => sum + r.wait_ms, 0),
      plan.total_wait_ms,
      'the waits add up to the total',
    );
    assert.equal(pacer.reserve(chunk(0)).delayMs, 0, 'planning booked nothing');
  });

  it('plans with the IB rules and margin, with answer times driving the open limit', () => {
    const pacer = new Pacer(IB_PACING_RULES, manualClock().now);
    const plan = pacer.plan(
      Array.from({ length: 700 }, (_, i) => chunk(i)),
      { answerMs: 500 },
    );
    const cycle = 600_000 + 250;
    const group = 2000 + 250;
    assert.equal(plan.total_wait_ms, 11 * cycle + 7 * group);
    assert.equal(plan.finishes_after_ms, plan.total_wait_ms + 500);
    const open = new Pacer({ ...NO_MARGIN, maxOpen: 2 }, manualClock().now).plan(
      Array.from({ length: 4 }, (_, i) => chunk(i, `C${i}`)),
      { answerMs: 1000 },
    );
    assert.deepEqual(
      open.requests.map((r) => r.send_after_ms),
      [0, 0, 1000, 1000],
    );
  });

  it('lets everything through at once when pacing is off', async () => {
    const pacer = new Pacer(undefined, manualClock().now);
    for (let i = 0; i < 100; i++) assert.equal(pacer.reserve(chunk(1)).delayMs, 0);
    for (let i = 0; i < 100; i++) await pacer.acquireOpen();
    const plan = pacer.plan(Array.from({ length: 700 }, (_, i) => chunk(i)));
    assert.equal(plan.total_wait_ms, 0);
    assert.equal(pacer.enabled, false);
  });
});
