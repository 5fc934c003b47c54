import type { Static, TSchema } from 'typebox';
import type { OperationStatus, WorkerType } from '../contracts/enums.js';

/**
 * Where operations of a kind run: on workers of a type, or in the backend itself (I/O and
 * orchestration — data downloads, sweeps — never computation).
 */
export type JobKindRunsOn = WorkerType | 'backend';

/** One series a job reads. */
export interface SeriesScope {
  symbol: string;
  timeframe: string;
}

/**
 * What a job reads from the backend: the series, models and strategies a worker
 * credential may fetch while it runs the job (nothing else).
 */
export interface CredentialScope {
  series: readonly SeriesScope[];
  /** Models it reads (by id). */
  models: readonly string[];
  /** Strategy versions it fetches by reference (`GET /strategies/{name}?hash=`). */
  strategies: readonly { name: string; hash: string }[];
  /** Models it stores (`PUT /models/{id}`): training's own. */
  writesModels: readonly string[];
}

/** A scope that reaches nothing. */
export const EMPTY_SCOPE: CredentialScope = {
  series: [],
  models: [],
  strategies: [],
  writesModels: [],
};

/** The job body as the backend stores it: what is sent, less `task_id` and `attempt`. */
export type StoredJob<T> = T extends { task_id: unknown; attempt: unknown }
  ? Omit<T, 'task_id' | 'attempt'>
  : T;

/** The part of an operation a kind's {@link JobKindDescriptor.describe} reads. */
export interface DescribedOperation<TMeta> {
  operation_id: string;
  status: OperationStatus;
  metadata: TMeta;
}

/** What a retry changes in a copied job (a new model id for training). */
export interface RetryPlan<TJob, TMeta> {
  job: TJob;
  metadata: TMeta;
  /** Provenance fields that change with it. */
  provenance?: { model_id?: string | null };
}

/**
 * One kind of job, as data (docs/developer-guide.md): the backend's start route, dispatch,
 * restart recovery, credential scope, `ktrdr ops` and the UI's operations list all read it,
 * so adding a kind is this object plus its handler, never an `operation_type` switch.
 */
export interface JobKindDescriptor<
  TType extends string = string,
  TRequest extends TSchema = TSchema,
  TJob extends TSchema = TSchema,
  TSummary extends TSchema = TSchema,
  TMeta extends TSchema = TSchema,
  TRunsOn extends JobKindRunsOn = JobKindRunsOn,
> {
  /** The operation type (`operation_type` on the wire, the `op_<type>_…` id prefix). */
  operationType: TType;
  /** Workers of this type run it, or `backend` (the backend runs it itself). */
  runsOn: TRunsOn;
  /** The backend route that starts one (`POST`), or null when only other operations make them. */
  startRoute: string | null;
  /** The worker route the backend POSTs the job to (worker kinds only). */
  workerStartPath: string | null;
  /** TypeBox schemas: the start request, the job body sent to a worker (with `task_id` and `attempt`), the result summary and the metadata. */
  schemas: {
    request: TRequest;
    job: TJob;
    resultSummary: TSummary;
    metadata: TMeta;
  };
  /** Route to a `gpu: true` worker first when one is free (training). */
  preferGpu: boolean;
  /** Whether its jobs save checkpoints (then resume and failover continue from them). */
  checkpoints: boolean;
  /** The TensorFlow.js backend of the worker it ran on goes into its provenance (training). */
  recordsTrainingBackend?: boolean;
  /** A completed one has stored a model (training): views of the model store refresh. */
  storesModels?: boolean;
  /** Its result is a backtest's (metrics, curve, trades): it can be compared and reported. */
  backtestResult?: boolean;
  /** What its job reads from the backend: a worker credential may fetch exactly that. */
  reads(job: StoredJob<Static<TJob>>): CredentialScope;
  /** Fields a retry must not reuse (a model id is never reused), given the new operation id. */
  retry?(
    plan: RetryPlan<StoredJob<Static<TJob>>, Static<TMeta>>,
    newOperationId: string,
  ): RetryPlan<StoredJob<Static<TJob>>, Static<TMeta>>;
  /**
   * For a kind with no backend service of its own: builds its job and metadata from a
   * validated start request, and the backend serves {@link startRoute} for it generically
   * (queue, dispatch, 503 with a hint when no worker of its type is registered).
   */
  prepare?(request: Static<TRequest>): {
    job: StoredJob<Static<TJob>>;
    metadata: Static<TMeta>;
  };
  /** A short name for lists (`Backtest`). */
  label: string;
  /** One line about an operation of this kind, for lists (`sma_crossover on SP500 1d`). */
  describe(op: DescribedOperation<Static<TMeta>>): string;
}

/**
 * Any descriptor, whatever its schemas (its functions are methods, so a kind with specific
 * schemas is one of these).
 */
export type AnyJobKind = JobKindDescriptor;

/** The stored job body of a kind. */
export type JobOf<D extends AnyJobKind> = StoredJob<Static<D['schemas']['job']>>;
/** The job body a worker receives for a kind (with `task_id` and `attempt`). */
export type DispatchedJobOf<D extends AnyJobKind> = Static<D['schemas']['job']>;
/** The metadata of a kind's operations. */
export type MetadataOf<D extends AnyJobKind> = Static<D['schemas']['metadata']>;
/** The result summary of a kind's operations. */
export type ResultSummaryOf<D extends AnyJobKind> = Static<D['schemas']['resultSummary']>;
/** The start request of a kind. */
export type RequestOf<D extends AnyJobKind> = Static<D['schemas']['request']>;

/** Declares a descriptor, keeping its literal types (schemas, operation type) for inference. */
export function defineJobKind<
  const TType extends string,
  TRequest extends TSchema,
  TJob extends TSchema,
  TSummary extends TSchema,
  TMeta extends TSchema,
  const TRunsOn extends JobKindRunsOn,
>(
  descriptor: JobKindDescriptor<TType, TRequest, TJob, TSummary, TMeta, TRunsOn>,
): JobKindDescriptor<TType, TRequest, TJob, TSummary, TMeta, TRunsOn> {
  return descriptor;
}

/** True when `op` is of operation type `type` (narrows its `operation_type`). */
export function hasKind<T extends { operation_type: string }, K extends string>(
  op: T,
  type: K,
): op is T & { operation_type: K } {
  return op.operation_type === type;
}

/**
 * What a job-kind module exports by default, for a worker to load at start
 * (`KTRDR_JOB_KINDS`): the kind's descriptor and where its handler is.
 */
export interface JobKindModule {
  kind: AnyJobKind;
  /** The file URL of the module whose default export is the kind's handler (run in a worker thread). */
  handlerModule: string;
}
