import type { ElectronBinaryStatus } from '@ktrdr/doctor';

/** What `npm start` does next. */
export type LaunchPlan =
  | { mode: 'window'; binary: string }
  | { mode: 'install'; version: string }
  | { mode: 'headless'; reason: string };

/** What the plan is made from: this process's flags and environment, and the Electron binary. */
export interface LaunchFacts {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  electron: ElectronBinaryStatus;
  /** Set once the installer ran and failed, with its reason. */
  installFailed?: string | undefined;
}

/** `--headless` is npm start's own flag: the backend's parser never sees it. */
export const HEADLESS_FLAG = '--headless';

/**
 * Window, install, or headless, and why. A trader asking for headless gets it at once; a
 * missing binary is installed first (the installer says why when it cannot), and a binary
 * that cannot show a window (no display on Linux) runs the stack headless, saying so.
 */
export function planLaunch(facts: LaunchFacts): LaunchPlan {
  if (facts.argv.includes(HEADLESS_FLAG)) return { mode: 'headless', reason: HEADLESS_FLAG };
  if (facts.env.KTRDR_HEADLESS === '1') return { mode: 'headless', reason: 'KTRDR_HEADLESS=1' };
  if (facts.argv.includes('--help') || facts.argv.includes('-h'))
    return { mode: 'headless', reason: '--help' };
  const { electron } = facts;
  if (!electron.installed) {
    if (facts.installFailed !== undefined)
      return {
        mode: 'headless',
        reason: `Electron's installer failed: ${facts.installFailed}; retry with: npx ktrdr setup desktop`,
      };
    if (!electron.version) return { mode: 'headless', reason: electron.reason };
    return { mode: 'install', version: electron.version };
  }
  if (facts.platform === 'linux' && !facts.env.DISPLAY && !facts.env.WAYLAND_DISPLAY)
    return {
      mode: 'headless',
      reason: `Electron is installed, but this session has no display (DISPLAY and WAYLAND_DISPLAY are unset)`,
    };
  return { mode: 'window', binary: electron.path };
}

/** The seconds npm start gives Electron's installer: KTRDR_ELECTRON_INSTALL_TIMEOUT, else 120. */
export function installTimeoutSeconds(env: NodeJS.ProcessEnv): number {
  const raw = env.KTRDR_ELECTRON_INSTALL_TIMEOUT;
  if (raw === undefined || raw === '') return 120;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`KTRDR_ELECTRON_INSTALL_TIMEOUT must be a number of seconds > 0, got "${raw}"`);
  return seconds;
}
