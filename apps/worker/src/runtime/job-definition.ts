import type {
  AnyJobKind,
  CancellationToken,
  BackendClient,
  DispatchedJobOf,
  MetricInput,
  OperationType,
  ProgressUpdate,
  SweepSetResults,
  WorkerCapabilities,
  WorkerType,
} from '@ktrdr/shared';
import type { TSchema } from 'typebox';

/**
 * One kind of job a worker runs: made by {@link workerJobOf} from the kind's descriptor in
 * `shared` (operation type, worker type, start route, job schema) and its handler module —
 * the runtime provides the start route, the thread, progress, cancellation and reporting.
 */
export interface WorkerJobDefinition {
  workerType: WorkerType;
  /** The kind's operation type (an extra kind's is outside the built-in enum, a plain string on the wire). */
  operationType: OperationType;
  /** The route the backend POSTs the job to. */
  startPath: string;
  /** The job body's schema (it carries `task_id` and `attempt`). */
  requestSchema: TSchema;
  /** The module, run in a worker thread, whose default export is a {@link JobHandler}. */
  handlerModule: URL;
  /**
   * Whether the handler module exports a {@link JobPrepare}: its thread then starts before
   * the worker registers. Without one (false) the thread starts with the kind's first job,
   * and an idle worker holds none (~10 MiB of resident memory stays behind a thread that
   * started and stopped).
   */
  prepares: boolean;
  /** Metadata kept on the worker's local record of the operation. */
  describe(job: Record<string, unknown>): Record<string, unknown>;
}

/** Worker settings a handler may honour. */
export interface JobSettings {
  throttleBarsPerSecond?: number | undefined;
  /** Save a checkpoint at most this often (seconds). */
  checkpointSeconds: number;
  /** Which TensorFlow.js backend training uses (`auto` = the fastest that loads). */
  trainingBackend: string;
}

/** What a handler gets besides its job. */
export interface JobContext {
  /** Set when the job is cancelled; check it in loops (`throwIfCancelled`) at least every 1,000 items. */
  cancel: CancellationToken;
  /** The same, as an AbortSignal for async I/O. */
  signal: AbortSignal;
  /** Reports progress; the runtime adds percentage and ETA and throttles what reaches the backend. */
  reportProgress(update: ProgressUpdate): void;
  /** A client of the backend (data, strategies, models), with this worker's credentials. */
  backend: BackendClient;
  /** A folder for caches and results that outlive the job. */
  cacheDir: string;
  /** Worker settings a handler may honour. */
  settings: JobSettings;
  /** This worker's id (uploads name it with the job's attempt). */
  workerId: string;
  /** Sends per-step metric rows (training epochs), in order; the backend numbers them. */
  reportMetrics(rows: MetricInput[]): void;
  /** Sends a sweep shard's finished sets (in order with metric rows; the final report waits for them). */
  reportSets(results: SweepSetResults): void;
  /**
   * Saves a checkpoint (uploaded to the backend as {@link CHECKPOINT_ARTIFACT}; the bytes
   * are handed over, not copied). `position` says where it stands (`120000`, `epoch3`):
   * the operation's `checkpoint_ref` becomes `checkpoint.bin@<position>`.
   */
  checkpoint(bytes: Uint8Array, position: string): void;
  /** The checkpoint this job resumes from (when the job carries a `checkpoint_ref`). */
  loadCheckpoint(): Promise<Uint8Array>;
  /** A path in the cache dir for a result file of this attempt (`suffix` e.g. `-full.json`). */
  resultPath(suffix: string): Promise<string>;
  /**
   * A result artifact from its chunks: held in memory while small, else written to the
   * file {@link resultPath}`(suffix)` names as the chunks come.
   */
  resultArtifact(
    name: string,
    suffix: string,
    chunks: Iterable<string | Uint8Array>,
  ): Promise<ArtifactFile>;
}

/** The artifact every job's checkpoint is saved as. */
export const CHECKPOINT_ARTIFACT = 'checkpoint.bin';

/** A file a job leaves for the backend: on disk, or (a small one) in memory. */
export type ArtifactFile =
  | {
      /** Artifact name, e.g. `result.json`. */
      name: string;
      /** The file in the cache dir (deleted once uploaded). */
      path: string;
    }
  | {
      name: string;
      /** The content itself (see {@link JobContext.resultArtifact}). */
      bytes: Uint8Array;
    };

/** What a handler returns: a short summary, and the files to upload (e.g. `result.json`). */
export interface JobOutcome {
  summary: Record<string, unknown>;
  artifacts?: ArtifactFile[];
}

/**
 * A job handler: runs in a worker thread, never on the worker's event loop. `J` is the job
 * body (`DispatchedJobOf<typeof myKind>`): the start route validated it against the kind's
 * job schema before the handler sees it.
 */
export type JobHandler<J = Record<string, unknown>> = (
  job: J,
  ctx: JobContext,
) => Promise<JobOutcome>;

/**
 * The worker job of a kind: route, schema and types from its descriptor, run by the default
 * export of `handlerModule` (a {@link JobHandler}) in a worker thread. `describe` picks what
 * the worker's own record of an operation shows as metadata.
 */
export function workerJobOf<D extends AnyJobKind>(
  kind: D,
  handlerModule: URL,
  describe: (job: DispatchedJobOf<D>) => Record<string, unknown> = () => ({}),
  options: { prepares?: boolean } = {},
): WorkerJobDefinition {
  const workerType = kind.runsOn;
  if (workerType === 'backend' || kind.workerStartPath === null)
    throw new Error(`job kind ${kind.operationType} does not run on workers`);
  return {
    workerType,
    operationType: kind.operationType as OperationType,
    startPath: kind.workerStartPath,
    requestSchema: kind.schemas.job,
    handlerModule,
    // unknown (an extra kind's module): its thread starts at start-up, and says
    prepares: options.prepares ?? true,
    // the start route validated the body against the kind's job schema
    describe: (job) => describe(job as DispatchedJobOf<D>),
  };
}

/**
 * A handler module may also export `prepare`: run once when its thread starts, before
 * the worker registers, it loads what jobs need (the training backend) and returns the
 * capabilities that depend on it (`gpu`, `gpu_name`, `training_backend`).
 */
export type JobPrepare = (settings: JobSettings) => Promise<Prepared>;

/** What `prepare` found: capabilities for the registration, and lines for the log. */
export interface Prepared {
  capabilities: Partial<WorkerCapabilities>;
  notes?: string[];
}
