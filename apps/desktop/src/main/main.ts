/**
 * The Electron main process, kept thin: settings, the desktop stack (backend in a utility
 * process, local workers as child processes), one secured window on the backend's web
 * UI, three IPC handlers for what HTTP cannot do, and a clean stop on quit.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, shell, utilityProcess } from 'electron';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BackendConnection } from '@ktrdr/shared';
import type { HostMessage } from './host-protocol.js';
import { desktopRuntime } from './runtime-plan.js';
import { loadSettings, saveSettings, type DesktopSettings } from './settings.js';
import { startDesktopStack, type DesktopStack, type HostProcess } from './supervisor.js';
import { navigationAllowed, WINDOW_CSP, windowWebPreferences } from './window-options.js';

const dataDir = process.env.KTRDR_DATA_DIR ?? join(homedir(), '.ktrdr');
const preload = fileURLToPath(new URL('../preload/preload.cjs', import.meta.url));
let stack: DesktopStack | undefined;

function spawnUtility(entry: string, env: Record<string, string>): HostProcess {
  const child = utilityProcess.fork(entry, [], {
    env: { ...process.env, ...env },
    serviceName: 'ktrdr-backend',
    stdio: 'inherit',
  });
  return {
    pid: child.pid,
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message: HostMessage) => listener(message)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
}

function secure(window: BrowserWindow, origin: string): void {
  const contents = window.webContents;
  // the UI only ever shows the backend's own pages
  contents.on('will-navigate', (event, url) => {
    if (!navigationAllowed(url, origin)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

async function createWindow(connection: BackendConnection): Promise<void> {
  const origin = new URL(connection.url).origin;
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    if (
      details.url.startsWith(origin) &&
      !headers['content-security-policy'] &&
      details.resourceType === 'mainFrame'
    ) {
      headers['content-security-policy'] = [WINDOW_CSP];
    }
    callback({ responseHeaders: headers });
  });
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'ktrdr',
    webPreferences: windowWebPreferences(preload),
  });
  secure(window, origin);
  await window.loadURL(connection.url);
}

/** In the packaged app, the sample data, the web UI, the worker and the IB host sit in the app's resources. */
function usePackagedResources(): void {
  if (!app.isPackaged) return;
  process.env.KTRDR_ASSETS_DIR ??= join(process.resourcesPath, 'assets');
  process.env.KTRDR_WEB_DIR ??= join(process.resourcesPath, 'renderer');
  process.env.KTRDR_WORKER_BIN ??= join(
    process.resourcesPath,
    'app.asar.unpacked',
    'worker',
    'bin.js',
  );
  process.env.KTRDR_IB_HOST_BIN ??= join(
    process.resourcesPath,
    'app.asar.unpacked',
    'ib-host',
    'bin.js',
  );
}

async function start(): Promise<void> {
  usePackagedResources();
  const { settings, warning } = loadSettings(dataDir);
  if (warning) console.warn(`ktrdr: ${warning}`);
  try {
    const runtime = desktopRuntime();
    console.log(
      `ktrdr: backend in ${runtime.backend} (SQLite: ${runtime.sqliteDriver}); workers as ${runtime.workers}`,
    );
    stack = await startDesktopStack({
      dataDir,
      settings,
      spawnHost: spawnUtility,
      sqliteDriver: runtime.sqliteDriver,
      log: (line) => console.log(line),
    });
  } catch (error) {
    dialog.showErrorBox('ktrdr could not start', (error as Error).message);
    app.exit(1);
    return;
  }
  const connection: BackendConnection = { url: stack.url, token: stack.token };
  ipcMain.handle('ktrdr:backend', () => connection);
  ipcMain.handle('ktrdr:choose-csv', async () => {
    const picked = await dialog.showOpenDialog({
      properties: ['openFile'],
      filters: [{ name: 'CSV', extensions: ['csv', 'txt'] }],
    });
    const path = picked.filePaths[0];
    return picked.canceled || !path
      ? null
      : { name: basename(path), text: await readFile(path, 'utf8') };
  });
  ipcMain.handle('ktrdr:show-data-folder', () => shell.openPath(dataDir).then(() => undefined));
  ipcMain.handle('ktrdr:get-settings', () => loadSettings(dataDir).settings);
  ipcMain.handle('ktrdr:save-settings', (_event, next: DesktopSettings) => {
    saveSettings(dataDir, next);
    return { saved: true, restart_needed: true };
  });
  await createWindow(connection);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('window-all-closed', () => app.quit());
  let stopping = false;
  app.on('before-quit', (event) => {
    if (!stack || stopping) return;
    // stop every process we started before letting Electron exit
    event.preventDefault();
    stopping = true;
    void stack.stop().finally(() => app.exit(0));
  });
  void app.whenReady().then(start);
}
