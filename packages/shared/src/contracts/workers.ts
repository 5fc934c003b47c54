import Type, { type Static } from 'typebox';
import {
  WorkerSelfStatusSchema,
  WorkerStatusSchema,
  WorkerTypeSchema,
  OperationStatusSchema,
} from './enums.js';
import { IsoDateTime, Nullable, StringEnum } from './schema-helpers.js';

/** What a worker can do, declared when it registers. */
export const WorkerCapabilitiesSchema = Type.Object({
  gpu: Type.Boolean({
    description: 'true only when a GPU backend really loaded and sees a device',
  }),
  gpu_name: Type.Optional(Type.String({ maxLength: 200 })),
  gpu_memory_mb: Type.Optional(Type.Number({ minimum: 0 })),
  cpu_cores: Type.Integer({ minimum: 1, maximum: 4096 }),
  memory_mb: Type.Number({ minimum: 0 }),
  training_backend: Type.Optional(Type.String({ maxLength: 50 })),
  version: Type.String({ minLength: 1, maxLength: 50 }),
});
/** A worker's declared capabilities. */
export type WorkerCapabilities = Static<typeof WorkerCapabilitiesSchema>;

/** Worker ids appear in URLs and logs: a conservative alphabet keeps them safe there. */
export const WorkerIdSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
  description: 'letters, digits and . _ : - (starting with a letter or digit)',
});

/** How the backend reaches a worker: by calling its URL, or over a channel the worker opened. */
export const WorkerConnectionSchema = StringEnum(['direct', 'reverse'] as const);

/** An operation that ended on a worker while the backend could not be told. */
export const CompletedOperationReportSchema = Type.Object({
  operation_id: Type.String({ minLength: 1, maxLength: 100 }),
  attempt: Type.Integer({ minimum: 1 }),
  status: OperationStatusSchema,
  error: Type.Optional(Type.String({ maxLength: 10_000 })),
});
/** See {@link CompletedOperationReportSchema}. */
export type CompletedOperationReport = Static<typeof CompletedOperationReportSchema>;

/** `POST /api/v1/workers/register` body. */
export const WorkerRegistrationSchema = Type.Object(
  {
    worker_id: WorkerIdSchema,
    worker_type: WorkerTypeSchema,
    endpoint_url: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description:
          'the URL the backend must use to reach this worker (http or https); none with connection reverse',
      }),
    ),
    connection: Type.Optional(
      StringEnum(['direct', 'reverse'] as const, {
        default: 'direct',
        description:
          'direct: the backend calls endpoint_url; reverse: the worker cannot be reached and holds GET /workers/{id}/channel open instead',
      }),
    ),
    capabilities: WorkerCapabilitiesSchema,
    callback_token: Type.Optional(
      Type.String({
        minLength: 32,
        maxLength: 512,
        description:
          'a secret this worker chose: the backend sends it as the bearer token when it calls the worker (start, cancel, status)',
      }),
    ),
    current_operation_id: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    current_attempt: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    completed_operations: Type.Optional(
      Type.Array(CompletedOperationReportSchema, { maxItems: 1000 }),
    ),
  },
  { additionalProperties: false },
);
/** What a worker sends when it (re-)registers. */
export type WorkerRegistration = Static<typeof WorkerRegistrationSchema>;

/** The backend's answer to a registration. */
export const WorkerRegistrationResponseSchema = Type.Object({
  worker_id: Type.String(),
  heartbeat_interval_ms: Type.Integer(),
  drop_operations: Type.Array(Type.String(), {
    description: 'operations this worker holds that the backend has moved on from: stop them',
  }),
  worker_credential: Type.String({
    description:
      "this worker's own credential: the bearer token for its heartbeats, reports, artifacts and the data and models its jobs need (and for registering again); nothing else",
  }),
});
/** See {@link WorkerRegistrationResponseSchema}. */
export type WorkerRegistrationResponse = Static<typeof WorkerRegistrationResponseSchema>;

/** `POST /api/v1/workers/{id}/heartbeat` body. */
export const HeartbeatSchema = Type.Object(
  {
    worker_status: WorkerSelfStatusSchema,
    current_operation_id: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    current_attempt: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  },
  { additionalProperties: false },
);
/** A worker's heartbeat. */
export type Heartbeat = Static<typeof HeartbeatSchema>;

/** The backend's answer to a heartbeat. */
export const HeartbeatResponseSchema = Type.Object({
  drop_operations: Type.Array(Type.String()),
});
/** See {@link HeartbeatResponseSchema}. */
export type HeartbeatResponse = Static<typeof HeartbeatResponseSchema>;

