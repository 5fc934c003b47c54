import type { Command } from 'commander';
import type { Worker } from '@ktrdr/shared';
import { ago } from '../output/format.js';
import { renderTable, type Column } from '../output/table.js';
import { withExample, type ActionFactory } from '../command-kit.js';

/** The roster's columns: who, what kind, in what state, on what hardware, doing what. */
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
    { header: 'HEARTBEAT', value: (w) => ago(w.last_heartbeat_at, now), align: 'right' },
  ];
}

/** `ktrdr workers`. */
export function registerWorkerCommands(program: Command, action: ActionFactory): void {
  withExample(
    program
      .command('workers')
      .description(
        'The worker roster: id, type, status, GPU, endpoint, current operation, last heartbeat',
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
            : renderTable(list.workers, workerColumns()),
        );
        return undefined;
      },
      { worker_type: '--type' },
    ),
  );
}
