import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT_WORKER_ID_IN_USE } from '@ktrdr/shared';
import { Backoff } from '@ktrdr/shared';
import { desktopRuntime } from '../main/runtime-plan.js';

/**
 * The compiled worker bin (always JavaScript: child processes do not run TypeScript); the
 * packaged desktop app points KTRDR_WORKER_BIN at its bundled copy.
 */
export function workerBin(): string {
  return process.env.KTRDR_WORKER_BIN ?? fileURLToPath(import.meta.resolve('@ktrdr/worker/bin'));
}

const WORKER_READY = /^ktrdr-worker (\S+) listening on/;

/** The wait before a crashed worker is started again: always a second (crashes are capped per minute). */
const RESTART_BACKOFF = { initialMs: 1000, growth: 'fixed' } as const;

/** A local worker child process, restarted when it dies while the stack runs. */
export interface SupervisedWorker {
  readonly name: string;
  /**
   * The worker id it printed once listening (changes on restart when its port does);
   * null for an optional service that declined to start.
   */
  workerId(): Promise<string | null>;
  /** Stops it (SIGTERM, then SIGKILL after `graceMs`) and stops restarting it. */
  stop(graceMs?: number): Promise<void>;
  readonly pid: number | undefined;
}

/** Options of {@link superviseWorker}. */
export interface WorkerProcessOptions {
  name: string;
  env: Record<string, string>;
  /** Where its output lines go, prefixed with its name. */
  log: (line: string) => void;
  /** Give up restarting after this many crashes in a minute. */
  maxRestartsPerMinute?: number;
  /** Extra command-line arguments (e.g. `--gpu-host`). */
  args?: string[];
  /** Another service's bin (default: the worker's). */
  bin?: string;
  /** The line it prints once listening; group 1 is its id (default: the worker's line). */
  readyPattern?: RegExp;
  /**
   * A service that may decline to start (the GPU training host on a machine without a
   * GPU): exiting before it ever listened is logged with its reason and not restarted.
   */
  optional?: boolean;
}

/**
 * Runs `ktrdr-worker` as a child process and keeps it running: a crash restarts it after
 * a second (a local worker that silently disappears would leave the trader with none).
 */
export function superviseWorker(options: WorkerProcessOptions): SupervisedWorker {
  let child: ChildProcess | undefined;
  let stopping = false;
  let idResolvers: ((id: string | null) => void)[] = [];
  let currentId: string | undefined;
  let everListened = false;
  let declined = false;
  let lastLine = '';
  const crashes: number[] = [];
  const restarts = new Backoff(RESTART_BACKOFF);

  const start = () => {
    currentId = undefined;
    child = spawn(process.execPath, [options.bin ?? workerBin(), ...(options.args ?? [])], {
      // inside Electron, process.execPath is Electron itself: run it as plain Node
      env: {
        ...process.env,
        ...desktopRuntime().workerEnv,
        ...options.env,
        // the worker exits when this process goes away, however it ends (a crash included):
        // its stdin is our pipe, which the OS closes
        KTRDR_EXIT_WITH_PARENT: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const id = (options.readyPattern ?? WORKER_READY).exec(line)?.[1];
        if (line.trim()) lastLine = line.trim();
        if (id) {
          everListened = true;
          restarts.reset();
          currentId = id;
          for (const resolve of idResolvers) resolve(id);
          idResolvers = [];
        }
        if (line.trim()) options.log(`[${options.name}] ${line}`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      if (options.optional && !everListened) {
        declined = true;
        // its own last line (already logged above) says why
        options.log(
          `[${options.name}] not started (exit ${code ?? signal})${lastLine ? '' : ': it printed nothing'}`,
        );
        for (const resolve of idResolvers) resolve(null);
        idResolvers = [];
        return;
      }
      if (code === EXIT_WORKER_ID_IN_USE) {
        // another live worker holds its id: restarting would be refused the same way
        options.log(
          `[${options.name}] refused by the backend (its id is in use); not restarting it`,
        );
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && now - (crashes[0] as number) > 60_000) crashes.shift();
      if (crashes.length > (options.maxRestartsPerMinute ?? 5)) {
        options.log(`[${options.name}] exited (${code ?? signal}) too often; not restarting it`);
        return;
      }
      const delayMs = restarts.next();
      options.log(
        `[${options.name}] exited (${code ?? signal}); restarting in ${Math.round(delayMs / 1000)} s`,
      );
      setTimeout(() => !stopping && start(), delayMs).unref();
    });
  };
  start();

  return {
    name: options.name,
    get pid() {
      return child?.pid;
    },
    workerId: () =>
      currentId
        ? Promise.resolve(currentId)
        : declined
          ? Promise.resolve(null)
          : new Promise((resolve) => idResolvers.push(resolve)),
    async stop(graceMs = 25_000) {
      stopping = true;
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
