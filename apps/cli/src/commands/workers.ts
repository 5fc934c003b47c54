import type { Command } from 'commander';
import type { Worker, WorkerList } from '@ktrdr/shared';
import { ago } from '../output/format.js';
import { renderTable, type Column } from '../output/table.js';
import { withExample, type ActionFactory } from '../command-kit.js';

/** 0.004 → "0.4 %", 0.37 → "37 %": a tenth of a percent where the figure is small. */
function busyShare(fraction: number): string {
  const pct = fraction * 100;
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)} %`;
}

/**
 * The roster's columns: who, what kind, in what state, on what hardware, doing what, and how
 * busy it was over the last 10 minutes (or since it registered): share of the time it held
 * a job, and jobs completed per minute.
 */
export function workerColumns(now = Date.now()): Column<Worker>[] {
  return [
    { header: 'ID', value: (w) => w.worker_id },
    { header: 'TYPE', value: (w) => w.worker_type },
    { header: 'STATUS', value: (w) => w.status },
    {
      header: 'GPU',
      value: (w) =>
        w.capabilities.gpu
          ? `yes${w.capabilities.gpu_name ? ` (${w.capabilities.gpu_name})` : ''}`
          : w.capabilities.training_backend
            ? `no (${w.capabilities.training_backend})`
            : 'no',
    },
    {
      header: 'ENDPOINT',
      value: (w) => w.endpoint_url ?? `${w.connection} (no endpoint)`,
    },
    { header: 'OPERATION', value: (w) => w.current_operation_id ?? '—' },
    {
      header: 'BUSY',
      value: (w) => (w.activity ? busyShare(w.activity.busy_fraction) : '—'),
      align: 'right',
    },
    {
      header: 'JOBS/MIN',
      value: (w) => (w.activity ? w.activity.completed_per_minute.toFixed(1) : '—'),
      align: 'right',
    },
    { header: 'HEARTBEAT', value: (w) => ago(w.last_heartbeat_at, now), align: 'right' },
  ];
}

/** The line under the roster: the cluster's throughput, when the backend gives it. */
function clusterLine(list: WorkerList): string {
  const a = list.activity;
  if (!a) return '';
  const span = a.window_seconds >= 599 ? '10 min' : `${Math.round(a.window_seconds)} s`;
  return `\n\nCluster: ${a.completed_per_minute.toFixed(1)} operations/min (last ${span}), ${a.completed_per_second.toFixed(2)}/s (last minute)`;
}

/** `ktrdr workers`. */
export function registerWorkerCommands(program: Command, action: ActionFactory): void {
  withExample(
    program
      .command('workers')
      .description(
        'The worker roster: id, type, status, GPU, endpoint, current operation, busy share and jobs/min over the last 10 minutes, last heartbeat; then the cluster throughput',
      )
      .option('--type <type>', 'only backtesting or training workers'),
    'ktrdr workers',
    'ktrdr --json workers --type training',
  ).action(
    action<{ type?: string }>(
      async (ctx, _args, opts) => {
        const list = await ctx
          .connection()
          .client.listWorkers(opts.type ? { worker_type: opts.type as Worker['worker_type'] } : {});
        ctx.output.result(list, () =>
          list.workers.length === 0
            ? 'No workers registered. Start one with `ktrdr-worker` (KTRDR_WORKER_TYPE=backtesting or training), or `npm start` for a local stack.'
            : `${renderTable(list.workers, workerColumns())}${clusterLine(list)}`,
        );
        return undefined;
      },
      { worker_type: '--type' },
    ),
  );
}
