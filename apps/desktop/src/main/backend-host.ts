/**
 * The backend's own process in the desktop app: Electron runs this file with
 * `utilityProcess.fork` (tests use `child_process.fork`), so SQLite's synchronous work
 * never touches the window's thread. It says `ready` (URL and token) or `error` (a
 * message the user can act on) to its parent, and stops when told to.
 */
import { loadBackendConfig, startBackend, type BackendHandle } from '@ktrdr/backend';
import type { HostMessage, ParentMessage } from './host-protocol.js';

interface ParentPort {
  postMessage(message: HostMessage): void;
  on(event: 'message', listener: (event: { data: ParentMessage }) => void): void;
}

// Electron's utility process has process.parentPort; a Node fork has process.send
const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (message: HostMessage) =>
  electronPort ? electronPort.postMessage(message) : process.send?.(message);
const onMessage = (listener: (message: ParentMessage) => void) => {
  if (electronPort) electronPort.on('message', (event) => listener(event.data));
  else process.on('message', (message) => listener(message as ParentMessage));
};

let handle: BackendHandle | undefined;
onMessage((message) => {
  if (message.type === 'stop') {
    void (handle?.close() ?? Promise.resolve()).then(() => process.exit(0));
  }
});

try {
  handle = await startBackend(loadBackendConfig(process.env));
  send({ type: 'ready', url: handle.url, token: handle.token, joinToken: handle.joinToken });
} catch (error) {
  send({ type: 'error', message: (error as Error).message });
  process.exit(1);
}
