import { normalizeFingerprint } from '@ktrdr/server-kit/tls-pin';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WORKER_TYPES, type WorkerType } from '@ktrdr/shared';
import {
  ConfigError,
  mergeFlags,
  parseBoolean,
  parseHttpUrl,
  parseLogLevel,
  parsePort,
  parsePositive,
} from '@ktrdr/server-kit';
import { TRAINING_BACKENDS, type TrainingBackendPreference } from './training/backend-loader.js';

/** An invalid worker setting (the message names the variable). */
export const WorkerConfigError = ConfigError;

/** Everything a worker needs, validated once at start-up (the configuration table of the README). */
export interface WorkerConfig {
  workerType: WorkerType;
  backendUrl: string;
  /**
   * The token to register with: the join token (KTRDR_JOIN_TOKEN), or the admin token
   * (KTRDR_CLUSTER_TOKEN). After registering, the worker uses its own credential.
   */
  token: string;
  /** The SHA-256 fingerprint of the backend's self-signed certificate to trust (TLS mode). */
  backendFingerprint?: string | undefined;
  /** True when `token` is the admin token (then it is also accepted on this worker's routes). */
  tokenIsAdmin?: boolean;
  /** Bind address (default 0.0.0.0 so the backend can call back from the LAN). */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The URL the backend must use to reach this worker; derived when absent. */
  publicUrl?: string | undefined;
  /**
   * The host (name or address) to advertise with the port actually bound: for replicas that
   * pick a free port (`KTRDR_WORKER_PORT=0`), where a whole URL cannot be known in advance.
   */
  publicHost?: string | undefined;
  /**
   * `direct`: the backend calls this worker's URL; `reverse`: it cannot (NAT, Docker Desktop,
   * a firewall), so the worker holds a channel open to the backend instead.
   */
  connection?: 'direct' | 'reverse' | undefined;
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
  /** A running backtest saves a checkpoint at most this often (seconds). */
  checkpointSeconds: number;
  /** The TensorFlow.js backend a training worker uses (`auto`: the fastest that loads). */
  trainingBackend: TrainingBackendPreference;
  /**
   * The training host service: a training worker run natively that must train on a GPU;
   * it refuses to start (and says why) when no GPU backend loads.
   */
  gpuHost: boolean;
  logLevel: string;
  /**
   * Modules of extra job kinds to run (KTRDR_JOB_KINDS, comma-separated paths or file URLs),
   * each default-exporting `{kind, handlerModule}`: a plugin's, or a test's.
   */
  jobKindModules?: readonly string[] | undefined;
}

/** The training host service's port (docs/architecture.md, "Processes"). */
export const GPU_HOST_PORT = 5002;

/** Default port per worker type (docs/architecture.md, "Processes"). */
export const DEFAULT_WORKER_PORTS: Record<WorkerType, number> = {
  backtesting: 5003,
  training: 5004,
};

const FLAGS: Record<string, string> = {
  '--type': 'KTRDR_WORKER_TYPE',
  '--backend-url': 'KTRDR_BACKEND_URL',
  '--token': 'KTRDR_CLUSTER_TOKEN',
  '--join-token': 'KTRDR_JOIN_TOKEN',
  '--backend-fingerprint': 'KTRDR_BACKEND_FINGERPRINT',
  '--host': 'KTRDR_WORKER_HOST',
  '--port': 'KTRDR_WORKER_PORT',
  '--public-url': 'KTRDR_WORKER_PUBLIC_URL',
  '--public-host': 'KTRDR_WORKER_PUBLIC_HOST',
  '--connection': 'KTRDR_WORKER_CONNECTION',
  '--id': 'KTRDR_WORKER_ID',
  '--cache-dir': 'KTRDR_CACHE_DIR',
  '--log-level': 'KTRDR_LOG_LEVEL',
  '--training-backend': 'KTRDR_TRAINING_BACKEND',
  '--job-kinds': 'KTRDR_JOB_KINDS',
};

/** Usage text of `ktrdr-worker --help`. */
export const WORKER_USAGE = `Usage: ktrdr-worker --type backtesting|training [--backend-url URL] [--join-token TOKEN]
                    [--port N] [--public-url URL] [--id ID] [--cache-dir DIR]
                    [--training-backend auto|cuda|webgpu|node|wasm|cpu] [--gpu-host]

Starts a worker that registers with the backend and runs the jobs it is sent.
Flags override environment variables: KTRDR_WORKER_TYPE, KTRDR_BACKEND_URL
(http://localhost:8000), KTRDR_JOIN_TOKEN (--join-token: the backend's join token, which
can only register workers; or KTRDR_CLUSTER_TOKEN / --token, the admin token),
KTRDR_BACKEND_FINGERPRINT (an https backend with a self-signed certificate: trust exactly
the certificate with this SHA-256 fingerprint, as the join command gives it), KTRDR_WORKER_HOST (0.0.0.0),
KTRDR_WORKER_PORT (5003 backtesting / 5004 training; 0 = any free port),
KTRDR_WORKER_PUBLIC_URL (the URL the backend calls back; default
http://<first non-loopback address>:<port>), KTRDR_WORKER_PUBLIC_HOST (advertise this
host with the port bound, for replicas on port 0), KTRDR_WORKER_CONNECTION (direct; reverse
when the backend cannot reach this machine: the worker opens a channel to it instead),
KTRDR_WORKER_ID, KTRDR_CACHE_DIR,
KTRDR_TRAINING_BACKEND (auto = cuda → webgpu → node → wasm → cpu, the first that loads),
KTRDR_JOB_KINDS (--job-kinds: modules of extra job kinds, comma-separated).
--gpu-host (KTRDR_GPU_HOST=1) runs the training host service: a training worker on
port 5002 that starts only when a GPU backend loads.

Example:
  KTRDR_JOIN_TOKEN=$(cat ~/.ktrdr/join-token) ktrdr-worker --type backtesting --port 0`;

