import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const hasElectron = existsSync(`${root}node_modules/electron/dist`);

test.describe('desktop app (Electron)', () => {
  test.skip(
    !hasElectron,
    'no Electron binary in node_modules/electron/dist: its download needs internet (see README, "Desktop app")',
  );

  test('opens a secured window on the embedded backend and shows the roster', async () => {
    const dataDir = `${root}e2e/artifacts/electron-data`;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(`${dataDir}/desktop-settings.json`, JSON.stringify({ backend_port: 0 }));
    const app = await electron.launch({
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
        api: ['backend', 'chooseCsvFile', 'showDataFolder'],
      });
      await window.getByRole('link', { name: 'Workers' }).click();
      await expect(window.getByTestId('worker-row')).toHaveCount(1);
      await window.screenshot({ path: `${root}e2e/artifacts/electron-workers.png` });
    } finally {
      await app.close();
    }
  });
});
