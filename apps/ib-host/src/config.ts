import {
  ConfigError,
  mergeFlags,
  parseBoolean,
  parseLogLevel,
  parsePort,
  parsePositive,
} from '@ktrdr/server-kit';
import { IB_PACING_RULES, type PacingRules } from './pacing/pacer.js';

/** An invalid IB host setting (the message names the variable). */
export const IbHostConfigError = ConfigError;

/** Everything the IB host service needs, validated once at start-up (the configuration table of the README). */
export interface IbHostConfig {
  /** Bind address: loopback, the service is for the backend on this machine. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  gateway: {
    host: string;
    port: number;
    /** The first client id; on 326 (in use) the next one is tried. */
    clientId: number;
  };
  logLevel: string;
  /** IB's historical pacing rules, or undefined to send at once (a simulator without pacing). */
  pacing: Readonly<PacingRules> | undefined;
  /** Requests of one range in flight at once. */
  historicalConcurrency: number;
  /** The first wait after a pacing violation (doubled after each further one). */
  pacingBackoffMs: number;
  /** Pacing violations retried per request before a 503. */
  maxPacingRetries: number;
  /** Times a request is sent again after the connection dropped under it. */
  maxConnectionRetries: number;
  /** How long a request waits for a connected gateway before a 503. */
  connectWaitMs: number;
  /** How long a request waits for IB's answer. */
  requestTimeoutMs: number;
  /** Reconnect backoff: the first delay, doubled after each failure up to the ceiling. */
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  /** A connection without a completed handshake after this is given up and retried. */
  connectTimeoutMs: number;
  /** How often an idle link checks that the gateway still answers (0: never). */
  heartbeatMs: number;
  /**
   * The wall clock that decides which bar is still forming and where "now" ends a range;
   * tests set it to the simulator's clock. Default `Date.now`.
   */
  now?: () => number;
}

/** The IB host service's port (docs/architecture.md, "Processes"). */
export const IB_HOST_PORT = 5001;

const FLAGS: Record<string, string> = {
  '--port': 'KTRDR_IB_HOST_PORT',
  '--token': 'KTRDR_CLUSTER_TOKEN',
  '--gateway-host': 'IB_GATEWAY_HOST',
  '--gateway-port': 'IB_GATEWAY_PORT',
  '--client-id': 'IB_CLIENT_ID',
  '--pacing': 'KTRDR_IB_PACING',
  '--log-level': 'KTRDR_LOG_LEVEL',
};

/** Usage text of `ktrdr-ib-host --help`. */
export const IB_HOST_USAGE = `Usage: ktrdr-ib-host [--port N] [--token TOKEN] [--gateway-host HOST] [--gateway-port N]
                     [--client-id N] [--pacing on|off] [--log-level LEVEL]

Starts the IB host service: the one link to IB Gateway/TWS, serving historical data to the
backend on 127.0.0.1. Flags override environment variables:
  KTRDR_IB_HOST_PORT (5001; 0 = any free port), KTRDR_CLUSTER_TOKEN (required),
  IB_GATEWAY_HOST (127.0.0.1), IB_GATEWAY_PORT (4002: IB Gateway paper; 4001 live,
  7497 TWS paper, 7496 TWS live), IB_CLIENT_ID (17; on "in use" the next is tried),
  KTRDR_IB_PACING (on: keep IB's historical-data pacing rules; off only for a simulator),
  KTRDR_IB_PACING_BACKOFF_MS (10000), KTRDR_IB_CONNECT_WAIT_MS (60000),
  KTRDR_IB_REQUEST_TIMEOUT_MS (120000), KTRDR_LOG_LEVEL (info).

Example:
  KTRDR_CLUSTER_TOKEN=$(cat ~/.ktrdr/cluster-token) ktrdr-ib-host --gateway-port 7497`;

/** An integer in [min, max]. */
function parseInteger(name: string, raw: string, min: number, max: number): number {
  const text = raw.trim();
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || n < min || n > max) {
    throw new ConfigError(`${name}="${raw}" must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** Reads the configuration from environment and flags (flags win). */
export function loadIbHostConfig(
  env: NodeJS.ProcessEnv,
  argv: readonly string[] = [],
): IbHostConfig {
  const values = mergeFlags(env, argv, FLAGS);
  const given = (name: string): string | undefined => values[name]?.trim() || undefined;
  const token = given('KTRDR_CLUSTER_TOKEN');
  if (!token) {
    throw new ConfigError(
      "KTRDR_CLUSTER_TOKEN (--token) is required: copy it from the backend's data dir (~/.ktrdr/cluster-token)",
    );
  }
  const gatewayPort = given('IB_GATEWAY_PORT');
  const ms = (name: string, fallback: number) => {
    const raw = given(name);
    return raw === undefined ? fallback : parsePositive(name, raw);
  };
  const pacing = given('KTRDR_IB_PACING');
  return {
    host: '127.0.0.1',
    port: given('KTRDR_IB_HOST_PORT')
      ? parsePort('KTRDR_IB_HOST_PORT', values.KTRDR_IB_HOST_PORT as string)
      : IB_HOST_PORT,
    token,
    gateway: {
      host: given('IB_GATEWAY_HOST') ?? '127.0.0.1',
      port: gatewayPort ? parseInteger('IB_GATEWAY_PORT', gatewayPort, 1, 65535) : 4002,
      clientId: given('IB_CLIENT_ID')
        ? parseInteger('IB_CLIENT_ID', values.IB_CLIENT_ID as string, 0, 2_147_483_647)
        : 17,
    },
    logLevel: given('KTRDR_LOG_LEVEL')
      ? parseLogLevel('KTRDR_LOG_LEVEL', values.KTRDR_LOG_LEVEL as string)
      : 'info',
    pacing:
      pacing === undefined || parseBoolean('KTRDR_IB_PACING', pacing) ? IB_PACING_RULES : undefined,
    historicalConcurrency: 5,
    pacingBackoffMs: ms('KTRDR_IB_PACING_BACKOFF_MS', 10_000),
    maxPacingRetries: 5,
    maxConnectionRetries: 5,
    connectWaitMs: ms('KTRDR_IB_CONNECT_WAIT_MS', 60_000),
    requestTimeoutMs: ms('KTRDR_IB_REQUEST_TIMEOUT_MS', 120_000),
    reconnectInitialMs: 500,
    reconnectMaxMs: 30_000,
    connectTimeoutMs: 10_000,
    heartbeatMs: 30_000,
  };
}
