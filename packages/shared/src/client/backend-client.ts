import type { BacktestResult, BacktestStartRequest } from '../contracts/backtests.js';
import type { ClusterInfo, TokenRotateRequest, TokenRotateResponse } from '../contracts/cluster.js';
import type {
  SweepHeatmap,
  SweepResult,
  SweepSetsPage,
  SweepSetsQuery,
  SweepStartRequest,
} from '../contracts/sweeps.js';
import type {
  ModelDetail,
  ModelDocumentWire,
  ModelList,
  ModelStored,
  ModelUploadQuery,
} from '../contracts/models.js';
import type { TrainingResult, TrainingStartRequest } from '../contracts/training.js';
import type {
  ColumnarBars,
  DataDownloadRequest,
  DataLoadResult,
  DataImportQuery,
  DataImportResponse,
  SeriesList,
} from '../contracts/data.js';
import type { BackendHealth } from '../contracts/health.js';
import type { IbContract, IbStatus, IbValidateRequest } from '../contracts/ib.js';
import type {
  ArtifactUploadResponse,
  MetricsPage,
  Operation,
  OperationList,
  OperationListQuery,
  OperationReport,
  OperationReportResponse,
  StartResponse,
} from '../contracts/operations.js';
import { fillPath, Routes } from '../contracts/routes.js';
import type {
  StrategyDocument,
  StrategyList,
  StrategyValidation,
} from '../contracts/strategies.js';
import type {
  Heartbeat,
  HeartbeatResponse,
  Worker,
  WorkerList,
  WorkerListQuery,
  WorkerRegistration,
  WorkerRegistrationResponse,
} from '../contracts/workers.js';
import {
  BARS_BINARY_MEDIA_TYPE,
  decodeBarsBinary,
  type ColumnarFloatBars,
} from '../bars-binary.js';
import { decodeFullResult, FULL_RESULT_MEDIA_TYPE } from '../results/full-result-codec.js';
import { fullResultFromJson } from '../results/full-result-json.js';
import type { FullResult } from '../results/full-result.js';
import { HttpClient, type HttpClientOptions, type RequestOptions } from './http.js';

const R = Routes.backend;

/** A series fetched with its `ETag` (for caches). */
export interface FetchedSeries {
  bars: ColumnarBars;
  etag: string | null;
}

/**
 * The typed client of the backend's HTTP API, used by workers, tests, the CLI and the UI.
 * Every method maps to one route; errors arrive as `ApiError` or `ConnectionError`.
 */
