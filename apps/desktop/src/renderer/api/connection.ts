import { ApiError, BackendClient, DESKTOP_API_GLOBAL, type DesktopApi } from '@ktrdr/shared';

/** The desktop app's preload API, when running inside Electron. */
export function desktopApi(): DesktopApi | undefined {
  return (window as unknown as Record<string, DesktopApi | undefined>)[DESKTOP_API_GLOBAL];
}

/** How the UI reaches the backend, and whether it is signed in. */
export interface Connection {
  client: BackendClient;
  authenticated: boolean;
}

/**
 * Connects to the backend. In Electron the preload hands over the URL and token. In a
 * browser the UI is served by the backend itself: a ready-to-click URL carries the token
 * in its fragment (never sent to a server), which is exchanged for an HttpOnly session
 * cookie and then removed from the address bar.
 */
export async function connect(): Promise<Connection> {
  const desktop = desktopApi();
  if (desktop) {
    const { url, token } = await desktop.backend();
    desktopToken = token;
    return {
      client: new BackendClient({ baseUrl: url, token: () => desktopToken }),
      authenticated: true,
    };
  }
  const client = new BackendClient({ baseUrl: window.location.origin, credentials: 'same-origin' });
  const token = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)?.[1];
  if (token) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    await signIn(client, decodeURIComponent(token));
  }
  try {
    await client.clusterInfo();
    return { client, authenticated: true };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { client, authenticated: false };
    throw error;
  }
}

/** The admin token the desktop app's client sends (a browser sends its session cookie). */
let desktopToken: string | undefined;

/**
 * After this UI rotated the admin token: the desktop app's client sends the new one from
 * now on; in a browser the backend already re-issued the session cookie with its answer.
 */
export function adoptAdminToken(token: string): void {
  if (desktopToken !== undefined) desktopToken = token;
}

/** Exchanges a token for the session cookie. */
export async function signIn(client: BackendClient, token: string): Promise<void> {
  await client.createSession(token.trim());
}
