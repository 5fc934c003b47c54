import type { Command } from 'commander';
import { isTerminalStatus } from '@ktrdr/shared';
import { ExitCode } from '../exit-codes.js';
import { followAndReport } from '../follow/follow-flow.js';
import { withExample, type ActionFactory } from '../command-kit.js';
import { followOptions, startedThen } from './launch.js';

/** `ktrdr follow | cancel | resume | retry`. */
export function registerControlCommands(program: Command, action: ActionFactory): void {
  withExample(
    program
      .command('follow')
      .description(
        'Watch an operation with a live progress bar until it ends, then print its result',
      )
      .argument('<id>', 'an operation id')
      .option(
        '--cancel-on-interrupt',
        'Ctrl-C cancels the operation on the workers without asking (default: ask on a terminal, else detach)',
      ),
    'ktrdr follow op_training_20261128_154506_1a2b3c4d',
  ).action(
    action<{ cancelOnInterrupt?: boolean }>(async (ctx, [id], opts) =>
      followAndReport(ctx, id ?? '', opts),
    ),
  );

  withExample(
    program
      .command('cancel')
      .description(
        'Cancel a pending or running operation (on its worker too) and wait until it stops',
      )
      .argument('<id>', 'an operation id')
      .option('--reason <text>', 'recorded with the operation'),
    'ktrdr cancel op_backtesting_20261128_154506_1a2b3c4d --reason "wrong dates"',
  ).action(
    action<{ reason?: string }>(async (ctx, [id], opts) => {
      const { client } = ctx.connection();
      const op = await client.cancelOperation(
        id ?? '',
        opts.reason ?? 'cancelled from the ktrdr CLI',
      );
      if (!isTerminalStatus(op.status)) {
        ctx.output.result(
          op,
          () =>
            `${op.operation_id} is stopping (${op.status}); \`ktrdr follow ${op.operation_id}\` shows when it has.`,
        );
        return ExitCode.ok;
      }
      ctx.output.result(op, () => {
        const resumable = op.checkpoint_ref
          ? `\nIt has a checkpoint (${op.checkpoint_ref}): \`ktrdr resume ${op.operation_id}\` continues from there.`
          : '';
        return `${op.operation_id} ${op.status}${resumable}`;
      });
      return ExitCode.ok;
    }),
  );

  withExample(
    followOptions(
      program
        .command('resume')
        .description(
          'Continue a failed or cancelled operation from its last checkpoint (same id, next attempt)',
        )
        .argument('<id>', 'an operation id'),
    ),
    'ktrdr resume op_training_20261128_154506_1a2b3c4d --follow',
  ).action(
    action<{ follow?: boolean; cancelOnInterrupt?: boolean }>(async (ctx, [id], opts) =>
      startedThen(ctx, await ctx.connection().client.resumeOperation(id ?? ''), opts),
    ),
  );

  withExample(
    followOptions(
      program
        .command('retry')
        .description('Run an ended operation again from scratch, as a new operation')
        .argument('<id>', 'an operation id'),
    ),
    'ktrdr retry op_backtesting_20261128_154506_1a2b3c4d --follow',
  ).action(
    action<{ follow?: boolean; cancelOnInterrupt?: boolean }>(async (ctx, [id], opts) =>
      startedThen(ctx, await ctx.connection().client.retryOperation(id ?? ''), opts),
    ),
  );
}
