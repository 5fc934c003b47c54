import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (tests spawn the compiled bins from here). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A spawned service process with its captured output. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** What it printed on stdout alone, and on stderr alone. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | string>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Spawns `node <script>` and waits until its output matches `ready` (returning the
 * match). Fails with the captured output if it exits first or the deadline passes.
 * `launcher` runs it through another command that then execs node, e.g.
 * `['ip', 'netns', 'exec', 'ns1']` to start it inside a network namespace. `KTRDR_NODE_ARGS`
 * in `env` (space-separated) become node's own flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
 * for a profile (NODE_OPTIONS refuses those).
 */
export async function spawnService(
  script: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 20_000,
  launcher: readonly string[] = [],
): Promise<{ proc: ServiceProcess; match: RegExpMatchArray }> {
  const [command, ...prefix] = [...launcher, process.execPath];
  const { KTRDR_NODE_ARGS: nodeArgs = '', ...childEnv } = env;
  const flags = nodeArgs.split(' ').filter(Boolean);
  const child = spawn(command, [...prefix, ...flags, script, ...args], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KTRDR_LOG_LEVEL: 'warn',
      ...childEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const proc: ServiceProcess = {
    child,
    output: () => text,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} was not ready within ${timeoutMs} ms; output:\n${text}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = ready.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready; output:\n${text}`));
    });
  });
  return { proc, match };
}

/** A worker process started by {@link startWorkerProcess}. */
export interface WorkerProcess extends ServiceProcess {
  workerId: string;
  url: string;
}

/** Starts a real `ktrdr-worker` (compiled) on a free loopback port. */
export async function startWorkerProcess(options: {
  backendUrl: string;
  token: string;
  type?: 'backtesting' | 'training';
  cacheDir: string;
  workerId?: string;
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  const env: Record<string, string> = {
    KTRDR_BACKEND_URL: options.backendUrl,
    KTRDR_CLUSTER_TOKEN: options.token,
    KTRDR_WORKER_TYPE: options.type ?? 'backtesting',
    KTRDR_WORKER_HOST: '127.0.0.1',
    KTRDR_WORKER_PORT: '0',
    KTRDR_CACHE_DIR: options.cacheDir,
    ...(options.workerId ? { KTRDR_WORKER_ID: options.workerId } : {}),
    ...options.env,
  };
  const { proc, match } = await spawnService(
    `${REPO_ROOT}apps/worker/dist/bin.js`,
    [],
    env,
    /ktrdr-worker (\S+) listening on (http:\/\/\S+)/,
  );
  return { ...proc, workerId: match[1] as string, url: match[2] as string };
}

/** A backend process started by {@link startBackendProcess}. */
export interface BackendProcess extends ServiceProcess {
  url: string;
}

/** Starts a real `ktrdr-backend` (compiled) on `port` (0 = free). */
export async function startBackendProcess(options: {
  dataDir: string;
  port: number;
  token: string;
  env?: Record<string, string>;
}): Promise<BackendProcess> {
  const { proc, match } = await spawnService(
    `${REPO_ROOT}apps/backend/dist/bin.js`,
    [],
    {
      KTRDR_DATA_DIR: options.dataDir,
      KTRDR_PORT: String(options.port),
      KTRDR_HOST: '127.0.0.1',
      KTRDR_CLUSTER_TOKEN: options.token,
      ...options.env,
    },
    /listening on (https?:\/\/\S+)/,
  );
  return { ...proc, url: match[1] as string };
}
