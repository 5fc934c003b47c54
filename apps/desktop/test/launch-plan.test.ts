import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ElectronBinaryStatus } from '@ktrdr/doctor';
import { installTimeoutSeconds, planLaunch } from '../src/launch-plan.js';

const installed: ElectronBinaryStatus = {
  installed: true,
  path: '/x/dist/electron',
  version: '45.5.0',
};
const absent: ElectronBinaryStatus = {
  installed: false,
  reason: 'no Electron binary in /x/dist',
  version: '45.5.0',
  packageDir: '/x',
};
const display = { DISPLAY: ':0' };

// npm start's choice between the window, Electron's installer and the headless stack
describe('npm start: window, install or headless', () => {
  it('opens the window where the binary is installed and there is a display', () => {
    assert.deepEqual(
      planLaunch({ argv: [], env: display, platform: 'linux', electron: installed }),
      {
        mode: 'window',
        binary: '/x/dist/electron',
      },
    );
    // macOS and Windows have no DISPLAY variable to check
    assert.equal(
      planLaunch({ argv: [], env: {}, platform: 'darwin', electron: installed }).mode,
      'window',
    );
  });

  it('runs the installer when the binary is missing, and headless with its reason when that failed', () => {
    assert.deepEqual(planLaunch({ argv: [], env: display, platform: 'linux', electron: absent }), {
      mode: 'install',
      version: '45.5.0',
    });
    assert.deepEqual(
      planLaunch({
        argv: [],
        env: display,
        platform: 'linux',
        electron: absent,
        installFailed: 'fetch failed: getaddrinfo ENOTFOUND github.com',
      }),
      {
        mode: 'headless',
        reason:
          "Electron's installer failed: fetch failed: getaddrinfo ENOTFOUND github.com; retry with: npx ktrdr setup desktop",
      },
    );
  });

  it('--headless and KTRDR_HEADLESS=1 skip the installer and the window', () => {
    for (const electron of [installed, absent]) {
      assert.deepEqual(
        planLaunch({ argv: ['--headless'], env: display, platform: 'linux', electron }),
        {
          mode: 'headless',
          reason: '--headless',
        },
      );
      assert.deepEqual(
        planLaunch({
          argv: [],
          env: { ...display, KTRDR_HEADLESS: '1' },
          platform: 'linux',
          electron,
        }),
        { mode: 'headless', reason: 'KTRDR_HEADLESS=1' },
      );
    }
  });

  it('a Linux session without a display runs headless, saying so', () => {
    const plan = planLaunch({ argv: [], env: {}, platform: 'linux', electron: installed });
    assert.equal(plan.mode, 'headless');
    assert.match(
      plan.mode === 'headless' ? plan.reason : '',
      /no display \(DISPLAY and WAYLAND_DISPLAY are unset\)/,
    );
    assert.equal(
      planLaunch({
        argv: [],
        env: { WAYLAND_DISPLAY: 'wayland-0' },
        platform: 'linux',
        electron: installed,
      }).mode,
      'window',
    );
  });

  it('without the electron package at all (a production install) it runs headless', () => {
    assert.deepEqual(
      planLaunch({
        argv: [],
        env: display,
        platform: 'linux',
        electron: { installed: false, reason: 'the electron package is not installed' },
      }),
      { mode: 'headless', reason: 'the electron package is not installed' },
    );
  });

  it('the installer deadline is KTRDR_ELECTRON_INSTALL_TIMEOUT seconds; a bad value is named', () => {
    assert.equal(installTimeoutSeconds({}), 120);
    assert.equal(installTimeoutSeconds({ KTRDR_ELECTRON_INSTALL_TIMEOUT: '30' }), 30);
    assert.throws(
      () => installTimeoutSeconds({ KTRDR_ELECTRON_INSTALL_TIMEOUT: '-3' }),
      /KTRDR_ELECTRON_INSTALL_TIMEOUT must be a number of seconds > 0, got "-3"/,
    );
  });
});
