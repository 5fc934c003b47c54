import type { Progress } from './contracts/operations.js';

/** Progress before anything happened. */
export function initialProgress(step = 'queued'): Progress {
  return {
    percentage: 0,
    current_step: step,
    steps_completed: 0,
    steps_total: 0,
    items_processed: 0,
    items_total: 0,
    eta_seconds: null,
    context: {},
  };
}

/** What a job knows at one moment; {@link ProgressTracker} fills in percentage and ETA. */
export interface ProgressUpdate {
  current_step: string;
  items_processed: number;
  items_total: number;
  steps_completed?: number;
  steps_total?: number;
  context?: Record<string, unknown>;
}

/**
 * Turns raw counts into a {@link Progress}: percentage from items, ETA from the observed
 * rate since the tracker started (so a resumed job's ETA reflects its own pace).
 */
export class ProgressTracker {
  private readonly startedAt: number;
  private startItems: number | undefined;

  constructor(private readonly now: () => number = () => Date.now()) {
    this.startedAt = now();
  }

  /** Computes the full progress object for `update`. */
  update(update: ProgressUpdate): Progress {
    const total = Math.max(0, update.items_total);
    const done = Math.min(Math.max(0, update.items_processed), total || Infinity);
    this.startItems ??= done;
    const percentage = total > 0 ? Math.min(100, (done / total) * 100) : 0;
    const elapsedSeconds = (this.now() - this.startedAt) / 1000;
    const doneHere = done - this.startItems;
    const rate = elapsedSeconds > 0 ? doneHere / elapsedSeconds : 0;
    const eta = rate > 0 && total > 0 ? Math.max(0, (total - done) / rate) : null;
    return {
      percentage: Math.round(percentage * 100) / 100,
      current_step: update.current_step,
      steps_completed: update.steps_completed ?? 0,
      steps_total: update.steps_total ?? 0,
      items_processed: done,
      items_total: total,
      eta_seconds: eta === null ? null : Math.round(eta * 10) / 10,
      context: update.context ?? {},
    };
  }
}

/**
 * Keeps only the latest value and emits it at most once per `intervalMs`, with a trailing
 * emit so the last value is never lost. `flush()` emits a pending value at once. With
 * `leading: false` the first value waits a whole interval too (what is superseded or
 * cancelled by then is never sent).
 */
export class LatestValueThrottle<T> {
  private pending: { value: T } | undefined;
  private lastEmit = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (value: T) => void,
    private readonly now: () => number = () => Date.now(),
    options: { leading?: boolean } = {},
  ) {
    if (options.leading === false) this.lastEmit = this.now();
  }

  /** Offers a value; it is emitted now or at the end of the current interval. */
  push(value: T): void {
    this.pending = { value };
    const wait = this.lastEmit + this.intervalMs - this.now();
    if (wait <= 0) {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
    }
  }

  /** Emits the pending value, if any, right now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.lastEmit = this.now();
    this.emit(pending.value);
  }

  /** Drops any pending value and stops the timer. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
