import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinaryStatus } from '@ktrdr/doctor';

const root = fileURLToPath(new URL('../../', import.meta.url));
// the same check npm start makes: a complete binary of the pinned version
const binary = electronBinaryStatus();

test.describe('desktop app (Electron)', () => {
  test.skip(
    !binary.installed,
    `${binary.installed ? '' : binary.reason}: its download needs internet (npx ktrdr setup desktop; docs/desktop.md)`,
  );

  test('opens a secured window on the embedded backend and shows the roster', async () => {
    const dataDir = `${root}e2e/artifacts/electron-data`;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      `${dataDir}/desktop-settings.json`,
      JSON.stringify({ backend_port: 0, ib_host_port: 0, ib_gateway_port: 1 }),
    );
    const app = await electron.launch({
      executablePath: binary.installed ? binary.path : undefined,
      args: [`${root}apps/desktop/dist/main/main.js`],
      env: { ...process.env, KTRDR_DATA_DIR: dataDir },
    });
    try {
      const window = await app.firstWindow();
      await expect(window.locator('html')).toHaveAttribute('data-app-state', 'ready', {
        timeout: 60_000,
      });
      // no Node in the page, and only the preload's typed API
      const exposed = await window.evaluate(() => ({
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
        api: Object.keys((window as unknown as { ktrdr: object }).ktrdr).sort(),
      }));
      expect(exposed).toEqual({
        require: 'undefined',
        process: 'undefined',
        api: ['backend', 'chooseCsvFile', 'getSettings', 'saveSettings', 'showDataFolder'],
      });
      // the default settings: one backtest and one CPU training worker (no GPU host without a GPU)
      await window.getByRole('link', { name: 'Workers' }).click();
      await expect(window.getByTestId('worker-row')).toHaveCount(2);
      // the desktop app opens the LAN with its own setting
      await window.getByRole('link', { name: 'Join a worker' }).click();
      await expect(window.getByTestId('join-instruction')).toContainText(
        'Settings → Allow LAN workers',
      );
      await window.screenshot({ path: `${root}e2e/artifacts/electron-workers.png` });
    } finally {
      await app.close();
    }
  });
});
