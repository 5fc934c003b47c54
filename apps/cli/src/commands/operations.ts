import type { Command } from 'commander';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  JobKindRegistry,
  OPERATION_STATUSES,
  OPERATION_TYPES,
  builtInJobKinds,
  type JobKindModule,
  type Operation,
  type OperationListQuery,
} from '@ktrdr/shared';
import { etaText, progressText } from '../follow/progress-text.js';
import { bar } from '../follow/progress-view.js';
import { outcomeLine, whatItRuns } from '../follow/summary.js';
import { ago, timestamp } from '../output/format.js';
import { renderPairs, renderTable, type Column } from '../output/table.js';
import { choiceFlag, integerFlag, withExample, type ActionFactory } from '../command-kit.js';
import { workerColumns } from './workers.js';

/**
 * The job kinds whose labels `ktrdr ops` shows: the built-in ones, plus those of the
 * `KTRDR_JOB_KINDS` modules (the variable workers load extra kinds from).
 */
async function knownKinds(env: NodeJS.ProcessEnv): Promise<JobKindRegistry> {
  const specifiers = (env.KTRDR_JOB_KINDS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (specifiers.length === 0) return builtInJobKinds;
  const extra = await Promise.all(
    specifiers.map(async (specifier) => {
      const url = /^file:/.test(specifier)
        ? specifier
        : pathToFileURL(isAbsolute(specifier) ? specifier : resolve(specifier)).href;
      return ((await import(url)) as { default: JobKindModule }).default.kind;
    }),
  );
  return new JobKindRegistry(extra);
}

/** What an operation runs, led by its kind's label (`Backtest · sma_crossover on SP500 1d …`). */
function kindLine(kinds: JobKindRegistry, op: Operation): string {
  const what = kinds.describe(op) || whatItRuns(op);
  return [kinds.label(op.operation_type), what].filter(Boolean).join(' · ');
}

const operationColumns = (
  kinds: JobKindRegistry = builtInJobKinds,
  now = Date.now(),
): Column<Operation>[] => [
  { header: 'ID', value: (o) => o.operation_id },
  { header: 'TYPE', value: (o) => o.operation_type },
  { header: 'STATUS', value: (o) => o.status },
  { header: 'PROGRESS', value: (o) => `${o.progress.percentage.toFixed(1)}%`, align: 'right' },
  { header: 'WHAT', value: (o) => kindLine(kinds, o) },
  { header: 'WORKER', value: (o) => o.worker_id ?? '—' },
  { header: 'CREATED', value: (o) => ago(o.created_at, now), align: 'right' },
];

/** One operation in detail. */
function operationDetail(op: Operation): string {
  const pairs: [string, string][] = [
    ['status', op.status + (op.queue_position ? ` (queue position ${op.queue_position})` : '')],
    ['type', op.operation_type],
    ['runs', whatItRuns(op) || '—'],
    ['progress', `▕${bar(op.progress.percentage, 20)}▏ ${op.progress.percentage.toFixed(1)}%`],
    ['step', progressText(op) || '—'],
  ];
  const eta = etaText(op);
  if (eta) pairs.push(['eta', eta.replace('ETA ', '')]);
  pairs.push(
    ['worker', op.worker_id ?? '—'],
    ['attempt', String(op.attempt)],
    ['routing', op.routing_reason ?? '—'],
    ['created', timestamp(op.created_at)],
    ['started', timestamp(op.started_at)],
    ['ended', timestamp(op.completed_at)],
  );
  if (op.error_message) pairs.push(['error', op.error_message]);
  if (op.checkpoint_ref) pairs.push(['checkpoint', op.checkpoint_ref]);
  if (op.retry_of) pairs.push(['retry of', op.retry_of]);
  pairs.push(['strategy hash', op.provenance.strategy_hash ?? '—']);
  pairs.push(['data etag', op.provenance.data_etag ?? '—']);
  if (op.provenance.model_id) pairs.push(['model', op.provenance.model_id]);
  if (op.provenance.training_backend)
    pairs.push(['training backend', op.provenance.training_backend]);
  pairs.push(['code version', op.provenance.code_version]);
  return `${op.operation_id}\n${renderPairs(pairs)}`;
}

/** `ktrdr ops` and `ktrdr status`. */
export function registerOperationCommands(program: Command, action: ActionFactory): void {
  withExample(
    program
      .command('ops')
      .description('Operations, newest first')
      .option(
        '--status <status>',
        `only this status (${OPERATION_STATUSES.join(', ')})`,
        choiceFlag('--status', OPERATION_STATUSES),
      )
      .option(
        '--type <type>',
        `only this type (${OPERATION_TYPES.join(', ')})`,
        choiceFlag('--type', OPERATION_TYPES),
      )
      .option('--limit <n>', 'at most n (default 20)', integerFlag('--limit'), 20)
      .option('--active', 'only pending and running ones'),
    'ktrdr ops --active',
    'ktrdr ops --type training --status completed --limit 5',
  ).action(
    action<{
      status?: Operation['status'];
      type?: Operation['operation_type'];
      limit: number;
      active?: boolean;
    }>(
      async (ctx, _args, opts) => {
        const query: OperationListQuery = { limit: opts.limit };
        if (opts.status) query.status = opts.status;
        if (opts.type) query.operation_type = opts.type;
        if (opts.active) query.active_only = true;
        const list = await ctx.connection().client.listOperations(query);
        const kinds = await knownKinds(ctx.terminal.env);
        ctx.output.result(list, () => {
          if (list.operations.length === 0) return 'No operations match.';
          const more =
            list.total_count > list.operations.length
              ? `\n(${list.operations.length} of ${list.total_count}; --limit shows more)`
              : '';
          return `${renderTable(list.operations, operationColumns(kinds))}${more}`;
        });
        return undefined;
      },
      { limit: '--limit', status: '--status', operation_type: '--type' },
    ),
  );

  withExample(
    program
      .command('status')
      .description(
        'One operation in detail, or (without an id) a dashboard of workers and active operations',
      )
      .argument('[id]', 'an operation id'),
    'ktrdr status',
    'ktrdr status op_backtesting_20261128_154506_1a2b3c4d',
  ).action(
    action(async (ctx, [id]) => {
      const { client } = ctx.connection();
      if (id) {
        const op = await client.getOperation(id);
        ctx.output.result(op, () => operationDetail(op));
        return undefined;
      }
      const [workers, active, recent] = await Promise.all([
        client.listWorkers(),
        client.listOperations({ active_only: true, limit: 50 }),
        client.listOperations({ limit: 5 }),
      ]);
      const ended = recent.operations.filter(
        (o) => o.status !== 'pending' && o.status !== 'running',
      );
      ctx.output.result(
        { workers: workers.workers, operations: active.operations, recent: ended },
        () => {
          const counts = (type: string) => {
            const of = workers.workers.filter((w) => w.worker_type === type);
            const by = (s: string) => of.filter((w) => w.status === s).length;
            return `${of.length} ${type} (${by('available')} available, ${by('busy')} busy, ${by('temporarily_unavailable')} unavailable)`;
          };
          const lines = [`Workers: ${counts('backtesting')}; ${counts('training')}`];
          if (workers.workers.length) lines.push(renderTable(workers.workers, workerColumns()));
          lines.push('', `Active operations: ${active.total_count}`);
          for (const op of active.operations) {
            const eta = etaText(op);
            lines.push(
              `  ${op.operation_id}  ▕${bar(op.progress.percentage, 20)}▏ ${op.progress.percentage.toFixed(1).padStart(5)}%  ${progressText(op)}${eta ? `  ${eta}` : ''}`,
            );
          }
          if (ended.length) {
            lines.push('', 'Recently ended:');
            for (const op of ended) lines.push(`  ${outcomeLine(op)}`);
          }
          return lines.join('\n');
        },
      );
      return undefined;
    }),
  );
}
