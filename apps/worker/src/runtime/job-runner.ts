import { Worker as Thread } from 'node:worker_threads';
import { CancellationToken, ProgressTracker, type Heartbeat, type Operation } from '@ktrdr/shared';
import { AppError, NotFoundError } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { BackendLink } from './backend-link.js';
import type { ArtifactFile, JobContext, Prepared, WorkerJobDefinition } from './job-definition.js';
import type { JobThreadData, RunMessage, ThreadMessage } from './job-thread.js';
import type { LocalOperations } from './local-operations.js';
import { workerModule } from './module-url.js';

const THREAD_ENTRY = workerModule('runtime/job-thread');

/** Settings of the runner. */
export interface JobRunnerOptions {
  backendUrl: string;
  /** Pinned certificate of an https backend (TLS mode). */
  backendFingerprint?: string | undefined;
  /** The worker's credential now (it changes when the worker registers again). */
  token: () => string;
  cacheDir: string;
  cancelDeadlineMs: number;
  settings: JobContext['settings'];
  workerId: () => string;
  /**
   * How long an idle thread of a kind that prepares nothing (backtests) is kept before it
   * is stopped (default {@link IDLE_THREAD_MS}); the next job of its kind starts a fresh one.
   */
  idleThreadMs?: number;
}

/**
 * An idle worker holds no job thread (each is a V8 isolate with the handler's modules,
 * ~50 MiB): back-to-back jobs share one warm thread, and a thread idle this long goes.
 */
export const IDLE_THREAD_MS = 5000;

interface RunningJob {
  id: string;
  attempt: number;
  definition: WorkerJobDefinition;
  thread: Thread;
  cancel: CancellationToken;
  tracker: ProgressTracker;
  /** Set when the job ended (however). */
  ended: boolean;
  done: Promise<void>;
  resolveDone: () => void;
  /** Why it is being stopped, when it is. */
  stopReason?: { status: 'cancelled' | 'failed'; message: string; report: boolean };
  forceTimer?: ReturnType<typeof setTimeout>;
}

/**
 * Runs one job at a time in a worker thread, so `/health` and cancel answer at once while
 * the CPU is busy. The thread of each job type is started ahead of the first job and kept
 * between jobs (modules loaded, code warm, connection open): starting a job is one
 * message. Cancellation sets a shared-memory flag the job polls; a job that ignores it
 * past the deadline has its thread terminated (and replaced) and still ends `cancelled`.
 */
export class JobRunner {
  private current: RunningJob | undefined;
  /** The idle thread of each job type. */
  private readonly idle = new Map<WorkerJobDefinition, Thread>();
  /** Kinds whose threads may be stopped when idle (their handler prepares nothing). */
  private readonly retirable = new Set<WorkerJobDefinition>();
  /** When each idle thread is stopped. */
  private readonly retireTimers = new Map<Thread, ReturnType<typeof setTimeout>>();
  private accepting = true;

