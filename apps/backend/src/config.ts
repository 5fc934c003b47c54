import type { AuthThrottleOptions } from '@ktrdr/server-kit';
import { homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  mergeFlags,
  parseBoolean,
  parseHttpUrl,
  parseLogLevel,
  parsePort,
} from '@ktrdr/server-kit';
import { DEFAULT_SWEEP_MAX_SETS, MAX_SHARD_SETS, MAX_SWEEP_SETS } from '@ktrdr/shared';
import { SQLITE_DRIVER_CHOICES, type SqliteDriverChoice } from './storage/sqlite.js';

export { ConfigError };

/** Everything the backend needs, validated once at start-up (the configuration table of the README). */
export interface BackendConfig {
  /** Bind address; `0.0.0.0` accepts LAN workers. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Database, strategies, artifacts, token and lock file live here. */
  dataDir: string;
  /** The bearer token; when absent it is read from, or generated into, `<dataDir>/cluster-token`. */
  clusterToken?: string | undefined;
  /** The join token (registers workers only); when absent, read from or generated into `<dataDir>/join-token`. */
  joinToken?: string | undefined;
  useIbHostService: boolean;
  ibHostServiceUrl: string;
  /** How often workers are asked to heartbeat. */
  heartbeatIntervalMs: number;
  /** Silent for this many heartbeats → `temporarily_unavailable`. */
  missedHeartbeats: number;
  /** A silent worker's checkpoint-less operation fails only after this grace. */
  workerGraceMs: number;
  /** A silent worker leaves the roster after this long. */
  workerRemovalMs: number;
  /** After a restart, a `running` operation no worker claims within this long fails over (or fails). */
  restartClaimMs: number;
  /** The most parameter sets one sweep may have (a request's max_sets can only lower it). */
  maxSweepSets: number;
  /** Sets per sweep shard; undefined: sized from the observed speed (about 0.5 s each). */
  sweepShardSets?: number | undefined;
  /** A checkpointed operation fails over to another worker at most this many times minus one. */
  maxLostAttempts: number;
  /** How long a worker may take to stop a cancelled job before the backend stops waiting. */
  cancelTimeoutMs: number;
  /** Folder with the bundled sample data and example strategies. */
  assetsDir: string;
  /** Pino level, or `silent`. */
  logLevel: string;
  /**
   * TLS: `off` (plain HTTP), `self-signed` (a certificate made once in `<dataDir>/tls`, whose
   * fingerprint the join command pins), or `files` (your own certificate and key).
   */
  tls: { mode: 'off' } | { mode: 'self-signed' } | { mode: 'files'; cert: string; key: string };
  /** How wrong tokens are slowed down (tests that send many on purpose relax it). */
  authThrottle?: AuthThrottleOptions | undefined;
  /** The built web UI served at `/` (none: the API only). */
  webDir?: string | undefined;
  /**
   * The SQLite driver: `auto` (node:sqlite where the runtime has it, else better-sqlite3),
   * or one of them (`KTRDR_SQLITE_DRIVER`). Absent: `auto`.
   */
  sqliteDriver?: SqliteDriverChoice | undefined;
}

/** The assets folder shipped inside this package. */
export const BUNDLED_ASSETS_DIR = fileURLToPath(new URL('../assets', import.meta.url));

/** Defaults for every field, with `dataDir` under the home folder. */
export function defaultBackendConfig(): BackendConfig {
  return {
    host: '127.0.0.1',
    port: 8000,
    dataDir: join(homedir(), '.ktrdr'),
    clusterToken: undefined,
    joinToken: undefined,
    tls: { mode: 'off' },
    useIbHostService: false,
    ibHostServiceUrl: 'http://localhost:5001',
    heartbeatIntervalMs: 1000,
    missedHeartbeats: 3,
    workerGraceMs: 60_000,
    workerRemovalMs: 60_000,
    restartClaimMs: 30_000,
    maxLostAttempts: 3,
    maxSweepSets: DEFAULT_SWEEP_MAX_SETS,
    cancelTimeoutMs: 8_000,
    assetsDir: BUNDLED_ASSETS_DIR,
    logLevel: 'info',
    webDir: defaultWebDir(),
    sqliteDriver: 'auto',
  };
}

