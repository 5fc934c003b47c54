/**
 * The preload: one typed method per capability, checked against `DesktopApi` with
 * `satisfies`; `ipcRenderer` itself never reaches the page. Bundled to CommonJS
 * (a sandboxed preload cannot be an ES module).
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  DESKTOP_API_GLOBAL,
  type BackendConnection,
  type DesktopApi,
  type DesktopSettingsView,
} from '@ktrdr/shared/desktop-api';

const api = {
  backend: () => ipcRenderer.invoke('ktrdr:backend') as Promise<BackendConnection>,
  chooseCsvFile: () =>
    ipcRenderer.invoke('ktrdr:choose-csv') as Promise<{ name: string; text: string } | null>,
  showDataFolder: () => ipcRenderer.invoke('ktrdr:show-data-folder') as Promise<void>,
  getSettings: () => ipcRenderer.invoke('ktrdr:get-settings') as Promise<DesktopSettingsView>,
  saveSettings: (settings: DesktopSettingsView) =>
    ipcRenderer.invoke('ktrdr:save-settings', settings) as Promise<{
      saved: true;
      restart_needed: true;
    }>,
} satisfies DesktopApi;

contextBridge.exposeInMainWorld(DESKTOP_API_GLOBAL, api);
