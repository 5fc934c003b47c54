/** What `ktrdr` exits with; scripts branch on these (documented in `ktrdr --help`). */
export const ExitCode = {
  /** The command did what it was asked; a followed operation completed. */
  ok: 0,
  /** A followed operation failed, or the backend refused the request (a conflict). */
  failed: 1,
  /** Bad usage: an unknown flag, a missing argument, a value the backend rejected. */
  usage: 2,
  /** A followed operation ended cancelled. */
  cancelled: 3,
  /** The backend could not be reached. */
  unreachable: 4,
  /** The backend refused the token. */
  unauthorized: 5,
  /** Ctrl-C detached from a followed operation, which keeps running. */
  detached: 130,
} as const;
/** One of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI explains itself: printed as its message, exits with its code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    /** A machine-readable code for `--json` output. */
    readonly code: string = 'CLI_ERROR',
  ) {
    super(message);
  }
}

/** The help text's table of exit codes. */
export const EXIT_CODES_HELP = `Exit codes:
  0    completed (or the command did what it was asked)
  1    the operation failed, or the backend refused (a conflict)
  2    bad usage: an unknown flag, a missing argument, a value the backend rejected
  3    the operation was cancelled
  4    cannot reach the backend
  5    unauthorized: the backend refused the token
  130  detached by Ctrl-C (the operation keeps running)`;
