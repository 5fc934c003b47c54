import { ApiError, ConnectionError } from '@ktrdr/shared';
import { CliError, ExitCode } from './exit-codes.js';

/** What the CLI needs to know to explain a failure. */
export interface FailureContext {
  url: string;
  tokenSource: string;
  /** API field → the flag or argument that set it, so a message points at what to change. */
  fieldFlags?: Record<string, string>;
}

const CONNECTION_FAILURES: Partial<Record<ConnectionError['kind'], string>> = {
  refused: 'connection refused',
  timeout: 'no answer in time',
  unreachable: 'host unreachable',
  reset: 'connection reset',
};

/** The innermost reason in a chain of causes (fetch wraps the socket's error). */
function causeMessage(error: Error): string {
  let message = error.message;
  for (let e: unknown = error.cause, depth = 0; e && depth < 5; depth++) {
    const { message: inner, cause } = e as { message?: unknown; cause?: unknown };
    if (typeof inner === 'string' && inner) message = inner;
    e = cause;
  }
  return message;
}

/**
 * Turns whatever a command threw into a {@link CliError} with the exit code the help
 * promises and a message that says what to do next.
 */
export function explainFailure(error: unknown, context: FailureContext): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ConnectionError) {
    const why = CONNECTION_FAILURES[error.kind] ?? causeMessage(error);
    return new CliError(
      `cannot reach the backend at ${context.url} (${why}).\n` +
        `Start one: \`npm start\` in the ktrdr folder (the desktop stack) or \`ktrdr-backend\`;\n` +
        `or point --url / KTRDR_BACKEND_URL at a running backend.`,
      ExitCode.unreachable,
      'UNREACHABLE',
    );
  }
  if (error instanceof ApiError) {
    if (error.status === 401) {
      return new CliError(
        `the backend at ${context.url} refused the token (401 unauthorized).\n` +
          `The token was read from ${context.tokenSource}.\n` +
          `Pass --token, set KTRDR_CLUSTER_TOKEN, or set KTRDR_DATA_DIR to the backend's data dir (its cluster-token file).`,
        ExitCode.unauthorized,
        'UNAUTHORIZED',
      );
    }
    if (error.status === 400 || error.status === 404) {
      return new CliError(withFlagHint(error, context.fieldFlags), ExitCode.usage, error.code);
    }
    if (error.status === 503 && error.code === 'WORKER_UNAVAILABLE') {
      const hint = typeof error.details?.hint === 'string' ? `\n${error.details.hint}` : '';
      return new CliError(`${error.message}${hint}`, ExitCode.failed, error.code);
    }
    return new CliError(error.message, ExitCode.failed, error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(message, ExitCode.failed, 'CLI_ERROR');
}

function withFlagHint(error: ApiError, fieldFlags: Record<string, string> = {}): string {
  const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
  const root = field?.split('.')[0];
  const flag = root ? fieldFlags[root] : undefined;
  return flag ? `${error.message} (set by ${flag})` : error.message;
}