  constructor(
    private readonly options: JobRunnerOptions,
    private readonly local: LocalOperations,
    private readonly link: BackendLink,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** What the heartbeat says. */
  state(): Heartbeat {
    return this.current
      ? {
          worker_status: 'busy',
          current_operation_id: this.current.id,
          current_attempt: this.current.attempt,
        }
      : { worker_status: 'idle', current_operation_id: null, current_attempt: null };
  }

  /** Whether a job would start now: none runs and the worker is not shutting down. */
  get isFree(): boolean {
    return this.accepting && !this.current;
  }

  /** The operation running now, if any. */
  get currentOperationId(): string | null {
    return this.current?.id ?? null;
  }

  /** Whether a warm thread of this job type waits for work now. */
  hasIdleThread(definition: WorkerJobDefinition): boolean {
    return this.idle.has(definition);
  }

  /** Starts the thread of a job type ahead of its first job. */
  prewarm(definition: WorkerJobDefinition): void {
    if (this.accepting && !this.idle.has(definition))
      this.idle.set(definition, this.spawn(definition));
  }

  /**
   * Starts the thread of a job type and waits until its handler module is loaded and
   * prepared; resolves with the capabilities it reports (e.g. the training backend).
   */
  prepare(definition: WorkerJobDefinition): Promise<Prepared> {
    this.prewarm(definition);
    const thread = this.idle.get(definition);
    if (!thread) return Promise.resolve({ capabilities: {} });
    return new Promise((resolve, reject) => {
      const onMessage = (message: ThreadMessage) => {
        if (message.type === 'ready') {
          thread.off('message', onMessage);
          resolve(message.prepared);
        } else if (message.type === 'not_ready') {
          thread.off('message', onMessage);
          reject(new Error(message.message));
        }
      };
      thread.on('message', onMessage);
      thread.once('error', reject);
    });
  }

  private spawn(definition: WorkerJobDefinition): Thread {
    const data: JobThreadData = {
      handlerModule: definition.handlerModule.href,
      backendUrl: this.options.backendUrl,
      backendFingerprint: this.options.backendFingerprint,
      cacheDir: this.options.cacheDir,
      settings: this.options.settings,
    };
    const thread = THREAD_ENTRY.pathname.endsWith('.ts')
      ? // running from source under tsx (tests): its loader hooks do not reach worker threads on
        // Node 20, so the thread registers them itself before importing its TypeScript entry
        new Thread(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(THREAD_ENTRY.href)}); });`,
          { eval: true, workerData: data },
        )
      : new Thread(THREAD_ENTRY, { workerData: data });
    thread.unref();
    // an idle thread that dies is simply replaced on the next job
    thread.on('error', () => {
      if (this.idle.get(definition) === thread) this.idle.delete(definition);
    });
    // the thread's first message; a prewarmed thread that is still idle then starts its clock
    const onReady = (message: ThreadMessage) => {
      if (message.type !== 'ready' && message.type !== 'not_ready') return;
      thread.off('message', onReady);
      if (message.type === 'ready' && message.retirable) this.retirable.add(definition);
      if (this.idle.get(definition) === thread) this.retireWhenIdle(definition, thread);
    };
    thread.on('message', onReady);
    return thread;
  }

  /** Stops `thread` once it has been the idle thread of its kind for `idleThreadMs`. */
  private retireWhenIdle(definition: WorkerJobDefinition, thread: Thread): void {
    if (!this.retirable.has(definition) || this.retireTimers.has(thread)) return;
    const timer = setTimeout(() => {
      this.retireTimers.delete(thread);
      if (this.idle.get(definition) !== thread) return;
      this.idle.delete(definition);
      void thread.terminate();
    }, this.options.idleThreadMs ?? IDLE_THREAD_MS);
    timer.unref();
    this.retireTimers.set(thread, timer);
  }

  private keepThread(thread: Thread): void {
    const timer = this.retireTimers.get(thread);
    if (timer) clearTimeout(timer);
    this.retireTimers.delete(thread);
  }

  /** Starts a job; 503 `WORKER_BUSY` when one is running or the worker is shutting down. */
  start(
    definition: WorkerJobDefinition,
    job: Record<string, unknown> & { task_id: string; attempt: number },
  ): Operation {
    if (!this.accepting)
      throw new AppError('WORKER_BUSY', 'this worker is shutting down and takes no new work');
    if (this.current) {
      throw new AppError(
        'WORKER_BUSY',
        `this worker is running ${this.current.id}; one operation at a time`,
        {
          current_operation_id: this.current.id,
        },
      );
    }
    const id = job.task_id;
    const attempt = job.attempt;
    const op = this.local.start(id, definition.operationType, attempt, definition.describe(job));
    const thread = this.idle.get(definition) ?? this.spawn(definition);
    this.idle.delete(definition);
    this.keepThread(thread);
    thread.ref();
    thread.removeAllListeners('error');
    let resolveDone!: () => void;
    const running: RunningJob = {
      id,
      attempt,
      definition,
      thread,
      cancel: CancellationToken.create(),
      tracker: new ProgressTracker(),
      ended: false,
      done: new Promise<void>((resolve) => (resolveDone = resolve)),
      resolveDone: () => resolveDone(),
    };
    this.current = running;
    thread.on('message', (message: ThreadMessage) => this.onMessage(running, message));
    // a crashed thread is not reused: end() terminates it and starts a fresh one
    thread.on('error', (error) =>
      this.end(running, 'failed', { error: `the job crashed: ${error.message}` }, true, false),
    );
    thread.on('exit', (code) => {
      if (!running.ended) {
        this.end(
          running,
          'failed',
          { error: `the job's thread exited unexpectedly (code ${code})` },
          true,
          false,
        );
      }
    });
    thread.postMessage({
      type: 'run',
      job,
      cancelBuffer: running.cancel.buffer as SharedArrayBuffer,
      workerId: this.options.workerId(),
      token: this.options.token(),
    } satisfies RunMessage);
    return op;
  }

  private onMessage(job: RunningJob, message: ThreadMessage): void {
    if (job.ended) return;
    switch (message.type) {
      case 'progress': {
        const progress = job.tracker.update(message.update);
        this.local.progress(job.id, progress);
        if (!job.cancel.isCancelled) this.link.reportProgress(job.id, job.attempt, progress);
        break;
      }
      case 'metrics':
        if (!job.cancel.isCancelled) this.link.reportMetrics(job.id, job.attempt, message.rows);
        break;
      case 'sets':
        // sets that finished count even when a cancel is on its way: they ran
        this.link.reportSets(job.id, job.attempt, message.results);
        break;
      case 'ready':
      case 'not_ready':
        // a fresh thread finished loading while its first job was queued behind it
        break;
      case 'checkpoint':
        if (!job.cancel.isCancelled)
          this.link.saveCheckpoint(job.id, job.attempt, message.bytes, message.ref);
        break;
      case 'result':
        this.end(job, 'completed', {
          summary: message.outcome.summary,
          artifacts: message.outcome.artifacts,
        });
        break;
      case 'error':
        if (message.cancelled || job.stopReason) {
          const reason = job.stopReason ?? {
            status: 'cancelled' as const,
            message: 'cancelled',
            report: true,
          };
          this.end(job, reason.status, { error: reason.message }, reason.report);
        } else {
          this.end(job, 'failed', { error: message.message });
        }
        break;
    }
  }

  private end(
    job: RunningJob,
    status: 'completed' | 'failed' | 'cancelled',
    details: {
      error?: string;
      summary?: Record<string, unknown>;
      artifacts?: ArtifactFile[] | undefined;
    },
    report = true,
    /** False when the thread is gone or stuck: it is terminated and a fresh one started. */
    reusable = true,
  ): void {
    if (job.ended) return;
    job.ended = true;
    if (job.forceTimer) clearTimeout(job.forceTimer);
    this.local.finish(job.id, status, {
      ...(details.error ? { error: details.error } : {}),
      ...(details.summary ? { summary: details.summary } : {}),
    });
    if (report) {
      const progress = this.local.get(job.id)?.progress;
      this.link.finalize({
        operation_id: job.id,
        attempt: job.attempt,
        status,
        ...(progress ? { progress } : {}),
        ...(details.error ? { error: details.error } : {}),
        ...(details.summary ? { summary: details.summary } : {}),
        ...(details.artifacts ? { artifacts: details.artifacts } : {}),
      });
    }
    this.log.info({ operation_id: job.id, status }, 'job ended');
    if (this.current === job) this.current = undefined;
    job.thread.removeAllListeners('message');
    job.thread.removeAllListeners('exit');
    job.thread.removeAllListeners('error');
    if (reusable && this.accepting && !this.idle.has(job.definition)) {
      job.thread.unref();
      job.thread.on(
        'error',
        () => this.idle.get(job.definition) === job.thread && this.idle.delete(job.definition),
      );
      this.idle.set(job.definition, job.thread);
      this.retireWhenIdle(job.definition, job.thread);
    } else {
      void job.thread.terminate();
      this.prewarm(job.definition);
    }
    job.resolveDone();
  }

  /**
   * Stops a running job: the flag first, the thread after `cancelDeadlineMs`. Resolves
   * with the local record once it has stopped.
   */
  async cancel(
    id: string,
    reason = 'cancelled',
    options: { status?: 'cancelled' | 'failed'; report?: boolean } = {},
  ): Promise<Operation> {
    const job = this.current;
    if (!job || job.id !== id) {
      const known = this.local.get(id);
      if (known) return known;
      throw new NotFoundError('operation', id);
    }
    job.stopReason ??= {
      status: options.status ?? 'cancelled',
      message: reason,
      report: options.report ?? true,
    };
    job.cancel.cancel();
    job.forceTimer ??= setTimeout(() => {
      const stop = job.stopReason ?? {
        status: 'cancelled' as const,
        message: reason,
        report: true,
      };
      this.log.warn(
        { operation_id: id },
        `job ignored cancel for ${this.options.cancelDeadlineMs} ms: terminating its thread`,
      );
      this.end(
        job,
        stop.status,
        {
          error: `${stop.message} (stopped by force after ${this.options.cancelDeadlineMs / 1000} s)`,
        },
        stop.report,
        // the thread is stuck in the old job: handed the next one, it would report the old
        // job's end (its cancellation) as the new one's
        false,
      );
    }, this.options.cancelDeadlineMs);
    await job.done;
    return this.local.get(id) as Operation;
  }

  /** The backend moved on from these operations: stop them without reporting. */
  drop(drops: readonly { id: string; attempt?: number }[]): void {
    for (const { id, attempt } of drops) {
      // only the attempt the backend moved on from: the same operation may be back here
      // under its next attempt already
      if (this.current?.id === id && (attempt === undefined || this.current.attempt === attempt)) {
        this.log.warn({ operation_id: id }, 'backend says this operation moved on: dropping it');
        void this.cancel(id, 'dropped: the backend moved on', { report: false });
      }
    }
  }

  /** Stops accepting work; waits up to `graceMs` for the running job, then stops it. */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
    const job = this.current;
    if (job) {
      const finished = await Promise.race([
        job.done.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref()),
      ]);
      if (!finished)
        await this.cancel(job.id, 'the worker shut down before the job finished', {
          status: 'failed',
        });
    }
    for (const thread of this.idle.values()) void thread.terminate();
    this.idle.clear();
    for (const timer of this.retireTimers.values()) clearTimeout(timer);
    this.retireTimers.clear();
  }
}
