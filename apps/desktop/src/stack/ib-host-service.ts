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

/** `port`, or a free loopback port when it is 0 (the backend must know the URL before it starts). */
export async function resolvePort(port: number): Promise<number> {
  if (port !== 0) return port;
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
