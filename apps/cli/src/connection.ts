import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pinnedAgent } from '@ktrdr/server-kit/tls-pin';
import { BackendClient } from '@ktrdr/shared';
import { CliError, ExitCode } from './exit-codes.js';

/** The global flags every command accepts. */
export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Where the CLI talks to, with which token, and where that token came from (for messages). */
export interface Connection {
  url: string;
  token: string | undefined;
  /** e.g. `the --token flag`, `KTRDR_CLUSTER_TOKEN`, `/home/me/.ktrdr/cluster-token`. */
  tokenSource: string;
  client: BackendClient;
}

const DEFAULT_URL = 'http://localhost:8000';

/** The data dir the backend and the desktop app default to, so the CLI finds their token file. */
export function dataDir(env: NodeJS.ProcessEnv): string {
  return env.KTRDR_DATA_DIR || join(homedir(), '.ktrdr');
}

/** The backend URL: `--url`, else `KTRDR_BACKEND_URL`, else localhost:8000. Validated. */
export function resolveUrl(flags: GlobalOptions, env: NodeJS.ProcessEnv): string {
  const raw = flags.url ?? (env.KTRDR_BACKEND_URL || DEFAULT_URL);
  const from = flags.url !== undefined ? '--url' : env.KTRDR_BACKEND_URL ? 'KTRDR_BACKEND_URL' : '';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(
      `${from}: "${raw}" is not a URL; give one like http://localhost:8000`,
      ExitCode.usage,
      'BAD_USAGE',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(
      `${from}: "${raw}" must start with http:// or https://`,
      ExitCode.usage,
      'BAD_USAGE',
    );
  return raw.replace(/\/+$/, '');
}

/** The token: `--token`, else `KTRDR_CLUSTER_TOKEN`, else the token file in the data dir. */
export function resolveToken(
  flags: GlobalOptions,
  env: NodeJS.ProcessEnv,
): { token: string | undefined; source: string } {
  if (flags.token !== undefined) return { token: flags.token, source: 'the --token flag' };
  if (env.KTRDR_CLUSTER_TOKEN)
    return { token: env.KTRDR_CLUSTER_TOKEN, source: 'KTRDR_CLUSTER_TOKEN' };
  const file = join(dataDir(env), 'cluster-token');
  try {
    return { token: readFileSync(file, 'utf8').trim() || undefined, source: file };
  } catch {
    return {
      token: undefined,
      source: `nowhere: no --token, no KTRDR_CLUSTER_TOKEN, and no file ${file}`,
    };
  }
}

/**
 * An https backend with a self-signed certificate (its TLS mode): KTRDR_BACKEND_FINGERPRINT
 * names the one certificate to trust, as the join command and the backend's banner give it.
 */
function pinning(url: string, env: NodeJS.ProcessEnv): { dispatcher?: unknown } {
  const raw = env.KTRDR_BACKEND_FINGERPRINT?.trim();
  if (!raw || !url.startsWith('https:')) return {};
  try {
    return { dispatcher: pinnedAgent(raw) };
  } catch (error) {
    throw new CliError((error as Error).message, ExitCode.usage, 'BAD_USAGE');
  }
}

/** Resolves the flags and environment into a client. */
export function connect(flags: GlobalOptions, env: NodeJS.ProcessEnv): Connection {
  const url = resolveUrl(flags, env);
  const { token, source } = resolveToken(flags, env);
  return {
    url,
    token,
    tokenSource: source,
    client: new BackendClient({
      baseUrl: url,
      token,
      timeoutMs: 30_000,
      ...pinning(url, env),
    }),
  };
}