/**
 * What a worker did lately: the last 10 minutes, or since it registered when that is shorter
 * (`window_seconds` says which).
 */
export const WorkerActivitySchema = Type.Object({
  busy_fraction: Type.Number({
    minimum: 0,
    maximum: 1,
    description:
      'the share of the window it held a job (from assignment to end; a job still running counts its time so far)',
  }),
  completed_per_minute: Type.Number({
    minimum: 0,
    description: 'jobs it completed in the window, per minute',
  }),
  window_seconds: Type.Number({
    minimum: 0,
    description: 'what the figures cover: 600, or the seconds since it registered if fewer',
  }),
});
/** See {@link WorkerActivitySchema}. */
export type WorkerActivity = Static<typeof WorkerActivitySchema>;

/** The cluster's throughput: operations completed on workers (sweep shards count like any other). */
export const ClusterActivitySchema = Type.Object({
  completed_per_minute: Type.Number({
    minimum: 0,
    description: 'per minute over window_seconds',
  }),
  completed_per_second: Type.Number({
    minimum: 0,
    description: 'per second over the last minute (or since the backend started)',
  }),
  window_seconds: Type.Number({
    minimum: 0,
    description: 'what completed_per_minute covers: 600, or the seconds since the backend started',
  }),
});
/** See {@link ClusterActivitySchema}. */
export type ClusterActivity = Static<typeof ClusterActivitySchema>;

/** A worker as the backend's roster shows it. */
export const WorkerSchema = Type.Object({
  worker_id: Type.String(),
  worker_type: WorkerTypeSchema,
  endpoint_url: Nullable(Type.String()),
  connection: WorkerConnectionSchema,
  status: WorkerStatusSchema,
  capabilities: WorkerCapabilitiesSchema,
  current_operation_id: Nullable(Type.String()),
  last_heartbeat_at: IsoDateTime,
  registered_at: IsoDateTime,
  /** In the GET answers; `worker` events leave it out (it moves with time, not with events). */
  activity: Type.Optional(WorkerActivitySchema),
});
/** A worker in the roster. */
export type Worker = Static<typeof WorkerSchema>;

/** `GET /api/v1/workers` answer. */
export const WorkerListSchema = Type.Object({
  workers: Type.Array(WorkerSchema),
  total_count: Type.Integer(),
  /** The whole cluster's throughput, whatever the filter. */
  activity: Type.Optional(ClusterActivitySchema),
});
/** See {@link WorkerListSchema}. */
export type WorkerList = Static<typeof WorkerListSchema>;

/** `GET /api/v1/workers` query. */
export const WorkerListQuerySchema = Type.Object(
  {
    worker_type: Type.Optional(WorkerTypeSchema),
    status: Type.Optional(WorkerStatusSchema),
  },
  { additionalProperties: false },
);
/** See {@link WorkerListQuerySchema}. */
export type WorkerListQuery = Static<typeof WorkerListQuerySchema>;

/** A worker's `GET /health` answer. */
export const WorkerHealthSchema = Type.Object({
  status: Type.Literal('ok'),
  worker_id: Type.String(),
  worker_type: WorkerTypeSchema,
  worker_status: WorkerSelfStatusSchema,
  current_operation_id: Nullable(Type.String()),
});
/** See {@link WorkerHealthSchema}. */
export type WorkerHealth = Static<typeof WorkerHealthSchema>;

/**
 * A request the backend sends down a reverse worker's channel (an SSE `request` event): the
 * HTTP request it would have made to the worker's URL.
 */
export const ChannelRequestSchema = Type.Object({
  id: Type.String(),
  method: StringEnum(['GET', 'POST', 'DELETE'] as const),
  url: Type.String({ description: 'path and query, e.g. /backtests/start' }),
  body: Type.Optional(Type.Unknown()),
});
/** See {@link ChannelRequestSchema}. */
export type ChannelRequest = Static<typeof ChannelRequestSchema>;

/** `POST /api/v1/workers/{id}/channel/replies`: the worker's answer to a channel request. */
export const ChannelReplySchema = Type.Object(
  {
    id: Type.String({ maxLength: 100 }),
    status: Type.Integer({ minimum: 100, maximum: 599 }),
    body: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
/** See {@link ChannelReplySchema}. */
export type ChannelReply = Static<typeof ChannelReplySchema>;
