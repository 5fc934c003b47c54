import type { IbGatewayState } from '@ktrdr/shared';
import { createLogger, listenOn, type RouteEntry, type ServiceHandle } from '@ktrdr/server-kit';
import { buildIbHostApp } from './app.js';
import type { IbHostConfig } from './config.js';
import { ContractResolver } from './contracts/contract-resolver.js';
import { GatewayLink } from './gateway/gateway-link.js';
import { HistoricalService } from './historical/historical-service.js';
import { Pacer } from './pacing/pacer.js';
import { IB_HOST_VERSION } from './version.js';

/** A running IB host service. */
export interface IbHostHandle extends ServiceHandle {
  /** The link to IB Gateway/TWS as `/health` reports it. */
  gatewayState(): IbGatewayState;
  /** Every route of the API (tests check each one's auth). */
  routeTable: readonly RouteEntry[];
}

/**
 * Starts the IB host service: its HTTP API on 127.0.0.1 first (so `/health` answers at
 * once, gateway or not), then the link to IB Gateway/TWS, which keeps reconnecting until
 * `close()`.
 */
export async function startIbHost(config: IbHostConfig): Promise<IbHostHandle> {
  const log = createLogger(config.logLevel, 'ib-host');
  const now = config.now ?? Date.now;
  const link = new GatewayLink({
    host: config.gateway.host,
    port: config.gateway.port,
    clientId: config.gateway.clientId,
    reconnectInitialMs: config.reconnectInitialMs,
    reconnectMaxMs: config.reconnectMaxMs,
    connectTimeoutMs: config.connectTimeoutMs,
    connectWaitMs: config.connectWaitMs,
    requestTimeoutMs: config.requestTimeoutMs,
    heartbeatMs: config.heartbeatMs,
    log,
  });
  const contracts = new ContractResolver(link, now);
  const historical = new HistoricalService({
    source: link,
    contracts,
    // pacing runs on real time, whatever clock decides which bar is forming
    pacer: new Pacer(config.pacing, Date.now),
    now,
    settings: {
      concurrency: config.historicalConcurrency,
      pacingBackoffMs: config.pacingBackoffMs,
      maxPacingRetries: config.maxPacingRetries,
      maxConnectionRetries: config.maxConnectionRetries,
    },
    log,
  });
  const app = await buildIbHostApp({
    token: config.token,
    version: IB_HOST_VERSION,
    gatewayState: () => link.state(),
    historical,
    contracts,
    log,
  });
  let port: number;
  try {
    port = await listenOn(app, config.host, config.port, 'KTRDR_IB_HOST_PORT');
  } catch (error) {
    await app.close();
    throw error;
  }
  link.start();
  log.info(
    `IB host service on ${config.host}:${port}, IB Gateway/TWS at ${config.gateway.host}:${config.gateway.port} (client id ${config.gateway.clientId}), pacing ${config.pacing ? 'on' : 'off'}`,
  );

  let closing: Promise<void> | undefined;
  return {
    url: `http://${config.host}:${port}`,
    port,
    routeTable: app.routeTable,
    gatewayState: () => link.state(),
    close: () =>
      (closing ??= (async () => {
        await link.close();
        await app.close();
      })()),
  };
}
