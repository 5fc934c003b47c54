import { fork } from 'node:child_process';
import type { HostMessage } from './host-protocol.js';
import type { HostProcess } from './supervisor.js';

/**
 * Runs the backend host as a Node child process (`child_process.fork`): the stand-in for
 * Electron's `utilityProcess.fork` wherever Electron is not running, with the same
 * message protocol.
 */
export function forkHost(
  entry: string,
  env: Record<string, string>,
  /** Another Node to run it on (tests run the host on Node 24, as Electron's Node would). */
  execPath?: string,
): HostProcess {
  const child = fork(entry, [], {
    env: { ...process.env, ...env },
    ...(execPath ? { execPath } : {}),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    pid: child.pid,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as HostMessage)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => void child.kill('SIGKILL'),
  };
}
