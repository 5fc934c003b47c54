import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiError,
  Backoff,
  backoffDelay,
  hasErrorCode,
  mustDropJob,
  outcomeDetails,
  protocolOutcome,
  retry,
  type RetryClock,
} from '../src/index.js';

/** A clock whose sleeps pass at once, recording each wait (and aborting when told to). */
function fakeClock(onSleep?: (ms: number) => void): RetryClock & { waits: number[]; t: number } {
  const clock = {
    t: 0,
    waits: [] as number[],
    now: () => clock.t,
    sleep: (ms: number) => {
      clock.waits.push(ms);
      clock.t += ms;
      onSleep?.(ms);
      return Promise.resolve();
    },
  };
  return clock;
}

/** An attempt that fails `times` times, then answers `value`. */
function failing<T>(times: number, value: T, error: () => Error = () => new Error('down')) {
  let calls = 0;
  const fn = (attemptNo: number) => {
    calls++;
    assert.equal(attemptNo, calls);
    return calls <= times ? Promise.reject(error()) : Promise.resolve(value);
  };
  return { fn, calls: () => calls };
}

describe('backoffDelay', () => {
  it('doubles up to the cap', () => {
    const policy = { initialMs: 250, maxMs: 2000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n)),
      [250, 500, 1000, 2000, 2000, 2000],
    );
  });

  it('grows linearly or stays fixed when told to', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay({ initialMs: 500, growth: 'linear' }, n)),
      [500, 1000, 1500, 2000],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => backoffDelay({ initialMs: 1000, maxMs: 10, growth: 'fixed' }, n)),
      [10, 10, 10],
    );
  });

  it('draws jitter below the wait, never above the cap', () => {
    const policy = { initialMs: 1000, maxMs: 1000, jitter: 0.5 };
    assert.equal(
      backoffDelay(policy, 3, () => 0),
      1000,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0.5),
      750,
    );
    const lowest = backoffDelay(policy, 3, () => 0.999_999);
    assert.ok(lowest > 500 && lowest < 501, String(lowest));
  });

  it('does not overflow after many failures', () => {
    assert.equal(backoffDelay({ initialMs: 1, maxMs: 30_000 }, 10_000), 30_000);
  });
});

describe('Backoff', () => {
  it('counts failures and starts over after a reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 350 });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [100, 200, 350]);
    assert.equal(backoff.failures, 3);
    backoff.reset();
    assert.equal(backoff.failures, 0);
    assert.equal(backoff.next(), 100);
  });

  it('uses the injected random source for jitter', () => {
    const backoff = new Backoff({ initialMs: 100, jitter: 1 }, () => 0.25);
    assert.equal(backoff.next(), 75);
  });
});

describe('retry', () => {
  it('answers the first success, waiting the policy between tries', async () => {
    const clock = fakeClock();
    const { fn, calls } = failing(3, 'ok');
    assert.equal(await retry(fn, { initialMs: 250, maxMs: 500, clock }), 'ok');
    assert.equal(calls(), 4);
    assert.deepEqual(clock.waits, [250, 500, 500]);
  });

  it('throws at once a failure that is not retryable', async () => {
    const clock = fakeClock();
    const fatal = new Error('fatal');
    let calls = 0;
    await assert.rejects(
      retry(
        () => {
          calls++;
          return Promise.reject(fatal);
        },
        { initialMs: 10, clock, retryable: (error) => error !== fatal },
      ),
      (error) => error === fatal,
    );
    assert.equal(calls, 1);
    assert.deepEqual(clock.waits, []);
  });

  it('gives up after maxAttempts tries, without a last useless wait', async () => {
    const clock = fakeClock();
    const { fn, calls } = failing(10, 'never');
    await assert.rejects(retry(fn, { initialMs: 500, growth: 'linear', maxAttempts: 5, clock }), {
      message: 'down',
    });
    assert.equal(calls(), 5);
    assert.deepEqual(clock.waits, [500, 1000, 1500, 2000]);
  });

  it('gives up when the next wait would pass the deadline', async () => {
    const clock = fakeClock();
    const { fn, calls } = failing(100, 'never');
    await assert.rejects(retry(fn, { initialMs: 250, maxMs: 2000, deadlineMs: 5000, clock }));
    // 250 + 500 + 1000 + 2000 = 3750; another 2000 would end at 5750
    assert.deepEqual(clock.waits, [250, 500, 1000, 2000]);
    assert.equal(calls(), 5);
  });

  it('stops waiting when the signal aborts, with the last failure', async () => {
    const controller = new AbortController();
    const clock = fakeClock(() => controller.abort());
    const { fn, calls } = failing(5, 'never', () => new Error('refused'));
    await assert.rejects(retry(fn, { initialMs: 1000, clock, signal: controller.signal }), {
      message: 'refused',
    });
    assert.equal(calls(), 1);
  });

  it('tells onRetry about each wait', async () => {
    const seen: [string, number, number][] = [];
    const { fn } = failing(2, 1);
    await retry(fn, {
      initialMs: 10,
      clock: fakeClock(),
      onRetry: (error, attemptNo, delayMs) =>
        seen.push([(error as Error).message, attemptNo, delayMs]),
    });
    assert.deepEqual(seen, [
      ['down', 1, 10],
      ['down', 2, 20],
    ]);
  });

  it('wakes a real sleep at once on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = retry(() => Promise.reject(new Error('down')), {
      initialMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(running, { message: 'down' });
    assert.ok(Date.now() - started < 5000);
  });
});

describe('protocol outcomes', () => {
  const apiError = (status: number, details?: Record<string, unknown>) =>
    new ApiError(status, 'CONFLICT', 'stale', details, 'POST /x');

  it('names the outcome a 409 carries, and tells the worker to drop the job', () => {
    const error = apiError(409, outcomeDetails('ATTEMPT_SUPERSEDED', { attempt: 2 }));
    assert.equal(error.details?.drop, true);
    assert.equal(error.details?.attempt, 2);
    assert.equal(protocolOutcome(error), 'ATTEMPT_SUPERSEDED');
    assert.equal(mustDropJob(error), true);
    assert.equal(protocolOutcome(apiError(409, outcomeDetails('STALE_REPORT'))), 'STALE_REPORT');
  });

  it("honours an older backend's details.drop, and nothing else", () => {
    assert.equal(mustDropJob(apiError(409, { drop: true })), true);
    assert.equal(protocolOutcome(apiError(409, { drop: true })), undefined);
    assert.equal(mustDropJob(apiError(409, { status: 'completed' })), false);
    assert.equal(mustDropJob(apiError(503, { drop: true })), false);
    assert.equal(mustDropJob(new Error('stale')), false);
    assert.equal(protocolOutcome(apiError(409, { outcome: 'SOMETHING_ELSE' })), undefined);
  });

  it('recognises an error code', () => {
    const busy = new ApiError(503, 'WORKER_BUSY', 'busy', undefined, 'POST /x');
    assert.equal(hasErrorCode(busy, 'WORKER_BUSY'), true);
    assert.equal(hasErrorCode(busy, 'WORKER_UNAVAILABLE'), false);
    assert.equal(hasErrorCode(new Error('x'), 'WORKER_BUSY'), false);
  });
});
