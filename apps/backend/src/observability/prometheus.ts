import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OperationsService } from '../operations/operations-service.js';
import type { WorkerActivity } from '../workers/worker-activity.js';
import type { WorkerRegistry } from '../workers/worker-registry.js';
import type { EventBus } from '../events/event-bus.js';

/** What /metrics reads of the sweeps (the sweep service, attached once it exists). */
export interface SweepFigures {
  readonly setsFinished: { readonly completed: number; readonly failed: number };
  running(): { sweep_id: string; sets_per_second: number; sets_done: number; sets_total: number }[];
}

/** The backend's Prometheus metrics (one registry per backend, so tests can run several). */
export class BackendMetrics {
  readonly registry = new Registry();
  private readonly dispatchLatency: Histogram;
  private readonly handedOver: Counter;
  private readonly seriesDownloads: Counter;
  private sweeps: SweepFigures | undefined;

  constructor(deps: {
    workers: WorkerRegistry;
    operations: OperationsService;
    events: EventBus;
    activity: WorkerActivity;
  }) {
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
    // the Workers view's figures (see WorkerActivity): the last 10 minutes, or since it registered
    new Gauge({
      name: 'ktrdr_worker_busy_ratio',
      help: 'Share of the last 10 minutes (or since it registered) each worker held a job, 0..1',
      labelNames: ['worker_id'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const w of deps.workers.all())
          this.set({ worker_id: w.worker_id }, deps.activity.figures(w).busy_fraction);
      },
    });
    new Gauge({
      name: 'ktrdr_worker_completed_per_minute',
      help: 'Jobs each worker completed per minute over the last 10 minutes (or since it registered)',
      labelNames: ['worker_id'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const w of deps.workers.all())
          this.set({ worker_id: w.worker_id }, deps.activity.figures(w).completed_per_minute);
      },
    });
    new Gauge({
      name: 'ktrdr_cluster_completed_per_minute',
      help: 'Operations completed on workers per minute over the last 10 minutes (or since the backend started)',
      registers: [this.registry],
      collect() {
        this.set(deps.activity.throughput().completed_per_minute);
      },
    });
    new Gauge({
      name: 'ktrdr_cluster_completed_per_second',
      help: 'Operations completed on workers per second over the last minute (or since the backend started)',
      registers: [this.registry],
      collect() {
        this.set(deps.activity.throughput().completed_per_second);
      },
    });
    const completed = new Counter({
      name: 'ktrdr_operations_completed_total',
      help: 'Operations that completed since the backend started, by type (on workers or on the backend)',
      labelNames: ['operation_type'],
      registers: [this.registry],
    });
    // one child per type, kept: incrementing it skips hashing the labels on every operation
    const completedOf = new Map<string, { inc(): void }>();
    deps.operations.onEnd((record) => {
      if (record.status !== 'completed') return;
      let child = completedOf.get(record.operation_type);
      if (!child) {
        child = completed.labels({ operation_type: record.operation_type });
        completedOf.set(record.operation_type, child);
      }
      child.inc();
    });
    this.dispatchLatency = new Histogram({
      name: 'ktrdr_dispatch_latency_seconds',
      help: 'Time from sending a start request to a worker until it accepted the job',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.handedOver = new Counter({
      name: 'ktrdr_jobs_handed_over_total',
      help: 'Jobs sent to a worker in the answer to its final report (take_next), not as a start request',
      registers: [this.registry],
    });
    // sweeps: read at scrape time from the sweep service (no work per set here)
    const sweeps = () => this.sweeps;
    new Gauge({
      name: 'ktrdr_sweep_sets_per_second',
      help: 'Parameter sets each running sweep has finished per second since it (re)started',
      labelNames: ['sweep_id'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const run of sweeps()?.running() ?? [])
          this.set({ sweep_id: run.sweep_id }, run.sets_per_second);
      },
    });
    new Gauge({
      name: 'ktrdr_sweep_sets_remaining',
      help: 'Parameter sets each running sweep has not finished yet',
      labelNames: ['sweep_id'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const run of sweeps()?.running() ?? [])
          this.set({ sweep_id: run.sweep_id }, run.sets_total - run.sets_done);
      },
    });
    new Counter({
      name: 'ktrdr_sweep_sets_finished_total',
      help: 'Parameter sets finished since the backend started, by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        const finished = sweeps()?.setsFinished;
        this.reset();
        this.inc({ outcome: 'completed' }, finished?.completed ?? 0);
        this.inc({ outcome: 'failed' }, finished?.failed ?? 0);
      },
    });
    this.seriesDownloads = new Counter({
      name: 'ktrdr_series_downloads_total',
      help: 'Bar ranges served with a body (a 304 or a worker cache hit does not count)',
      labelNames: ['timeframe'],
      registers: [this.registry],
    });
  }

  /** Where the sweep figures come from (the sweep service is made after the metrics). */
  watchSweeps(sweeps: SweepFigures): void {
    this.sweeps = sweeps;
  }

  /** Counts one bar range served with its body. */
  countSeriesDownload(_symbol: string, timeframe: string): void {
    this.seriesDownloads.inc({ timeframe });
  }

  /** Records one dispatch's latency. */
  observeDispatch(ms: number): void {
    this.dispatchLatency.observe(ms / 1000);
  }

  /** Counts one job handed over in a report's answer. */
  countHandOver(): void {
    this.handedOver.inc();
  }
}
