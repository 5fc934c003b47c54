import {
  ApiError,
  ConnectionError,
  IbHostClient,
  type IbContract,
  type IbStatus,
  type IbValidateRequest,
} from '@ktrdr/shared';
import { ServiceUnavailableError, ValidationError } from '@ktrdr/server-kit';

/** How the backend reaches the IB host service (the configuration table of the README). */
export interface IbHostSettings {
  useIbHostService: boolean;
  ibHostServiceUrl: string;
}

/**
 * The backend's only door to Interactive Brokers: the IB host service, over HTTP. Every
 * refusal says what to start and how, so a download fails fast instead of hanging.
 */
export class IbHostGate {
  readonly client: IbHostClient;

  constructor(
    private readonly settings: IbHostSettings,
    token: () => string,
  ) {
    this.client = new IbHostClient({
      baseUrl: settings.ibHostServiceUrl,
      token,
      timeoutMs: 60_000,
    });
  }

  private get url(): string {
    return this.settings.ibHostServiceUrl;
  }

  /** The host service's gateway state, or why there is none (never throws). */
  async status(): Promise<IbStatus> {
    const base = { enabled: this.settings.useIbHostService, host_service_url: this.url };
    if (!this.settings.useIbHostService) {
      return { ...base, reachable: false, gateway: null, message: this.offMessage() };
    }
    try {
      const health = await this.client.health({ timeoutMs: 3000 });
      const g = health.gateway;
      return {
        ...base,
        reachable: true,
        gateway: g,
        message: g.connected
          ? `connected to IB at ${g.host}:${g.port} (client id ${g.client_id}, server version ${g.server_version ?? '?'})`
          : this.notConnectedMessage(g),
      };
    } catch (error) {
      return { ...base, reachable: false, gateway: null, message: this.unreachableMessage(error) };
    }
  }

  /** Resolves when a download can go ahead; otherwise a 503 that says what to start. */
  async requireConnected(): Promise<void> {
    const status = await this.status();
    if (!status.enabled || !status.reachable || !status.gateway?.connected) {
      throw new ServiceUnavailableError(status.message, {
        host_service_url: this.url,
        enabled: status.enabled,
        reachable: status.reachable,
      });
    }
  }

  /** Contract details of a symbol; an unknown symbol is a 400 naming it. */
  async validate(body: IbValidateRequest): Promise<IbContract> {
    await this.requireConnected();
    try {
      return await this.client.validate(body);
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Maps what the host service answered to this backend's errors. */
  translate(error: unknown): Error {
    if (error instanceof ApiError) {
      if (error.status === 400) {
        const field = typeof error.details?.field === 'string' ? error.details.field : 'symbol';
        const message = error.message.startsWith(`${field}: `)
          ? error.message.slice(field.length + 2)
          : error.message;
        return new ValidationError(field, message);
      }
      if (error.status === 503)
        return new ServiceUnavailableError(`IB host service: ${error.message}`);
      return new Error(`the IB host service answered ${error.status}: ${error.message}`);
    }
    if (error instanceof ConnectionError) {
      return new ServiceUnavailableError(this.unreachableMessage(error));
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private offMessage(): string {
    return (
      'data downloads go through the IB host service, and this backend runs without it (USE_IB_HOST_SERVICE is off). ' +
      'Start the IB host service with `ktrdr-ib-host` beside IB Gateway or TWS (API enabled), then start the backend with ' +
      `USE_IB_HOST_SERVICE=true IB_HOST_SERVICE_URL=${this.url}; the desktop app does both.`
    );
  }

  private unreachableMessage(error: unknown): string {
    const why = error instanceof Error ? error.message : String(error);
    return `the IB host service at ${this.url} does not answer (${why}). Start it with \`ktrdr-ib-host\` on this machine (IB Gateway or TWS must run beside it).`;
  }

  private notConnectedMessage(g: NonNullable<IbStatus['gateway']>): string {
    const last = g.last_error ? `; last error ${g.last_error.code}: ${g.last_error.message}` : '';
    return (
      `the IB host service runs but is ${g.state === 'paused' ? 'paused (IB lost its own connection, waiting for it to come back)' : `not connected to IB Gateway/TWS at ${g.host}:${g.port}`}${last}. ` +
      'Start IB Gateway or TWS and enable its API (Configure → Settings → API: "Enable ActiveX and Socket Clients", the same port).'
    );
  }
}
