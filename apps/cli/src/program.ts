import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { commandContext, type CommandContext } from './context.js';
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
import { registerSweepCommand } from './commands/sweep.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerWorkerCommands } from './commands/workers.js';

/** A command's body: gets the context, its positional arguments and its own options. */
export type Handler<Opts> = (
  ctx: CommandContext,
  args: string[],
  opts: Opts,
) => Promise<ExitCodeValue | undefined>;

/**
 * Wraps a handler into a commander action: builds the context from the global flags, runs
 * it, and turns any failure into its message and exit code. `fieldFlags` maps API field
 * names to the flags that set them, so a 400 points at the flag to change.
 */
export type ActionFactory = <Opts>(
  handler: Handler<Opts>,
  fieldFlags?: Record<string, string>,
) => (...args: unknown[]) => Promise<void>;

/** Adds the example every command's `--help` ends with. */
export function withExample(command: Command, ...examples: string[]): Command {
  return command.addHelpText(
    'after',
    `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`,
  );
}

/** Parses a number flag, naming the flag when it is not one. */
export function numberFlag(name: string, check?: (n: number) => string | undefined) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value))
      throw new InvalidArgumentError(`${name} must be a number, got "${raw}"`);
    const problem = check?.(value);
    if (problem) throw new InvalidArgumentError(`${name} ${problem}, got "${raw}"`);
    return value;
  };
}

/** Parses a flag that takes one of `values`, naming the choices when it does not. */
export function choiceFlag<T extends string>(name: string, values: readonly T[]) {
  return (raw: string): T => {
    if ((values as readonly string[]).includes(raw)) return raw as T;
    throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}; got "${raw}"`);
  };
}

/** Parses an integer flag. */
export function integerFlag(name: string, min = 1) {
  return numberFlag(name, (n) =>
    Number.isInteger(n) && n >= min ? undefined : `must be a whole number ≥ ${min}`,
  );
}

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