function fingerprint(raw: string): string {
  try {
    return normalizeFingerprint(raw);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** Reads the configuration from environment and flags (flags win). */
export function loadWorkerConfig(
  env: NodeJS.ProcessEnv,
  argv: readonly string[] = [],
): WorkerConfig {
  const gpuHostFlag = argv.includes('--gpu-host');
  const values = mergeFlags(
    env,
    argv.filter((a) => a !== '--gpu-host'),
    FLAGS,
  );
  const gpuHost =
    gpuHostFlag ||
    (values.KTRDR_GPU_HOST?.trim() ? parseBoolean('KTRDR_GPU_HOST', values.KTRDR_GPU_HOST) : false);
  if (gpuHost) {
    if (values.KTRDR_WORKER_TYPE && values.KTRDR_WORKER_TYPE !== 'training')
      throw new ConfigError(
        '--gpu-host runs a training worker; drop --type or use --type training',
      );
    values.KTRDR_WORKER_TYPE = 'training';
  }
  const trainingBackend = (values.KTRDR_TRAINING_BACKEND?.trim() ||
    'auto') as TrainingBackendPreference;
  if (
    trainingBackend !== 'auto' &&
    !(TRAINING_BACKENDS as readonly string[]).includes(trainingBackend)
  ) {
    throw new ConfigError(
      `KTRDR_TRAINING_BACKEND (--training-backend) must be auto or one of: ${TRAINING_BACKENDS.join(', ')} (got "${trainingBackend}")`,
    );
  }
  const type = values.KTRDR_WORKER_TYPE;
  if (!type || !(WORKER_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError(
      `KTRDR_WORKER_TYPE (--type) must be one of: ${WORKER_TYPES.join(', ')}${type ? ` (got "${type}")` : ''}`,
    );
  }
  const workerType = type as WorkerType;
  const backendUrl = parseHttpUrl(
    'KTRDR_BACKEND_URL',
    values.KTRDR_BACKEND_URL ?? 'http://localhost:8000',
  );
  const joinToken = values.KTRDR_JOIN_TOKEN?.trim();
  const adminToken = values.KTRDR_CLUSTER_TOKEN?.trim();
  const token = joinToken || adminToken;
  if (!token) {
    throw new ConfigError(
      "KTRDR_JOIN_TOKEN (--join-token) is required: copy it from the backend's data dir (~/.ktrdr/join-token), or from the Join view of the app",
    );
  }
  const port = values.KTRDR_WORKER_PORT?.trim()
    ? parsePort('KTRDR_WORKER_PORT', values.KTRDR_WORKER_PORT)
    : gpuHost
      ? GPU_HOST_PORT
      : DEFAULT_WORKER_PORTS[workerType];
  const publicUrl = values.KTRDR_WORKER_PUBLIC_URL?.trim()
    ? parseHttpUrl('KTRDR_WORKER_PUBLIC_URL', values.KTRDR_WORKER_PUBLIC_URL)
    : undefined;
  const publicHost = values.KTRDR_WORKER_PUBLIC_HOST?.trim() || undefined;
  if (publicHost && !/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:]+\]$/.test(publicHost)) {
    throw new ConfigError(
      `KTRDR_WORKER_PUBLIC_HOST must be a host name or address (e.g. 192.168.1.20), got "${publicHost}"`,
    );
  }
  const connection = values.KTRDR_WORKER_CONNECTION?.trim() || 'direct';
  if (connection !== 'direct' && connection !== 'reverse') {
    throw new ConfigError(`KTRDR_WORKER_CONNECTION must be direct or reverse, got "${connection}"`);
  }
  return {
    workerType,
    backendUrl,
    token,
    tokenIsAdmin: !joinToken,
    backendFingerprint: values.KTRDR_BACKEND_FINGERPRINT?.trim()
      ? fingerprint(values.KTRDR_BACKEND_FINGERPRINT)
      : undefined,
    host: values.KTRDR_WORKER_HOST?.trim() || '0.0.0.0',
    port,
    publicUrl,
    publicHost,
    connection,
    workerId: values.KTRDR_WORKER_ID?.trim() || undefined,
    cacheDir: resolve(values.KTRDR_CACHE_DIR?.trim() || join(tmpdir(), 'ktrdr-worker')),
    cancelDeadlineMs: 5000,
    shutdownGraceMs: 20_000,
    throttleBarsPerSecond: values.KTRDR_WORKER_THROTTLE_BARS_PER_SEC
      ? parsePositive(
          'KTRDR_WORKER_THROTTLE_BARS_PER_SEC',
          values.KTRDR_WORKER_THROTTLE_BARS_PER_SEC,
        )
      : undefined,
    checkpointSeconds: values.KTRDR_CHECKPOINT_SECONDS?.trim()
      ? parsePositive('KTRDR_CHECKPOINT_SECONDS', values.KTRDR_CHECKPOINT_SECONDS)
      : 10,
    trainingBackend,
    gpuHost,
    logLevel: values.KTRDR_LOG_LEVEL?.trim()
      ? parseLogLevel('KTRDR_LOG_LEVEL', values.KTRDR_LOG_LEVEL)
      : 'info',
    jobKindModules: (values.KTRDR_JOB_KINDS ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean),
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
