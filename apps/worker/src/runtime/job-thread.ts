import { pinnedAgent } from '@ktrdr/server-kit/tls-pin';
import { undiciFetch } from '@ktrdr/server-kit/undici-fetch';
import { Agent } from '@ktrdr/server-kit/undici-agent';
import { untilReachable } from '../data/until-reachable.js';
/**
 * The entry of a job's worker thread. It preloads the handler module while it waits,
 * then runs jobs one after another (the runner never sends a second before the first
 * ended), reporting back over `parentPort`. Staying alive between jobs keeps modules
 * loaded, code warm and the HTTP connection to the backend open.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  BackendClient,
  CancellationToken,
  CancelledError,
  type MetricInput,
  type ProgressUpdate,
  type SweepSetResults,
} from '@ktrdr/shared';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_ARTIFACT,
  type JobContext,
  type JobHandler,
  type JobOutcome,
  type JobPrepare,
  type Prepared,
} from './job-definition.js';
import { resultArtifact } from './result-artifact.js';

/** What the main thread passes when it creates the thread. */
export interface JobThreadData {
  handlerModule: string;
  backendUrl: string;
  backendFingerprint?: string | undefined;
  cacheDir: string;
  settings: JobContext['settings'];
}

/** Main → thread. */
export interface RunMessage {
  type: 'run';
  job: Record<string, unknown>;
  cancelBuffer: SharedArrayBuffer;
  workerId: string;
  /** The worker's credential when the job starts (what its data and model downloads use). */
  token: string;
}

/** Thread → main. */
export type ThreadMessage =
  /** `retirable`: the handler prepares nothing, so an idle thread may go and come back cheaply. */
  | { type: 'ready'; prepared: Prepared; retirable: boolean }
  | { type: 'not_ready'; message: string }
  | { type: 'progress'; update: ProgressUpdate }
  | { type: 'metrics'; rows: MetricInput[] }
  | { type: 'sets'; results: SweepSetResults }
  | { type: 'checkpoint'; bytes: Uint8Array; ref: string }
  | { type: 'result'; outcome: JobOutcome }
  | { type: 'error'; cancelled: boolean; message: string };

const PROGRESS_POST_MS = 50;

const port = parentPort;
if (!port) throw new Error('job-thread must run in a worker thread');
const data = workerData as JobThreadData;
const handlerModule = import(data.handlerModule) as Promise<{
  default: JobHandler;
  prepare?: JobPrepare;
}>;
const handlerReady = handlerModule.then(async (m) => {
  const prepared = m.prepare ? await m.prepare(data.settings) : { capabilities: {} };
  port.postMessage({ type: 'ready', prepared, retirable: !m.prepare } satisfies ThreadMessage);
  return m.default;
});
// a failure is reported now (the worker may refuse to start) and again when a job runs
handlerReady.catch((error: unknown) =>
  port.postMessage({
    type: 'not_ready',
    message: error instanceof Error ? error.message : String(error),
  } satisfies ThreadMessage),
);

// TLS mode: the thread trusts exactly the certificate the worker pinned
const pinned = data.backendFingerprint ? pinnedAgent(data.backendFingerprint) : undefined;
// the thread's own connections to the backend (bars, strategies, models), kept alive
const agent = pinned ?? new Agent({ keepAliveTimeout: 10_000, connectTimeout: 3000 });

// the results folder is made once per thread, not once per job
let resultsDir: Promise<string> | undefined;
function resultsFolder(): Promise<string> {
  const dir = join(data.cacheDir, 'results');
  resultsDir ??= mkdir(dir, { recursive: true }).then(
    () => dir,
    (error: unknown) => {
      resultsDir = undefined;
      throw error;
    },
  );
  return resultsDir;
}

port.on('message', (message: RunMessage) => {
  void run(message);
});

async function run(message: RunMessage): Promise<void> {
  const cancel = CancellationToken.fromBuffer(message.cancelBuffer);
  const backend = new BackendClient({
    baseUrl: data.backendUrl,
    token: message.token,
    timeoutMs: 120_000,
    dispatcher: agent,
    fetch: undiciFetch(agent),
  });
  const { signal, dispose } = cancel.toAbortSignal();
  let lastPost = 0;
  const ctx: JobContext = {
    cancel,
    signal,
    backend,
    cacheDir: data.cacheDir,
    settings: data.settings,
    workerId: message.workerId,
    reportMetrics(rows) {
      port!.postMessage({ type: 'metrics', rows } satisfies ThreadMessage);
    },
    reportSets(results) {
      port!.postMessage({ type: 'sets', results } satisfies ThreadMessage);
    },
    checkpoint(bytes, position) {
      const ref = `${CHECKPOINT_ARTIFACT}@${position}`;
      port!.postMessage({ type: 'checkpoint', bytes, ref } satisfies ThreadMessage, [
        bytes.buffer as ArrayBuffer,
      ]);
    },
    loadCheckpoint: () =>
      untilReachable(
        () => backend.getArtifact(String(message.job.task_id), CHECKPOINT_ARTIFACT, { signal }),
        signal,
      ),
    async resultPath(suffix) {
      const dir = await resultsFolder();
      return join(dir, `${String(message.job.task_id)}-${String(message.job.attempt)}${suffix}`);
    },
    resultArtifact(name, suffix, chunks) {
      return resultArtifact(name, chunks, () => ctx.resultPath(suffix));
    },
    reportProgress(update) {
      const now = Date.now();
      if (now - lastPost < PROGRESS_POST_MS && update.items_processed < update.items_total) return;
      lastPost = now;
      port!.postMessage({ type: 'progress', update } satisfies ThreadMessage);
    },
  };
  try {
    const handler = await handlerReady;
    const outcome = await handler(message.job, ctx);
    port!.postMessage({ type: 'result', outcome } satisfies ThreadMessage);
  } catch (error) {
    const cancelled = error instanceof CancelledError || cancel.isCancelled;
    port!.postMessage({
      type: 'error',
      cancelled,
      message: error instanceof Error ? error.message : String(error),
    } satisfies ThreadMessage);
  } finally {
    dispose();
  }
}
