import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WORKER_TYPES, type WorkerType } from '@ktrdr/shared';

/** Everything a worker needs, validated once at start-up (DESIGN.md §2). */
export interface WorkerConfig {
  workerType: WorkerType;
  backendUrl: string;
  token: string;
  /** Bind address (default 0.0.0.0 so the backend can call back from the LAN). */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The URL the backend must use to reach this worker; derived when absent. */
  publicUrl?: string | undefined;
  /** Stable id; `<type>-<hostname>-<port>` when absent. */
  workerId?: string | undefined;
  cacheDir: string;
  /** How long a cancelled job may take to stop before its thread is terminated. */
  cancelDeadlineMs: number;
  /** How long SIGTERM waits for a running job before stopping it. */
  shutdownGraceMs: number;
  /**
   * Caps backtest speed (bars per second) so a short demo run can be watched and
   * cancelled; unset in production. Tests use it instead of giant data sets.
   */
  throttleBarsPerSecond?: number | undefined;
  logLevel: string;
}

/** Default port per worker type (DESIGN.md §1). */
export const DEFAULT_WORKER_PORTS: Record<WorkerType, number> = {
  backtesting: 5003,
  training: 5004,
};

/** An invalid setting; the message names the variable. */
export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
}

const FLAGS: Record<string, string> = {
  '--type': 'KTRDR_WORKER_TYPE',
  '--backend-url': 'KTRDR_BACKEND_URL',
  '--token': 'KTRDR_CLUSTER_TOKEN',
  '--host': 'KTRDR_WORKER_HOST',
  '--port': 'KTRDR_WORKER_PORT',
  '--public-url': 'KTRDR_WORKER_PUBLIC_URL',
  '--id': 'KTRDR_WORKER_ID',
  '--cache-dir': 'KTRDR_CACHE_DIR',
  '--log-level': 'KTRDR_LOG_LEVEL',
};

/** Usage text of `ktrdr-worker --help`. */
export const WORKER_USAGE = `Usage: ktrdr-worker --type backtesting|training [--backend-url URL] [--token TOKEN]
                    [--port N] [--public-url URL] [--id ID] [--cache-dir DIR]

Starts a worker that registers with the backend and runs the jobs it is sent.
Flags override environment variables: KTRDR_WORKER_TYPE, KTRDR_BACKEND_URL
(http://localhost:8000), KTRDR_CLUSTER_TOKEN (required), KTRDR_WORKER_HOST (0.0.0.0),
KTRDR_WORKER_PORT (5003 backtesting / 5004 training; 0 = any free port),
KTRDR_WORKER_PUBLIC_URL (the URL the backend calls back; default
http://<first non-loopback address>:<port>), KTRDR_WORKER_ID, KTRDR_CACHE_DIR.

Example:
  KTRDR_CLUSTER_TOKEN=$(cat ~/.ktrdr/cluster-token) ktrdr-worker --type backtesting --port 0`;

function positiveNumber(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new WorkerConfigError(`${name}="${raw}" must be a positive number`);
  return n;
}

/** Reads the configuration from environment and flags (flags win). */
export function loadWorkerConfig(
  env: NodeJS.ProcessEnv,
  argv: readonly string[] = [],
): WorkerConfig {
  const values: Record<string, string | undefined> = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    const variable = FLAGS[flag];
    if (!variable) throw new WorkerConfigError(`unknown option "${arg}"; see --help`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new WorkerConfigError(`${flag} needs a value`);
    values[variable] = value;
  }
  const type = values.KTRDR_WORKER_TYPE;
  if (!type || !(WORKER_TYPES as readonly string[]).includes(type)) {
    throw new WorkerConfigError(
      `KTRDR_WORKER_TYPE (--type) must be one of: ${WORKER_TYPES.join(', ')}${type ? ` (got "${type}")` : ''}`,
    );
  }
  const workerType = type as WorkerType;
  const backendUrl = (values.KTRDR_BACKEND_URL ?? 'http://localhost:8000').replace(/\/+$/, '');
  try {
    const u = new URL(backendUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new WorkerConfigError(`KTRDR_BACKEND_URL="${backendUrl}" is not an http(s) URL`);
  }
  const token = values.KTRDR_CLUSTER_TOKEN?.trim();
  if (!token) {
    throw new WorkerConfigError(
      "KTRDR_CLUSTER_TOKEN (--token) is required: copy it from the backend's data dir (~/.ktrdr/cluster-token)",
    );
  }
  let port = DEFAULT_WORKER_PORTS[workerType];
  if (values.KTRDR_WORKER_PORT !== undefined && values.KTRDR_WORKER_PORT !== '') {
    const raw = values.KTRDR_WORKER_PORT.trim();
    port = Number(raw);
    if (!/^\d+$/.test(raw) || port > 65535)
      throw new WorkerConfigError(
        `KTRDR_WORKER_PORT="${raw}" is not a port number (0 picks a free one)`,
      );
  }
  let publicUrl = values.KTRDR_WORKER_PUBLIC_URL?.trim() || undefined;
  if (publicUrl) {
    try {
      new URL(publicUrl);
    } catch {
      throw new WorkerConfigError(`KTRDR_WORKER_PUBLIC_URL="${publicUrl}" is not a URL`);
    }
    publicUrl = publicUrl.replace(/\/+$/, '');
  }
  return {
    workerType,
    backendUrl,
    token,
    host: values.KTRDR_WORKER_HOST?.trim() || '0.0.0.0',
    port,
    publicUrl,
    workerId: values.KTRDR_WORKER_ID?.trim() || undefined,
    cacheDir: resolve(values.KTRDR_CACHE_DIR?.trim() || join(tmpdir(), 'ktrdr-worker')),
    cancelDeadlineMs: 5000,
    shutdownGraceMs: 20_000,
    throttleBarsPerSecond: values.KTRDR_WORKER_THROTTLE_BARS_PER_SEC
      ? positiveNumber(
          'KTRDR_WORKER_THROTTLE_BARS_PER_SEC',
          values.KTRDR_WORKER_THROTTLE_BARS_PER_SEC,
        )
      : undefined,
    logLevel: values.KTRDR_LOG_LEVEL?.trim().toLowerCase() || 'info',
  };
}

/** The first non-loopback IPv4 address of this machine, or 127.0.0.1 when it has none. */
export function firstLanAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

/** `<type>-<hostname>-<port>`, with characters outside the id alphabet replaced. */
export function defaultWorkerId(type: WorkerType, port: number): string {
  return `${type}-${hostname()}-${port}`.replace(/[^A-Za-z0-9._:-]/g, '-');
}
