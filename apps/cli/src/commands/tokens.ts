import { InvalidArgumentError, type Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { withExample, type ActionFactory } from '../command-kit.js';

const KINDS = ['admin', 'join', 'workers'] as const;

/** `ktrdr token rotate admin|join|workers`. */
export function registerTokenCommands(program: Command, action: ActionFactory): void {
  const token = program
    .command('token')
    .description('Rotate the secrets of the cluster (needs the admin token)');
  withExample(
    token
      .command('rotate')
      .description(
        "Replace the admin token (UI, CLI, API) or the join token (registers workers), or revoke every worker's credential; nothing restarts",
      )
      .argument('<kind>', 'admin | join | workers', (value: string) => {
        if (!(KINDS as readonly string[]).includes(value))
          throw new InvalidArgumentError(`must be one of ${KINDS.join(', ')}`);
        return value;
      }),
    'ktrdr token rotate join',
  ).action(
    action(async (ctx, [kind]) => {
      const { client } = ctx.connection();
      const answer = await client.rotateToken(kind as (typeof KINDS)[number]);
      ctx.output.result(answer, () =>
        [answer.token ? `new ${answer.kind} token: ${answer.token}` : undefined, answer.note]
          .filter(Boolean)
          .join('\n'),
      );
      return ExitCode.ok;
    }),
  );
}