export class BackendClient {
  /** The transport, for routes this class does not wrap yet. */
  readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient(options);
  }

  /** `GET /health` (no token needed). */
  health(options?: RequestOptions): Promise<BackendHealth> {
    return this.http.request('GET', Routes.health, options);
  }

  // --- workers ---------------------------------------------------------------------------

  /** Registers (or re-registers) a worker. */
  registerWorker(
    body: WorkerRegistration,
    options?: RequestOptions,
  ): Promise<WorkerRegistrationResponse> {
    return this.http.request('POST', R.workerRegister, { ...options, body });
  }

  /** Sends a heartbeat; a 404 `ApiError` means "unknown worker: register again". */
  heartbeat(
    workerId: string,
    body: Heartbeat,
    options?: RequestOptions,
  ): Promise<HeartbeatResponse> {
    return this.http.request('POST', fillPath(R.workerHeartbeat, { worker_id: workerId }), {
      ...options,
      body,
    });
  }

  /** Lists the roster. */
  listWorkers(query: WorkerListQuery = {}): Promise<WorkerList> {
    return this.http.request('GET', R.workers, { query });
  }

  /** One worker of the roster. */
  getWorker(workerId: string): Promise<Worker> {
    return this.http.request('GET', fillPath(R.worker, { worker_id: workerId }));
  }

  /** A worker leaves the roster gracefully. */
  unregisterWorker(workerId: string, options?: RequestOptions): Promise<void> {
    return this.http.request('DELETE', fillPath(R.worker, { worker_id: workerId }), options);
  }

  // --- operations ------------------------------------------------------------------------

  /** Starts a backtest; answers as soon as it is running or queued. */
  startBacktest(body: BacktestStartRequest): Promise<StartResponse> {
    return this.http.request('POST', R.backtestStart, { body });
  }

  /** Starts a parameter sweep: its sets run in shards over every free backtest worker. */
  startSweep(body: SweepStartRequest): Promise<StartResponse> {
    return this.http.request('POST', R.sweepStart, { body });
  }

  /** A sweep now: counts, the top rows, the best set, speed, shards (live while it runs). */
  getSweepResult(operationId: string): Promise<SweepResult> {
    return this.http.request('GET', fillPath(R.operationResult, { operation_id: operationId }));
  }

  /** A page of a sweep's sets, sorted and filtered. */
  getSweepSets(operationId: string, query: SweepSetsQuery = {}): Promise<SweepSetsPage> {
    return this.http.request('GET', fillPath(R.sweepSets, { operation_id: operationId }), {
      query,
    });
  }

  /** The heat map of a sweep's first two swept paths (aggregated into blocks when large). */
  getSweepHeatmap(operationId: string, window?: number): Promise<SweepHeatmap> {
    return this.http.request('GET', fillPath(R.sweepHeatmap, { operation_id: operationId }), {
      query: window !== undefined ? { window } : {},
    });
  }

  /** Every set of a sweep matching `query` as CSV text (rank order by default). */
  async getSweepCsv(operationId: string, query: SweepSetsQuery = {}): Promise<string> {
    const response = await this.http.fetchRaw(
      'GET',
      fillPath(R.sweepSets, { operation_id: operationId }),
      { query, headers: { accept: 'text/csv' } },
    );
    return response.text();
  }

  /** Opens one set of a sweep as a full backtest (made once; then the same id). */
  openSweepSet(operationId: string, setIndex: number): Promise<StartResponse> {
    return this.http.request(
      'POST',
      fillPath(R.sweepSetBacktest, { operation_id: operationId, set_index: String(setIndex) }),
    );
  }

  /** Starts training a `neuro_fuzzy` strategy; answers as soon as it is running or queued. */
  startTraining(body: TrainingStartRequest): Promise<StartResponse> {
    return this.http.request('POST', R.trainingStart, { body });
  }

  /** Lists operations, newest first. */
  listOperations(query: OperationListQuery = {}): Promise<OperationList> {
    return this.http.request('GET', R.operations, { query });
  }

  /** One operation. */
  getOperation(operationId: string): Promise<Operation> {
    return this.http.request('GET', fillPath(R.operation, { operation_id: operationId }));
  }

  /** Per-step metrics rows after cursor `since`. */
  getOperationMetrics(operationId: string, since = 0): Promise<MetricsPage> {
    return this.http.request('GET', fillPath(R.operationMetrics, { operation_id: operationId }), {
      query: { since },
    });
  }

  /** The result of a completed backtest. */
  getBacktestResult(operationId: string): Promise<BacktestResult> {
    return this.http.request('GET', fillPath(R.operationResult, { operation_id: operationId }));
  }

  /** The result of a completed training run: the model id and its figures. */
  getTrainingResult(operationId: string): Promise<TrainingResult> {
    return this.http.request('GET', fillPath(R.operationResult, { operation_id: operationId }));
  }

  /** The result of a completed data download: what was fetched and stored, and the gaps. */
  getDataLoadResult(operationId: string): Promise<DataLoadResult> {
    return this.http.request('GET', fillPath(R.operationResult, { operation_id: operationId }));
  }

  /**
   * The full result of a completed backtest, every bar and every trade, as columns: the
   * binary artifact decoded (typed-array views, no parsing), or a full result stored as
   * JSON before the binary form existed, converted.
   */
  async fullResult(operationId: string, options?: RequestOptions): Promise<FullResult> {
    const response = await this.http.fetchRaw(
      'GET',
      fillPath(R.operationResultFull, { operation_id: operationId }),
      {
        headers: { accept: `${FULL_RESULT_MEDIA_TYPE}, application/json` },
        timeoutMs: 300_000,
        ...options,
      },
    );
    if (response.headers.get('content-type')?.startsWith(FULL_RESULT_MEDIA_TYPE))
      return decodeFullResult(new Uint8Array(await response.arrayBuffer()));
    return fullResultFromJson(await response.json());
  }

  /** Continues a failed or cancelled operation from its last checkpoint (same id, next attempt). */
  resumeOperation(operationId: string): Promise<StartResponse> {
    return this.http.request('POST', fillPath(R.operationResume, { operation_id: operationId }));
  }

  /** Runs an ended operation again from scratch as a new operation. */
  retryOperation(operationId: string): Promise<StartResponse> {
    return this.http.request('POST', fillPath(R.operationRetry, { operation_id: operationId }));
  }

  /** Downloads an artifact of an operation (e.g. the checkpoint a resumed job starts from). */
  async getArtifact(
    operationId: string,
    name: string,
    options?: RequestOptions,
  ): Promise<Uint8Array> {
    const response = await this.http.fetchRaw(
      'GET',
      fillPath(R.operationArtifact, { operation_id: operationId, name }),
      {
        timeoutMs: 300_000,
        ...options,
      },
    );
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Cancels a pending or running operation; resolves with its final state. */
  cancelOperation(operationId: string, reason?: string): Promise<Operation> {
    return this.http.request('DELETE', fillPath(R.operationCancel, { operation_id: operationId }), {
      query: { reason },
    });
  }

  /** A worker reports progress or an outcome for the attempt it holds. */
  reportOperation(
    operationId: string,
    body: OperationReport,
    options?: RequestOptions,
  ): Promise<OperationReportResponse> {
    return this.http.request('POST', fillPath(R.operationReport, { operation_id: operationId }), {
      ...options,
      body,
    });
  }

  /** A worker uploads an artifact (a result, a checkpoint) of the attempt it holds. */
  putArtifact(
    operationId: string,
    name: string,
    who: { worker_id: string; attempt: number },
    body: string | Uint8Array | ReadableStream<Uint8Array>,
    options?: RequestOptions,
  ): Promise<ArtifactUploadResponse> {
    return this.http.request(
      'PUT',
      fillPath(R.operationArtifact, { operation_id: operationId, name }),
      {
        ...options,
        query: who,
        body,
        contentType: 'application/octet-stream',
      },
    );
  }

  // --- data and strategies ---------------------------------------------------------------

  /** Lists stored series. */
  listSeries(): Promise<SeriesList> {
    return this.http.request('GET', R.data);
  }

  /** Fetches bars in columnar form, with the series' ETag. */
  async getSeries(
    symbol: string,
    timeframe: string,
    range: { start?: string; end?: string } = {},
    signal?: AbortSignal,
  ): Promise<FetchedSeries> {
    const response = await this.http.fetchRaw('GET', fillPath(R.series, { symbol, timeframe }), {
      query: range,
      headers: { 'accept-encoding': 'gzip' },
      timeoutMs: 300_000,
      ...(signal ? { signal } : {}),
    });
    return { bars: (await response.json()) as ColumnarBars, etag: response.headers.get('etag') };
  }

  /** Fetches bars in the binary columnar form (fast for large series; Node and browsers alike). */
  async getSeriesBinary(
    symbol: string,
    timeframe: string,
    range: { start?: string; end?: string } = {},
    signal?: AbortSignal,
  ): Promise<ColumnarFloatBars> {
    const response = await this.http.fetchRaw('GET', fillPath(R.series, { symbol, timeframe }), {
      query: range,
      headers: { accept: BARS_BINARY_MEDIA_TYPE },
      timeoutMs: 300_000,
      ...(signal ? { signal } : {}),
    });
    return decodeBarsBinary(new Uint8Array(await response.arrayBuffer()));
  }

  /** Imports OHLCV bars from CSV text into a series (merge by default). */
  importCsv(query: DataImportQuery, csv: string | Uint8Array): Promise<DataImportResponse> {
    return this.http.request('POST', R.dataImport, {
      query,
      body: csv,
      contentType: 'text/csv',
      timeoutMs: 600_000,
    });
  }

  /** Starts a `data_load` operation that downloads bars through the IB host service. */
  startDataDownload(body: DataDownloadRequest): Promise<StartResponse> {
    return this.http.request('POST', R.dataDownload, { body });
  }

  /** The IB host service's link to IB Gateway/TWS, or why there is none. */
  ibStatus(): Promise<IbStatus> {
    return this.http.request('GET', R.ibStatus);
  }

  /** Contract details of a symbol at IB; an unknown symbol is a 400 `ApiError` naming it. */
  ibValidate(body: IbValidateRequest): Promise<IbContract> {
    return this.http.request('POST', R.ibValidate, { body, timeoutMs: 60_000 });
  }

  /** Exchanges the token for the web UI's HttpOnly session cookie (browsers). */
  createSession(token: string): Promise<{ authenticated: true }> {
    return this.http.request('POST', R.session, { body: { token } });
  }

  /** Where this backend listens and how another machine joins it. */
  clusterInfo(): Promise<ClusterInfo> {
    return this.http.request('GET', R.cluster);
  }

  /** Replaces the admin or the join token, or revokes every worker's credential (admin only). */
  rotateToken(kind: TokenRotateRequest['kind']): Promise<TokenRotateResponse> {
    return this.http.request('POST', R.tokensRotate, { body: { kind } });
  }

  /** Trained models. */
  listModels(): Promise<ModelList> {
    return this.http.request('GET', R.models);
  }

  /** One model's metadata, metrics and lineage (no weights). */
  getModel(modelId: string): Promise<ModelDetail> {
    return this.http.request('GET', fillPath(R.model, { model_id: modelId }));
  }

  /** The stored model file, weights included (workers cache it by id). */
  downloadModel(modelId: string, options?: RequestOptions): Promise<ModelDocumentWire> {
    return this.http.request('GET', fillPath(R.modelDownload, { model_id: modelId }), {
      timeoutMs: 300_000,
      ...options,
    });
  }

  /** A training worker stores the model its operation made; an id is never overwritten. */
  putModel(
    modelId: string,
    who: ModelUploadQuery,
    doc: ModelDocumentWire,
    options?: RequestOptions,
  ): Promise<ModelStored> {
    return this.http.request('PUT', fillPath(R.model, { model_id: modelId }), {
      timeoutMs: 300_000,
      ...options,
      query: who,
      body: doc,
    });
  }

  /** Lists strategies. */
  listStrategies(): Promise<StrategyList> {
    return this.http.request('GET', R.strategies);
  }

  /** One strategy, as YAML and parsed; `hash` picks an earlier version. */
  getStrategy(name: string, hash?: string): Promise<StrategyDocument> {
    return this.http.request('GET', fillPath(R.strategy, { name }), { query: { hash } });
  }

  /** Checks strategy YAML without storing it; an invalid one is a 400 `ApiError` naming each path. */
  validateStrategy(yaml: string): Promise<StrategyValidation> {
    return this.http.request('POST', R.strategyValidate, {
      body: yaml,
      contentType: 'application/yaml',
    });
  }

  /** Writes a strategy (validated; each change is a new version). */
  putStrategy(name: string, yaml: string): Promise<StrategyDocument> {
    return this.http.request('PUT', fillPath(R.strategy, { name }), {
      body: yaml,
      contentType: 'application/yaml',
    });
  }
}
