import Type, { type Static } from 'typebox';
import { OperationStatusSchema, OperationTypeSchema } from './enums.js';
import { IsoDateTime, JsonObject, Nullable } from './schema-helpers.js';
import { SweepSetResultsSchema } from './sweep-sets.js';

/**
 * Operation ids look like `op_backtesting_20261128_154506_1a2b3c4d`. They name folders
 * (`<data dir>/artifacts/<id>/`) and a worker's result files: never `.` or `..`.
 */
export const OperationIdSchema = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
  description: 'letters, digits and . _ : - (starting with a letter or digit)',
});

/** The progress of a running operation. `context` carries domain fields (bar date, equity, epoch, loss…). */
export const ProgressSchema = Type.Object({
  percentage: Type.Number({ minimum: 0, maximum: 100 }),
  current_step: Type.String({ maxLength: 500 }),
  steps_completed: Type.Integer({ minimum: 0 }),
  steps_total: Type.Integer({ minimum: 0 }),
  items_processed: Type.Number({ minimum: 0 }),
  items_total: Type.Number({ minimum: 0 }),
  eta_seconds: Nullable(Type.Number({ minimum: 0 })),
  context: JsonObject,
});
/** See {@link ProgressSchema}. */
export type Progress = Static<typeof ProgressSchema>;

/** One attempt of an operation: which worker ran it and how it ended. */
export const OperationAttemptSchema = Type.Object({
  attempt: Type.Integer({ minimum: 1 }),
  worker_id: Type.String(),
  started_at: IsoDateTime,
  ended_at: Nullable(IsoDateTime),
  outcome: Nullable(Type.String()),
});
/** See {@link OperationAttemptSchema}. */
export type OperationAttempt = Static<typeof OperationAttemptSchema>;

/** What makes a result reproducible: the exact inputs and code that produced it. */
export const ProvenanceSchema = Type.Object({
  strategy_hash: Nullable(Type.String()),
  data_etag: Nullable(Type.String()),
  model_id: Type.Optional(Nullable(Type.String())),
  code_version: Type.String(),
  training_backend: Type.Optional(Nullable(Type.String())),
});
/** See {@link ProvenanceSchema}. */
export type Provenance = Static<typeof ProvenanceSchema>;

/** An operation as every client sees it. Times are ISO-8601 UTC. */
export const OperationSchema = Type.Object({
  operation_id: Type.String(),
  operation_type: OperationTypeSchema,
  status: OperationStatusSchema,
  attempt: Type.Integer({ minimum: 1 }),
  worker_id: Nullable(Type.String()),
  parent_operation_id: Nullable(Type.String()),
  retry_of: Nullable(Type.String()),
  created_at: IsoDateTime,
  started_at: Nullable(IsoDateTime),
  completed_at: Nullable(IsoDateTime),
  progress: ProgressSchema,
  metadata: JsonObject,
  error_message: Nullable(Type.String()),
  result_summary: Nullable(JsonObject),
  queue_position: Nullable(Type.Integer({ minimum: 1 })),
  routing_reason: Nullable(Type.String()),
  attempts: Type.Array(OperationAttemptSchema),
  provenance: ProvenanceSchema,
  checkpoint_ref: Type.Optional(
    Nullable(
      Type.String({
        description:
          'the latest checkpoint saved, e.g. checkpoint.bin@120000: resumable from there',
      }),
    ),
  ),
});
/** See {@link OperationSchema}. */
export type Operation = Static<typeof OperationSchema>;

/** `GET /api/v1/operations` query. */
export const OperationListQuerySchema = Type.Object(
  {
    status: Type.Optional(OperationStatusSchema),
    operation_type: Type.Optional(OperationTypeSchema),
    parent_operation_id: Type.Optional(OperationIdSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    // at most what the database takes as an OFFSET (a 64-bit integer), exactly
    offset: Type.Optional(
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
    ),
    active_only: Type.Optional(Type.Boolean({ default: false })),
    top_level: Type.Optional(
      Type.Boolean({
        default: false,
        description: "only operations without a parent (a sweep's children left out)",
      }),
    ),
  },
  { additionalProperties: false },
);
/** See {@link OperationListQuerySchema}. */
export type OperationListQuery = Static<typeof OperationListQuerySchema>;

/** `GET /api/v1/operations` answer (newest first). */
export const OperationListSchema = Type.Object({
  operations: Type.Array(OperationSchema),
  total_count: Type.Integer({ minimum: 0 }),
});
/** See {@link OperationListSchema}. */
export type OperationList = Static<typeof OperationListSchema>;

/** The answer of every start route: `202 {success, operation_id, status}`. */
export const StartResponseSchema = Type.Object({
  success: Type.Literal(true),
  operation_id: Type.String(),
  status: OperationStatusSchema,
  /** What the backend chose for the caller (a model backtest's dates), said so. */
  note: Type.Optional(Type.String()),
});
/** See {@link StartResponseSchema}. */
export type StartResponse = Static<typeof StartResponseSchema>;

/** One row of per-step metrics (training epochs; other jobs may send their own fields). */
export const MetricRowSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 0 }),
    epoch: Type.Optional(Type.Integer({ minimum: 0 })),
    loss: Type.Optional(Nullable(Type.Number())),
    accuracy: Type.Optional(Nullable(Type.Number())),
    val_loss: Type.Optional(Nullable(Type.Number())),
    val_accuracy: Type.Optional(Nullable(Type.Number())),
    learning_rate: Type.Optional(Nullable(Type.Number())),
    duration_ms: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: true },
);
/** See {@link MetricRowSchema}. */
export type MetricRow = Static<typeof MetricRowSchema>;

