import type { Command } from 'commander';
import { ApiError, type ModelSummary, type StrategySummary } from '@ktrdr/shared';
import { ExitCode } from '../exit-codes.js';
import { readArgumentFile } from '../input-file.js';
import { day, fixed, percentOf, timestamp } from '../output/format.js';
import { renderPairs, renderTable } from '../output/table.js';
import { withExample, type ActionFactory } from '../command-kit.js';

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const clip = (text: string, width: number) =>
  text.length <= width ? text : `${text.slice(0, width - 1)}…`;

/** `ktrdr strategies list | show | validate` and `ktrdr models list | show`. */
export function registerCatalogCommands(program: Command, action: ActionFactory): void {
  const strategies = program.command('strategies').description('Strategies stored in the backend');

  withExample(
    strategies.command('list').description('Every strategy: name, type, version, default data'),
    'ktrdr strategies list',
  ).action(
    action(async (ctx) => {
      const list = await ctx.connection().client.listStrategies();
      ctx.output.result(list, () =>
        renderTable<StrategySummary>(list.strategies, [
          { header: 'NAME', value: (s) => s.name },
          { header: 'TYPE', value: (s) => s.type },
          { header: 'VERSION', value: (s) => String(s.version), align: 'right' },
          {
            header: 'DATA',
            value: (s) =>
              s.data
                ? `${s.data.symbol ?? '?'} ${s.data.timeframe ?? ''} ${day(s.data.start_date)} → ${day(s.data.end_date)}`
                : '—',
          },
          { header: 'DESCRIPTION', value: (s) => clip(s.description, 60) },
        ]),
      );
      return undefined;
    }),
  );

  withExample(
    strategies
      .command('show')
      .description('One strategy as YAML (the current version, or an earlier one by hash)')
      .argument('<name>', 'strategy name')
      .option('--hash <hash>', 'an earlier version (operations record the hash they ran)'),
    'ktrdr strategies show sma_crossover',
  ).action(
    action<{ hash?: string }>(
      async (ctx, [name], opts) => {
        const doc = await ctx.connection().client.getStrategy(name ?? '', opts.hash);
        ctx.output.result(
          doc,
          () => `# ${doc.name} · version ${doc.version} · hash ${doc.hash}\n${doc.yaml}`,
        );
        return undefined;
      },
      { hash: '--hash' },
    ),
  );

  withExample(
    strategies
      .command('validate')
      .description('Check a strategy YAML file against the backend without storing it')
      .argument('<file>', 'path of the YAML file'),
    'ktrdr strategies validate ./my_cross.yaml',
  ).action(
    action(async (ctx, [file]) => {
      const yaml = (await readArgumentFile('<file>', file)).toString('utf8');
      try {
        const checked = await ctx.connection().client.validateStrategy(yaml);
        ctx.output.result(checked, () => {
          const saving =
            checked.stored_hash === null
              ? 'not stored yet'
              : checked.stored_hash === checked.hash
                ? 'identical to the stored version'
                : 'differs from the stored version (saving makes a new version)';
          return `✔ ${file}: valid ${checked.type} strategy "${checked.name}" (hash ${checked.hash}; indicators ${checked.indicators.join(', ')}; ${saving})`;
        });
        return ExitCode.ok;
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 400) throw error;
        const issues = Array.isArray(error.details?.issues)
          ? (error.details.issues as { path: string; message: string }[])
          : [{ path: '', message: error.message }];
        ctx.output.result({ valid: false, issues }, () =>
          [
            `✖ ${file}: invalid`,
            ...issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}`),
          ].join('\n'),
        );
        return ExitCode.failed;
      }
    }),
  );

  const models = program.command('models').description('Trained models');

  withExample(
    models
      .command('list')
      .description('Trained models, newest first: strategy, data, test accuracy, backend'),
    'ktrdr models list',
  ).action(
    action(async (ctx) => {
      const list = await ctx.connection().client.listModels();
      ctx.output.result(list, () =>
        list.models.length === 0
          ? 'No models yet. Train one: ktrdr train neuro_fuzzy_example --follow'
          : renderTable<ModelSummary>(list.models, [
              { header: 'MODEL', value: (m) => m.model_id },
              { header: 'STRATEGY', value: (m) => m.strategy_name },
              {
                header: 'DATA',
                value: (m) => `${m.symbol} ${m.timeframe} ${day(m.start)} → ${day(m.end)}`,
              },
              {
                header: 'TEST ACC',
                value: (m) => percentOf(num(m.metrics.test_accuracy), 1),
                align: 'right',
              },
              {
                header: 'VAL LOSS',
                value: (m) => fixed(num(m.metrics.best_val_loss), 4),
                align: 'right',
              },
              { header: 'BACKEND', value: (m) => m.training_backend },
              { header: 'CREATED', value: (m) => timestamp(m.created_at) },
            ]),
      );
      return undefined;
    }),
  );

  withExample(
    models
      .command('show')
      .description(
        'One model: its figures and lineage (strategy version, data, seed, backend, operation)',
      )
      .argument('<id>', 'a model id'),
    'ktrdr models show mdl_neuro_fuzzy_example_20261128_154506_1a2b3c4d',
  ).action(
    action(async (ctx, [id]) => {
      const m = await ctx.connection().client.getModel(id ?? '');
      ctx.output.result(
        m,
        () =>
          `${m.model_id}\n${renderPairs([
            ['strategy', `${m.strategy_name} (hash ${m.strategy_hash})`],
            ['data', `${m.symbol} ${m.timeframe} ${day(m.start)} → ${day(m.end)}`],
            ['features', `hash ${m.feature_spec_hash}`],
            ['seed', String(m.seed)],
            ['backend', m.training_backend],
            ['operation', m.operation_id ?? '—'],
            ['created', timestamp(m.created_at)],
            ...Object.entries(m.metrics).map(
              ([k, v]) => [k.replace(/_/g, ' '), String(v)] as [string, string],
            ),
          ])}`,
      );
      return undefined;
    }),
  );
}
