/**
 * Gives back the young generation V8 grew during start-up, once the process has gone quiet.
 *
 * Loading modules allocates tens of MiB that survive, and V8 doubles its new space (two
 * semi-spaces, 1 → 16 MiB each) as survivors pile up: after start-up it holds 32 MiB, most of
 * it resident, while an idle process uses well under 1 MiB of it. V8 shrinks it only in a GC
 * that finds the allocation rate since the previous GC (over at least 5 s) under ~1 MB/s, and
 * an idle process runs no GC: its memory reducer, which would start one, judges the rate by
 * the GCs it has seen (start-up's) and waits for its 100 s watchdog. One GC (`vm.measureMemory`
 * in eager mode: a public API, no `--expose-gc`) after 5 s of quiet shrinks the new space to
 * 1 MiB: ~25–30 MiB less resident memory for the idle backend and worker (2026-12-02). Under
 * load the new space grows back as it did at start-up, and a GC under load never shrinks it.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { measureMemory } from 'node:vm';

export interface YoungGenerationOptions {
  /** How long without a GC before the collection that shrinks (V8 looks back 5 s). */
  quietMs?: number;
  /** Collections run at most. */
  attempts?: number;
  /** Stops waiting for a quiet moment after this long (V8's own watchdog takes over). */
  giveUpMs?: number;
}

const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');

/** The new space's size in bytes (both semi-spaces). */
export function newSpaceSize(): number {
  return newSpace()?.space_size ?? 0;
}

/** A new space no larger than this has nothing worth a GC to give back. */
const SMALL_NEW_SPACE = 2 * 1024 * 1024;
/**
 * Bytes per ms in the new space since the last GC that may keep V8 from shrinking: its limit
 * is 1,000 for all allocation, the old generation's included (what the new space shows is
 * only part of it: 600 failed, 2026-12-02).
 */
const BUSY_RATE = 300;
/** New-space growth in a second under which a burst is over. */
const SETTLED = 256 * 1024;

/** One full GC, without the one-time ExperimentalWarning `vm.measureMemory` prints. */
async function collectGarbage(): Promise<void> {
  const descriptor = Object.getOwnPropertyDescriptor(process, 'emitWarning');
  const emitWarning = process.emitWarning.bind(process) as (
    w: string | Error,
    ...r: unknown[]
  ) => void;
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    if (!String(warning).includes('vm.measureMemory')) emitWarning(warning, ...rest);
  };
  let measuring: Promise<unknown>;
  try {
    measuring = measureMemory({ mode: 'summary', execution: 'eager' });
  } finally {
    if (descriptor) Object.defineProperty(process, 'emitWarning', descriptor);
  }
  await measuring;
}

/**
 * Shrinks the new space once the process is quiet: one GC after `quietMs` without one. A
 * burst of allocation after the last GC (a worker's registration: more in the new space than
 * V8's rate allows over `quietMs`) would keep that GC from shrinking, so then one GC runs
 * once the burst is over (checked each second), to start the quiet period afresh. Stops once the new space is small, after `attempts` collections or
 * after `giveUpMs`. Timers are unref'd; the returned function stops it all.
 */
export function releaseYoungGenerationWhenQuiet(options: YoungGenerationOptions = {}): () => void {
  const quietMs = options.quietMs ?? 5500;
  let attempts = options.attempts ?? 4;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let lastGc = performance.now();
  /** Our own collection's span (its GC entries are not the process's activity). */
  let ours = { from: Infinity, to: Infinity };
  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(check, Math.max(0, ms));
    timer.unref();
  };
  const observer = new PerformanceObserver((list) => {
    const span = ours;
    const foreign = list
      .getEntries()
      .filter((e) => e.startTime < span.from || e.startTime > span.to);
    if (foreign.length === 0) return;
    lastGc = performance.now();
    schedule(1000);
  });
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    clearTimeout(deadline);
    observer.disconnect();
  };
  const collect = async () => {
    if (newSpaceSize() <= SMALL_NEW_SPACE) return stop();
    const span = { from: performance.now(), to: Infinity };
    ours = span;
    try {
      await collectGarbage();
    } catch {
      return stop();
    } finally {
      span.to = performance.now();
    }
    lastGc = performance.now();
    if (newSpaceSize() <= SMALL_NEW_SPACE || --attempts <= 0) stop();
    else schedule(quietMs);
  };
  let lastYoung = 0;
  function check() {
    const quiet = performance.now() - lastGc;
    // at least this much was allocated since the last GC (less survived it)
    const young = newSpace()?.space_used_size ?? 0;
    const growing = young - lastYoung > SETTLED;
    lastYoung = young;
    if (young > BUSY_RATE * quietMs) {
      // too much since the last GC for this quiet period to count: once the burst is
      // over, a GC starts a fresh one
      if (growing) schedule(1000);
      else void collect();
    } else if (quiet >= quietMs) void collect();
    else schedule(Math.min(1000, quietMs - quiet));
  }
  const deadline = setTimeout(stop, options.giveUpMs ?? 120_000);
  deadline.unref();
  observer.observe({ entryTypes: ['gc'] });
  schedule(1000);
  return stop;
}
