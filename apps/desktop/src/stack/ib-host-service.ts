import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { superviseWorker, type SupervisedWorker } from './worker-process.js';

/** The IB host service's default port (docs/architecture.md, "Processes"). */
export const IB_HOST_PORT = 5001;

/** The compiled IB host bin; the packaged app points KTRDR_IB_HOST_BIN at its bundled copy. */
export function ibHostBin(): string {
  return process.env.KTRDR_IB_HOST_BIN ?? fileURLToPath(import.meta.resolve('@ktrdr/ib-host/bin'));
}

/** Where the IB host service listens and which gateway it talks to. */
export interface LocalIbHostOptions {
  token: string;
  port: number;
  gatewayHost: string;
  gatewayPort: number;
  logLevel: string;
  log: (line: string) => void;
}

/**
 * Runs the IB host service beside the backend as a supervised child process, on loopback
 * only. It starts whether or not IB Gateway/TWS runs: it keeps trying to connect and
 * reports its state on /health (the status bar's "IB" badge), so starting the gateway
 * later just works.
 */
export function startLocalIbHost(options: LocalIbHostOptions): SupervisedWorker {
  return superviseWorker({
    name: 'ib-host',
    bin: ibHostBin(),
    readyPattern: /^ktrdr-ib-host listening on (\S+)/,
    log: options.log,
    env: {
      KTRDR_CLUSTER_TOKEN: options.token,
      KTRDR_IB_HOST_PORT: String(options.port),
      IB_GATEWAY_HOST: options.gatewayHost,
      IB_GATEWAY_PORT: String(options.gatewayPort),
      KTRDR_LOG_LEVEL: options.logLevel,
    },
  });
}

/**
 * Ports `resolvePort` picks from: below every common OS's ephemeral range (Linux 32768+,
 * macOS and Windows 49152+), which the kernel hands to port-0 listeners and to outgoing
 * connections. A free port picked there can be taken by any process's next connection
 * before the IB host service binds it (the backend must start first, to know its URL and
 * to give it its token); here only a program naming the port itself could.
 */
export const PICKED_PORTS = { from: 20_000, to: 32_767 } as const;

/** Whether nothing listens on `port` on loopback now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `port`, or a free loopback port when it is 0 (the backend must know the URL before it starts). */
export async function resolvePort(
  port: number,
  random: () => number = Math.random,
): Promise<number> {
  if (port !== 0) return port;
  const span = PICKED_PORTS.to - PICKED_PORTS.from + 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = PICKED_PORTS.from + Math.floor(random() * span);
    if (await isFree(candidate)) return candidate;
  }
  throw new Error(
    `no free port between ${PICKED_PORTS.from} and ${PICKED_PORTS.to} after 50 tries: set KTRDR_IB_HOST_PORT to a free port`,
  );
}
