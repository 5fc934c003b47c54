/**
 * The main window's security settings, kept free of Electron so a plain test can assert
 * them: an isolated, sandboxed renderer without Node, that loads nothing but the
 * backend's own pages.
 */
export function windowWebPreferences(preload: string) {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    preload,
  } as const;
}

/** The Content-Security-Policy applied to the window's pages when the backend sent none. */
export const WINDOW_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** True when a navigation may go ahead: only to the backend's own origin. */
export function navigationAllowed(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
