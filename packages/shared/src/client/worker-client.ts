import type { Operation } from '../contracts/operations.js';
import { fillPath, Routes } from '../contracts/routes.js';
import type { WorkerHealth } from '../contracts/workers.js';
import { HttpClient, type HttpClientOptions, type RequestOptions } from './http.js';

const R = Routes.worker;

/** A worker's answer to a start request. */
export interface WorkerStartResponse {
  success: true;
  operation_id: string;
  status: 'running';
}

/** What the backend (and tests) call on a worker. */
export class WorkerClient {
  /** The transport. */
  readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient(options);
  }

  /** `GET /health`: who is there, and is it busy. */
  health(options?: RequestOptions): Promise<WorkerHealth> {
    return this.http.request('GET', Routes.health, options);
  }

  /** Starts a job at the worker's start route (e.g. `/backtests/start`). 503 `WORKER_BUSY` if it runs one. */
  start(startPath: string, job: unknown, options?: RequestOptions): Promise<WorkerStartResponse> {
    return this.http.request('POST', startPath, { ...options, body: job });
  }

  /** The worker's own record of an operation. */
  getOperation(operationId: string, options?: RequestOptions): Promise<Operation> {
    return this.http.request('GET', fillPath(R.operation, { operation_id: operationId }), options);
  }

  /** Asks the worker to stop an operation; resolves once it has stopped. */
  cancel(operationId: string, reason?: string, options?: RequestOptions): Promise<Operation> {
    return this.http.request('DELETE', fillPath(R.operationCancel, { operation_id: operationId }), {
      ...options,
      query: { reason },
    });
  }
}