/** The web UI built in this checkout (apps/desktop/dist/renderer), when it exists. */
export function defaultWebDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../desktop/dist/renderer', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

const FLAGS: Record<string, string> = {
  '--host': 'KTRDR_HOST',
  '--port': 'KTRDR_PORT',
  '--data-dir': 'KTRDR_DATA_DIR',
  '--log-level': 'KTRDR_LOG_LEVEL',
  '--web-dir': 'KTRDR_WEB_DIR',
  '--assets-dir': 'KTRDR_ASSETS_DIR',
};

/** Usage text of `ktrdr-backend --help`. */
export const BACKEND_USAGE = `Usage: ktrdr-backend [--host ADDR] [--port N] [--data-dir DIR] [--log-level LEVEL]

Starts the ktrdr orchestrator. Flags override environment variables:
  KTRDR_HOST (127.0.0.1; 0.0.0.0 accepts LAN workers), KTRDR_PORT (8000),
  KTRDR_DATA_DIR (~/.ktrdr), KTRDR_CLUSTER_TOKEN (the admin token; else
  <data dir>/cluster-token), KTRDR_JOIN_TOKEN (registers workers only; else <data dir>/join-token),
  USE_IB_HOST_SERVICE (false), IB_HOST_SERVICE_URL (http://localhost:5001),
  KTRDR_WORKER_GRACE_SECONDS (60: how long a silent worker's operation without a checkpoint
  waits before it fails), KTRDR_WORKER_REMOVAL_SECONDS (60: silence before a worker leaves
  the roster), KTRDR_RESTART_CLAIM_SECONDS (30: after a restart, how long an operation left
  running waits for its worker to claim it before it moves to another worker),
  KTRDR_SWEEP_MAX_SETS (100000, at most 1000000: the most parameter sets one sweep may
  have; KTRDR_SWEEP_MAX_CHILDREN is its old name), KTRDR_SWEEP_SHARD_SETS (sets per sweep
  shard; default: sized from the observed speed to run about half a second),
  KTRDR_TLS (off; self-signed: HTTPS with a certificate made once in <data dir>/tls, whose
  fingerprint the join command pins), KTRDR_TLS_CERT + KTRDR_TLS_KEY (your own certificate),
  KTRDR_SQLITE_DRIVER (auto: node:sqlite where this Node has it, else better-sqlite3; or
  node-sqlite, better-sqlite3), KTRDR_LOG_LEVEL (info).

Example:
  ktrdr-backend --port 8000 --data-dir ~/.ktrdr`;

