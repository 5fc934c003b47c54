/** Where the renderer finds the backend. */
export interface BackendConnection {
  /** e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** The bearer token. */
  token: string;
}

/**
 * What the desktop app's preload exposes to the renderer as `window.ktrdr` — one typed
 * method per capability, nothing else (never `ipcRenderer`). Everything else the
 * renderer does goes over HTTP, exactly as in a browser.
 */
export interface DesktopApi {
  /** The backend the main process started. */
  backend(): Promise<BackendConnection>;
  /** Opens a native file dialog for a CSV to import; resolves with its text, or null when cancelled. */
  chooseCsvFile(): Promise<{ name: string; text: string } | null>;
  /** Opens the data folder (database, strategies, token) in the system file manager. */
  showDataFolder(): Promise<void>;
  /** The desktop settings (ports, local workers, LAN workers, IB gateway). */
  getSettings(): Promise<DesktopSettingsView>;
  /** Saves the settings; they apply at the next start of the app. */
  saveSettings(settings: DesktopSettingsView): Promise<{ saved: true; restart_needed: true }>;
}

/** The desktop settings as the renderer edits them. */
export interface DesktopSettingsView {
  backend_port: number;
  local_backtest_workers: number;
  local_training_workers: number;
  gpu_training_host: boolean;
  allow_lan_workers: boolean;
  ib_gateway_host: string;
  ib_gateway_port: number;
  /** Where the IB host service listens (0: a free port). */
  ib_host_port: number;
}

/** The global the preload defines (absent in a plain browser). */
export const DESKTOP_API_GLOBAL = 'ktrdr';