/** A metric row as a worker sends it (the backend assigns `seq`). */
export const MetricInputSchema = Type.Record(
  Type.String(),
  Type.Union([Type.Number(), Type.Null()]),
);
/** See {@link MetricInputSchema}. */
export type MetricInput = Static<typeof MetricInputSchema>;

/** `GET /api/v1/operations/{id}/metrics?since=N` answer. */
export const MetricsPageSchema = Type.Object({
  metrics: Type.Array(MetricRowSchema),
  next: Type.Integer({ minimum: 0, description: 'pass as ?since= to get only newer rows' }),
});
/** See {@link MetricsPageSchema}. */
export type MetricsPage = Static<typeof MetricsPageSchema>;

/** `GET …/metrics` query. */
export const MetricsQuerySchema = Type.Object(
  { since: Type.Optional(Type.Integer({ minimum: 0, default: 0 })) },
  { additionalProperties: false },
);

/** `DELETE …/cancel` query. */
export const CancelQuerySchema = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
/** See {@link CancelQuerySchema}. */
export type CancelQuery = Static<typeof CancelQuerySchema>;

/** The final statuses a worker may report. */
export const ReportStatusSchema = Type.Union([
  Type.Literal('running'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);

/** Artifact names are file names under the operation's folder: no separators, no dot-dot. */
export const ArtifactNameSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9]+)?$',
  description: 'lower-case letters, digits, _ and -, with an optional extension, e.g. result.json',
});

/**
 * Result files small enough to travel inside a `completed` report, base64-encoded: a short
 * backtest's two results go up with its outcome in one request instead of three.
 */
export const INLINE_ARTIFACTS_MAX_BYTES = 256 * 1024;

/** One result file carried inside a final report (see {@link INLINE_ARTIFACTS_MAX_BYTES}). */
export const InlineArtifactSchema = Type.Object(
  {
    name: ArtifactNameSchema,
    // no maxLength: checking one counts every character of a 300 KB string on each report;
    // the decoded size is checked against the limit instead (and the body limit holds)
    data_base64: Type.String({ description: 'the file, base64' }),
  },
  { additionalProperties: false },
);
/** See {@link InlineArtifactSchema}. */
export type InlineArtifact = Static<typeof InlineArtifactSchema>;

/** `POST /api/v1/operations/{id}/report` body: workers only, for the attempt they hold. */
export const OperationReportSchema = Type.Object(
  {
    worker_id: Type.String({ minLength: 1, maxLength: 128 }),
    attempt: Type.Integer({ minimum: 1 }),
    status: Type.Optional(ReportStatusSchema),
    progress: Type.Optional(ProgressSchema),
    metrics: Type.Optional(Type.Array(MetricInputSchema, { maxItems: 1000 })),
    /** A sweep shard's finished sets since its last report. */
    sets: Type.Optional(SweepSetResultsSchema),
    error: Type.Optional(Type.String({ maxLength: 10_000 })),
    checkpoint_ref: Type.Optional(Type.String({ maxLength: 200 })),
    result_summary: Type.Optional(JsonObject),
    /** Only with `status: completed`: small result files, stored before the outcome. */
    artifacts: Type.Optional(Type.Array(InlineArtifactSchema, { maxItems: 8 })),
    /**
     * Only with a final status: the worker is free and takes its next job in the answer
     * (`next_job`) instead of a start request: one request per queued operation, not two.
     */
    take_next: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
/** See {@link OperationReportSchema}. */
export type OperationReport = Static<typeof OperationReportSchema>;

/**
 * A job handed to a worker in the answer to its final report: what its start route would
 * have been sent (the body with `task_id` and `attempt`), and the operation type that says
 * which route. The operation is `running` on that worker from then on.
 */
export const NextJobSchema = Type.Object({
  operation_type: Type.String({ minLength: 1 }),
  job: JsonObject,
});
/** See {@link NextJobSchema}. */
export type NextJob = Static<typeof NextJobSchema>;

/** The backend's answer to a report. */
export const OperationReportResponseSchema = Type.Object({
  accepted: Type.Boolean(),
  status: OperationStatusSchema,
  /** Asked for with `take_next`, when the queue had a job this worker is the one to run. */
  next_job: Type.Optional(NextJobSchema),
});
/** See {@link OperationReportResponseSchema}. */
export type OperationReportResponse = Static<typeof OperationReportResponseSchema>;

/** `PUT …/artifacts/{name}` query: who is uploading. */
export const ArtifactUploadQuerySchema = Type.Object(
  {
    worker_id: Type.String({ minLength: 1, maxLength: 128 }),
    attempt: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
/** See {@link ArtifactUploadQuerySchema}. */
export type ArtifactUploadQuery = Static<typeof ArtifactUploadQuerySchema>;

/** The answer to an artifact upload. */
export const ArtifactUploadResponseSchema = Type.Object({
  name: Type.String(),
  size_bytes: Type.Integer({ minimum: 0 }),
  sha256: Type.String(),
});
/** See {@link ArtifactUploadResponseSchema}. */
export type ArtifactUploadResponse = Static<typeof ArtifactUploadResponseSchema>;