function wholeNumber(name: string, raw: string, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}, got "${raw}"`);
  return value;
}

function seconds(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 86_400)
    throw new ConfigError(`${name} must be a number of seconds between 0 and 86400, got "${raw}"`);
  return Math.round(value * 1000);
}

/**
 * Reads the configuration from the environment and command-line flags (flags win).
 * Throws {@link ConfigError} naming the variable on any invalid value.
 */
export function loadBackendConfig(
  env: NodeJS.ProcessEnv,
  argv: readonly string[] = [],
): BackendConfig {
  const values = mergeFlags(env, argv, FLAGS);
  const config = defaultBackendConfig();
  if (values.KTRDR_HOST) config.host = values.KTRDR_HOST;
  if (values.KTRDR_PORT) config.port = parsePort('KTRDR_PORT', values.KTRDR_PORT);
  if (values.KTRDR_DATA_DIR)
    config.dataDir = resolve(values.KTRDR_DATA_DIR.replace(/^~(?=$|\/)/, homedir()));
  if (values.KTRDR_CLUSTER_TOKEN !== undefined && values.KTRDR_CLUSTER_TOKEN !== '') {
    if (values.KTRDR_CLUSTER_TOKEN.length < 16) {
      throw new ConfigError(
        'KTRDR_CLUSTER_TOKEN is too short: use at least 16 characters (or unset it to have one generated)',
      );
    }
    config.clusterToken = values.KTRDR_CLUSTER_TOKEN;
  }
  if (values.KTRDR_JOIN_TOKEN !== undefined && values.KTRDR_JOIN_TOKEN !== '') {
    if (values.KTRDR_JOIN_TOKEN.length < 16) {
      throw new ConfigError(
        'KTRDR_JOIN_TOKEN is too short: use at least 16 characters (or unset it to have one generated)',
      );
    }
    config.joinToken = values.KTRDR_JOIN_TOKEN;
  }
  if (values.KTRDR_TLS_CERT || values.KTRDR_TLS_KEY) {
    if (!values.KTRDR_TLS_CERT || !values.KTRDR_TLS_KEY)
      throw new ConfigError(
        'KTRDR_TLS_CERT and KTRDR_TLS_KEY go together: set both files, or neither',
      );
    config.tls = {
      mode: 'files',
      cert: resolve(values.KTRDR_TLS_CERT),
      key: resolve(values.KTRDR_TLS_KEY),
    };
  } else if (values.KTRDR_TLS) {
    const mode = values.KTRDR_TLS.trim().toLowerCase();
    if (mode === 'self-signed' || mode === 'on' || mode === 'true' || mode === '1')
      config.tls = { mode: 'self-signed' };
    else if (mode !== 'off' && mode !== 'false' && mode !== '0')
      throw new ConfigError(`KTRDR_TLS must be off or self-signed, got "${values.KTRDR_TLS}"`);
  }
  if (values.USE_IB_HOST_SERVICE !== undefined)
    config.useIbHostService = parseBoolean('USE_IB_HOST_SERVICE', values.USE_IB_HOST_SERVICE);
  if (values.IB_HOST_SERVICE_URL)
    config.ibHostServiceUrl = parseHttpUrl('IB_HOST_SERVICE_URL', values.IB_HOST_SERVICE_URL);
  if (values.KTRDR_WEB_DIR) config.webDir = resolve(values.KTRDR_WEB_DIR);
  if (values.KTRDR_ASSETS_DIR) config.assetsDir = resolve(values.KTRDR_ASSETS_DIR);
  if (values.KTRDR_LOG_LEVEL)
    config.logLevel = parseLogLevel('KTRDR_LOG_LEVEL', values.KTRDR_LOG_LEVEL);
  if (values.KTRDR_WORKER_GRACE_SECONDS)
    config.workerGraceMs = seconds('KTRDR_WORKER_GRACE_SECONDS', values.KTRDR_WORKER_GRACE_SECONDS);
  const maxSets = values.KTRDR_SWEEP_MAX_SETS ?? values.KTRDR_SWEEP_MAX_CHILDREN;
  if (maxSets) {
    const name = values.KTRDR_SWEEP_MAX_SETS ? 'KTRDR_SWEEP_MAX_SETS' : 'KTRDR_SWEEP_MAX_CHILDREN';
    config.maxSweepSets = wholeNumber(name, maxSets, MAX_SWEEP_SETS);
  }
  if (values.KTRDR_SWEEP_SHARD_SETS)
    config.sweepShardSets = wholeNumber(
      'KTRDR_SWEEP_SHARD_SETS',
      values.KTRDR_SWEEP_SHARD_SETS,
      MAX_SHARD_SETS,
    );
  if (values.KTRDR_SQLITE_DRIVER) {
    const driver = values.KTRDR_SQLITE_DRIVER.trim().toLowerCase();
    if (!(SQLITE_DRIVER_CHOICES as readonly string[]).includes(driver))
      throw new ConfigError(
        `KTRDR_SQLITE_DRIVER must be ${SQLITE_DRIVER_CHOICES.join(', ')}, got "${values.KTRDR_SQLITE_DRIVER}"`,
      );
    config.sqliteDriver = driver as SqliteDriverChoice;
  }
  if (values.KTRDR_RESTART_CLAIM_SECONDS)
    config.restartClaimMs = seconds(
      'KTRDR_RESTART_CLAIM_SECONDS',
      values.KTRDR_RESTART_CLAIM_SECONDS,
    );
  if (values.KTRDR_WORKER_REMOVAL_SECONDS)
    config.workerRemovalMs = seconds(
      'KTRDR_WORKER_REMOVAL_SECONDS',
      values.KTRDR_WORKER_REMOVAL_SECONDS,
    );
  return config;
}
