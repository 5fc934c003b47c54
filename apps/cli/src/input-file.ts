import { readFile } from 'node:fs/promises';
import { CliError, ExitCode } from './exit-codes.js';

/** Reads the file a positional argument names; an unreadable one is bad usage naming it. */
export async function readArgumentFile(
  argument: string,
  path: string | undefined,
): Promise<Buffer> {
  try {
    return await readFile(path ?? '');
  } catch (error) {
    throw new CliError(
      `${argument}: cannot read "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      ExitCode.usage,
      'BAD_USAGE',
    );
  }
}
