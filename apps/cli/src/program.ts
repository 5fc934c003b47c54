import { Command, CommanderError } from 'commander';
import { withExample, type ActionFactory } from './command-kit.js';
import { commandContext } from './context.js';
import type { GlobalOptions } from './connection.js';
import { CliError, EXIT_CODES_HELP, ExitCode, type ExitCodeValue } from './exit-codes.js';
import { explainFailure } from './failures.js';
import type { Terminal } from './terminal.js';
import { registerCatalogCommands } from './commands/catalog.js';
import { registerControlCommands } from './commands/control.js';
import { registerDataCommands } from './commands/data.js';
import { registerLaunchCommands } from './commands/launch.js';
import { registerMachineCommands } from './commands/machine.js';
import { registerOperationCommands } from './commands/operations.js';
import { registerReportCommand } from './commands/report.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerWorkerCommands } from './commands/workers.js';

function buildProgram(terminal: Terminal, setExit: (code: ExitCodeValue) => void): Command {
  const program = new Command('ktrdr')
    .description(
      'Launch, follow, cancel and inspect ktrdr backtests, training runs and data downloads.',
    )
    .option('--url <url>', 'backend URL (env KTRDR_BACKEND_URL, default http://localhost:8000)')
    .option(
      '--token <token>',
      'cluster token (env KTRDR_CLUSTER_TOKEN, else the cluster-token file in KTRDR_DATA_DIR, default ~/.ktrdr)',
    )
    .option('--json', "machine-readable output: one JSON document on stdout, the API's shapes")
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => terminal.stdout.write(text),
      writeErr: (text) => terminal.stderr.write(text),
    })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`);
  withExample(program, 'ktrdr backtest sma_crossover --follow', 'ktrdr --json ops --active');

  const action: ActionFactory =
    (handler, fieldFlags) =>
    async (...args) => {
      const command = args[args.length - 1] as Command;
      const opts = args[args.length - 2] as Parameters<typeof handler>[2];
      const positional = args
        .slice(0, -2)
        .flatMap((a) => (Array.isArray(a) ? (a as string[]) : typeof a === 'string' ? [a] : []));
      const flags = command.optsWithGlobals<GlobalOptions>();
      const ctx = commandContext(terminal, flags);
      try {
        setExit((await handler(ctx, positional, opts)) ?? ExitCode.ok);
      } catch (error) {
        let where = { url: flags.url ?? '(unknown)', tokenSource: '(unknown)' };
        try {
          const { url, tokenSource } = ctx.connection();
          where = { url, tokenSource };
        } catch {
          // the connection itself was the problem; the error says so
        }
        const failure = explainFailure(error, { ...where, fieldFlags });
        ctx.output.failure(failure);
        setExit(failure.exitCode);
      }
    };

  // every subcommand inherits the same output, error and exit behaviour
  const inherit = (parent: Command) => {
    for (const sub of parent.commands) {
      sub
        .exitOverride()
        .showHelpAfterError('(run with --help for usage)')
        .configureOutput({
          writeOut: (text) => terminal.stdout.write(text),
          writeErr: (text) => terminal.stderr.write(text),
        });
      inherit(sub);
    }
  };

  registerWorkerCommands(program, action);
  registerOperationCommands(program, action);
  registerLaunchCommands(program, action);
  registerSweepCommand(program, action);
  registerReportCommand(program, action);
  registerDataCommands(program, action);
  registerControlCommands(program, action);
  registerCatalogCommands(program, action);
  registerTokenCommands(program, action);
  registerMachineCommands(program, action);
  inherit(program);
  return program;
}

/**
 * Runs `ktrdr` with `argv` (without the node and script paths) and resolves with the exit
 * code; never calls `process.exit` itself.
 */
export async function runCli(argv: string[], terminal: Terminal): Promise<number> {
  let exitCode: ExitCodeValue = ExitCode.ok;
  const program = buildProgram(terminal, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      terminal.stderr.write(`ktrdr: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  return exitCode;
}
