/**
 * How long to wait before trying again what failed: the project's one backoff policy.
 * Every retry loop — a worker registering, a download waiting out a restarting backend,
 * an event stream reconnecting, IB Gateway reconnects, a supervisor restarting a process —
 * takes its waits from here, so no two copies drift apart (another cap, other jitter).
 * No `node:*`: this runs in browsers too.
 */

/** How the wait grows from one failure to the next. */
export type BackoffGrowth = 'exponential' | 'linear' | 'fixed';

/** The waits between tries. */
export interface BackoffPolicy {
  /** The wait after the first failure, in ms. */
  initialMs: number;
  /** The longest wait, in ms (default: no cap). */
  maxMs?: number;
  /**
   * `exponential` (default) doubles the wait after each failure, `linear` adds `initialMs`
   * (500, 1000, 1500…), `fixed` always waits `initialMs`.
   */
  growth?: BackoffGrowth;
  /**
   * The share of each wait that is random, 0–1 (default 0): a wait of `d` becomes a value
   * in `[d × (1 − jitter), d]`, so many clients retrying at once spread out and the cap is
   * never exceeded.
   */
  jitter?: number;
}

/** The wait before the next try after `failures` failures (1 = the first failure), in ms. */
export function backoffDelay(
  policy: BackoffPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, failures);
  const growth = policy.growth ?? 'exponential';
  const raw =
    growth === 'fixed'
      ? policy.initialMs
      : growth === 'linear'
        ? policy.initialMs * n
        : policy.initialMs * 2 ** Math.min(n - 1, 40);
  const capped = Math.min(policy.maxMs ?? Number.POSITIVE_INFINITY, raw);
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0));
  return jitter > 0 ? capped * (1 - jitter * random()) : capped;
}

/**
 * The backoff state of a loop that schedules its own tries (a timer-driven reconnect):
 * `next()` after each failure, `reset()` after a success.
 */
export class Backoff {
  private count = 0;

  constructor(
    readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next try; counts this failure. */
  next(): number {
    this.count = Math.min(this.count + 1, 1000);
    return backoffDelay(this.policy, this.count, this.random);
  }

  /** Back to the first wait (after a success). */
  reset(): void {
    this.count = 0;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.count;
  }
}

/** Time as {@link retry} sees it; tests inject a fake one. */
export interface RetryClock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link retry}. */
export interface RetryOptions extends BackoffPolicy {
  /** Tries in all, the first included (default: no limit). */
  maxAttempts?: number;
  /**
   * Gives up instead of waiting when the wait would end more than this many ms after the
   * first try began (default: no deadline).
   */
  deadlineMs?: number;
  /** Stops the retrying: a wait under way ends at once and the last failure is thrown. */
  signal?: AbortSignal;
  /** Whether a failure is worth another try (default: every failure is). */
  retryable?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait (for a log line). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Lets a Node process exit while a wait is under way (ignored in browsers). */
  unref?: boolean;
  /** The clock (tests). */
  clock?: RetryClock;
  /** The random source of the jitter (tests). */
  random?: () => number;
}

function realClock(unref: boolean): RetryClock {
  return {
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) {
          resolve();
          return;
        }
        const onAbort = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        if (unref) (timer as { unref?: () => void }).unref?.();
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

/**
 * Runs `attempt` until it succeeds, waiting between tries as the policy says. It throws the
 * last failure when that failure is not `retryable`, when `maxAttempts` tries failed, when
 * the next wait would pass `deadlineMs`, or when `signal` aborts. The first try always runs
 * (an aborted `signal` is the try's own business, as with `fetch`).
 */
export async function retry<T>(
  attempt: (attemptNo: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const clock = options.clock ?? realClock(options.unref ?? false);
  const random = options.random ?? Math.random;
  const started = clock.now();
  for (let attemptNo = 1; ; attemptNo++) {
    try {
      return await attempt(attemptNo);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (options.retryable && !options.retryable(error, attemptNo)) throw error;
      if (options.maxAttempts !== undefined && attemptNo >= options.maxAttempts) throw error;
      const wait = backoffDelay(options, attemptNo, random);
      if (options.deadlineMs !== undefined && clock.now() - started + wait > options.deadlineMs)
        throw error;
      options.onRetry?.(error, attemptNo, wait);
      await clock.sleep(wait, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
