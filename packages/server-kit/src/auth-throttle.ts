/** How a service slows down clients that keep sending wrong tokens. */
export interface AuthThrottleOptions {
  /** Wrong tokens from one address allowed within the window before answers slow down. */
  freeFailures: number;
  windowMs: number;
  /** The delay of the first slowed answer; it doubles with every further failure, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

/** The defaults: 10 free wrong tokens a minute, then 0.5 s, 1 s, 2 s… up to 5 s per answer. */
export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = {
  freeFailures: 10,
  windowMs: 60_000,
  firstDelayMs: 500,
  maxDelayMs: 5_000,
};

/**
 * Counts wrong tokens per client address and says how long to hold the next 401, so that
 * guessing a token costs seconds per try instead of microseconds. A right token is never
 * delayed (a typo does not lock anyone out), and a missing token does not count: only a
 * wrong guess does. Memory stays bounded: old windows are dropped as they expire.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, { since: number; count: number }>();

  constructor(
    private readonly options: AuthThrottleOptions = DEFAULT_AUTH_THROTTLE,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Records a wrong token from `address`; returns the delay (ms) to hold its answer. */
  failed(address: string): number {
    const now = this.now();
    if (this.failures.size > 10_000) this.prune(now);
    let entry = this.failures.get(address);
    if (!entry || now - entry.since > this.options.windowMs) {
      entry = { since: now, count: 0 };
      this.failures.set(address, entry);
    }
    entry.count += 1;
    const over = entry.count - this.options.freeFailures;
    if (over <= 0) return 0;
    return Math.min(this.options.maxDelayMs, this.options.firstDelayMs * 2 ** (over - 1));
  }

  private prune(now: number): void {
    for (const [address, entry] of this.failures)
      if (now - entry.since > this.options.windowMs) this.failures.delete(address);
  }
}
