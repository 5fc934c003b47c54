import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OperationsService } from '../operations/operations-service.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import type { EventBus } from '../events/event-bus.js';

/** The backend's Prometheus metrics (one registry per backend, so tests can run several). */
export class BackendMetrics {
  readonly registry = new Registry();
  private readonly dispatchLatency: Histogram;
  private readonly seriesDownloads: Counter;

  constructor(deps: { workers: WorkerRegistry; operations: OperationsService; events: EventBus }) {
    new Gauge({
      name: 'ktrdr_workers',
      help: 'Registered workers by type and status',
      labelNames: ['worker_type', 'status'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { worker_type, status, n } of deps.workers.counts())
          this.set({ worker_type, status }, n);
      },
    });
    new Gauge({
      name: 'ktrdr_operations',
      help: 'Operations in the database by status',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [status, n] of Object.entries(deps.operations.countByStatus()))
          this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'ktrdr_event_subscribers',
      help: 'Open SSE connections on /api/v1/events',
      registers: [this.registry],
      collect() {
        this.set(deps.events.subscriberCount);
      },
    });
    this.dispatchLatency = new Histogram({
      name: 'ktrdr_dispatch_latency_seconds',
      help: 'Time from sending a start request to a worker until it accepted the job',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.seriesDownloads = new Counter({
      name: 'ktrdr_series_downloads_total',
      help: 'Bar ranges served with a body (a 304 or a worker cache hit does not count)',
      labelNames: ['timeframe'],
      registers: [this.registry],
    });
  }

  /** Counts one bar range served with its body. */
  countSeriesDownload(_symbol: string, timeframe: string): void {
    this.seriesDownloads.inc({ timeframe });
  }

  /** Records one dispatch's latency. */
  observeDispatch(ms: number): void {
    this.dispatchLatency.observe(ms / 1000);
  }
}
