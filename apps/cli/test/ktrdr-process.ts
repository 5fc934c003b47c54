import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from '@ktrdr/testkit';

/** The compiled bin, run as a user would (tests never import the CLI's code to drive it). */
export const KTRDR_BIN = `${REPO_ROOT}apps/cli/dist/bin.js`;

/** How a `ktrdr` run ended. */
export interface KtrdrRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `ktrdr` process whose output can be awaited. */
export interface KtrdrProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout + stderr match `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<KtrdrRun>;
}

/** Starts `ktrdr args…` with only the environment given (no inherited KTRDR_* variables). */
export function spawnKtrdr(args: string[], env: Record<string, string>): KtrdrProcess {
  return spawnWatched(process.execPath, [KTRDR_BIN, ...args], env);
}

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Starts `ktrdr args…` on a real pseudo-terminal of `columns` columns, through util-linux
 * `script`: what is written to the process's stdin is typed on that terminal (so `\x03`
 * is a real Ctrl-C, delivered by the terminal as SIGINT), and its stdout is the screen.
 */
export function spawnKtrdrInTerminal(
  args: string[],
  env: Record<string, string>,
  columns: number,
): KtrdrProcess {
  const command = [process.execPath, KTRDR_BIN, ...args].map(shellQuote).join(' ');
  return spawnWatched(
    'script',
    ['-q', '-e', '-c', `stty cols ${columns} rows 40; exec ${command}`, '/dev/null'],
    { TERM: 'xterm', ...env },
  );
}

function spawnWatched(command: string, args: string[], env: Record<string, string>): KtrdrProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const l of listeners) l();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const l of listeners) l();
  });
  const done = new Promise<KtrdrRun>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout + stderr);
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(`no output matching ${pattern} in ${timeoutMs} ms:\n${stdout}${stderr}`),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
        void done.then(() => check());
      });
    },
  };
}

/** Runs `ktrdr args…` to its end. */
export async function ktrdr(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<KtrdrRun> {
  const proc = spawnKtrdr(args, env);
  proc.child.stdin?.end(input ?? '');
  return proc.done;
}
