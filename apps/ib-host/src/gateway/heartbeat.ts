import { IbTimeoutError } from '../errors.js';
import type { IbSession } from './ib-session.js';

/**
 * Asks an idle session for IB's current time every `everyMs`: a gateway that stops
 * answering without closing its socket would otherwise look connected forever. `silent` hears of each unanswered check; other failures are the request paths'
 * business. Returns the timer (unref'd: it never holds the process up), or undefined when
 * `everyMs` is 0 or less (no heartbeat).
 */
export function startHeartbeat(
  session: IbSession,
  everyMs: number,
  silent: (error: IbTimeoutError) => void,
): NodeJS.Timeout | undefined {
  if (everyMs <= 0) return undefined;
  const timer = setInterval(() => {
    session
      .track(session.ib.getCurrentTime(), {
        timeoutMs: Math.min(10_000, everyMs),
        what: 'the heartbeat (current time)',
      })
      .catch((error: unknown) => {
        if (error instanceof IbTimeoutError) silent(error);
      });
  }, everyMs);
  timer.unref();
  return timer;
}
