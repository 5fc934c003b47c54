import { RollingSeconds } from './rolling-seconds.js';

/** How far back the activity figures look: 10 minutes. */
export const ACTIVITY_WINDOW_SECONDS = 600;
/** How far back the cluster's per-second throughput looks: 1 minute. */
export const THROUGHPUT_RATE_SECONDS = 60;

/** One worker's figures over its window. */
export interface WorkerActivityFigures {
  /** Busy time ÷ the window, 0..1 (a job still running counts its time so far). */
  busy_fraction: number;
  /** Jobs completed in the window, per minute of the window. */
  completed_per_minute: number;
  /** Items (e.g. a sweep shard's parameter sets) reported done, per minute of the window. */
  items_per_minute: number;
  /** What the figures cover: the last 10 minutes, or since the worker registered if that is shorter. */
  window_seconds: number;
}

/** The cluster's throughput. */
export interface ClusterThroughput {
  /** Operations completed on workers per minute, over `window_seconds`. */
  completed_per_minute: number;
  /** Operations completed on workers per second, over the last minute (or since the backend started). */
  completed_per_second: number;
  /** What `completed_per_minute` covers: the last 10 minutes, or since the backend started. */
  window_seconds: number;
}

/** A job a worker is running now, for its time so far. */
export interface RunningJob {
  startedAtMs: number;
}

/**
 * Where a window of `seconds` starts at `nowMs`: it holds the last `seconds` whole seconds
 * and the current one so far (`seconds + 1` buckets), so it is never shorter than `seconds`
 * and never mixes in part of a bucket.
 */
function windowStart(nowMs: number, seconds: number): number {
  return (Math.floor(nowMs / 1000) - seconds) * 1000;
}

/** The bucket ring behind a window of `seconds`. */
const ring = (seconds: number) => new RollingSeconds(seconds + 1);

interface WorkerWindow {
  busyMs: RollingSeconds;
  completed: RollingSeconds;
  /** Made on the first `recordItems`: most workers never report items. */
  items: RollingSeconds | null;
}

/**
 * The rolling record of what each worker did over the last 10 minutes — busy milliseconds
 * and jobs completed, in per-second buckets — and of the cluster's completions. Recording a
 * job is O(1) (O(seconds it spanned) when it ran longer than a second, bounded by the
 * window); reading sums the buckets. Knows nothing of operations: {@link WorkerActivity}
 * feeds it.
 */
export class ActivityTracker {
  private readonly workers = new Map<string, WorkerWindow>();
  private readonly clusterCompleted = ring(ACTIVITY_WINDOW_SECONDS);
  private readonly startedAtMs: number;

  constructor(private readonly now: () => number = () => Date.now()) {
    this.startedAtMs = now();
  }

  private window(workerId: string): WorkerWindow {
    let w = this.workers.get(workerId);
    if (!w) {
      w = {
        busyMs: ring(ACTIVITY_WINDOW_SECONDS),
        completed: ring(ACTIVITY_WINDOW_SECONDS),
        items: null,
      };
      this.workers.set(workerId, w);
    }
    return w;
  }

  /**
   * A job that ran on `workerId` from `startedAtMs` ended now: its time counts as busy, and
   * it counts as a completed job (here and for the cluster) when `completed`.
   */
  jobEnded(workerId: string, startedAtMs: number, completed: boolean): void {
    const now = this.now();
    const w = this.window(workerId);
    w.busyMs.addSpan(Math.min(startedAtMs, now), now);
    if (completed) {
      w.completed.add(now, 1);
      this.clusterCompleted.add(now, 1);
    }
  }

  /**
   * `n` items of a job done on `workerId` (a sweep shard's parameter sets): reported as
   * `items_per_minute`. Not wired yet; a shard's batch report can call it.
   */
  recordItems(workerId: string, n: number): void {
    if (!(n > 0)) return;
    const w = this.window(workerId);
    w.items ??= ring(ACTIVITY_WINDOW_SECONDS);
    w.items.add(this.now(), n);
  }

  /** A worker left the roster: its record goes (a worker of the same id starts afresh). */
  forget(workerId: string): void {
    this.workers.delete(workerId);
  }

  /** The worker ids with a record (for tests and pruning). */
  known(): string[] {
    return [...this.workers.keys()];
  }

  /**
   * A worker's figures: over the last 10 minutes, or since `registeredAtMs` when that is
   * later; `running` is the job it holds now, whose time so far counts as busy.
   */
  figures(
    workerId: string,
    registeredAtMs: number,
    running: RunningJob | null = null,
  ): WorkerActivityFigures {
    const now = this.now();
    const w = this.workers.get(workerId);
    const from = Math.max(windowStart(now, ACTIVITY_WINDOW_SECONDS), registeredAtMs);
    // at least a second, so a worker that registered a moment ago gets no absurd rates
    const spanMs = Math.max(1000, now - from);
    // only the buckets from the window's first second on: a job reported after a
    // re-registration (it ran while the backend was away) counts from then, not before
    const seconds = Math.floor(now / 1000) - Math.floor(from / 1000) + 1;
    let busy = w ? w.busyMs.sum(now, seconds) : 0;
    if (running) busy += Math.max(0, now - Math.max(running.startedAtMs, from));
    const perMinute = (count: number) => count / (spanMs / 60_000);
    return {
      busy_fraction: Math.min(1, busy / spanMs),
      completed_per_minute: w ? perMinute(w.completed.sum(now, seconds)) : 0,
      items_per_minute: w?.items ? perMinute(w.items.sum(now, seconds)) : 0,
      window_seconds: spanMs / 1000,
    };
  }

  /** The cluster's completions per minute (10 minutes) and per second (the last minute). */
  throughput(): ClusterThroughput {
    const now = this.now();
    const span = (seconds: number) =>
      Math.max(1000, now - Math.max(this.startedAtMs, windowStart(now, seconds)));
    const windowMs = span(ACTIVITY_WINDOW_SECONDS);
    const rateMs = span(THROUGHPUT_RATE_SECONDS);
    return {
      completed_per_minute: this.clusterCompleted.sum(now) / (windowMs / 60_000),
      completed_per_second:
        this.clusterCompleted.sum(now, THROUGHPUT_RATE_SECONDS + 1) / (rateMs / 1000),
      window_seconds: windowMs / 1000,
    };
  }
}
