// What a command module declares itself with: the handler it registers, the example its
// help ends with, the parsers of its flags. Kept apart from program.ts, which imports every
// command module, so that no command imports the program back.
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from './context.js';
import type { ExitCodeValue } from './exit-codes.js';

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
