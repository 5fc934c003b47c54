/** The SQLite drivers the backend knows (its KTRDR_SQLITE_DRIVER). */
export type SqliteDriverChoice = 'auto' | 'node-sqlite' | 'better-sqlite3';

/** Which runtime runs each process the desktop stack starts, and with what. */
export interface DesktopRuntime {
  /** How the backend's process is started (Electron: a utility process, on Electron's Node). */
  backend: string;
  /**
   * The backend's SQLite driver. Inside Electron always node:sqlite: better-sqlite3 is an
   * addon built for the system Node's ABI, which Electron's Node cannot load, and the
   * packaged app does not ship it. Elsewhere (tests, npm start on Node 20): `auto`.
   */
  sqliteDriver: SqliteDriverChoice;
  /** How the local workers and the IB host service run. */
  workers: string;
  /** What their environment needs for that (Electron's binary behaves as Node with it). */
  workerEnv: Record<string, string>;
}

/**
 * The desktop app's runtime choices, from the versions of the process that starts the
 * stack: Electron's main (which has `versions.electron`) or plain Node (tests, headless).
 * Workers need no SQLite and load only N-API addons (TensorFlow.js, Dawn), so Electron's
 * own Node runs them too: a trader installs nothing but the app.
 */
export function desktopRuntime(
  versions: NodeJS.ProcessVersions = process.versions,
): DesktopRuntime {
  if (versions.electron)
    return {
      backend: `an Electron utility process (Electron ${versions.electron}, Node ${versions.node})`,
      sqliteDriver: 'node-sqlite',
      workers: `child processes of Electron's binary run as Node ${versions.node}`,
      workerEnv: { ELECTRON_RUN_AS_NODE: '1' },
    };
  return {
    backend: `a Node ${versions.node} child process`,
    sqliteDriver: 'auto',
    workers: `Node ${versions.node} child processes`,
    workerEnv: {},
  };
}
