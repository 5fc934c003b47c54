import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import { BackendClient } from '@ktrdr/shared';

/** Where the global setup started things. */
export const env = {
  url: process.env.KTRDR_E2E_URL ?? '',
  token: process.env.KTRDR_E2E_TOKEN ?? '',
  workers: JSON.parse(process.env.KTRDR_E2E_WORKERS ?? '[]') as {
    id: string;
    pid: number;
    type: 'backtesting' | 'training';
  }[],
};

/** An API client for arranging and checking what the UI shows. */
export const api = () => new BackendClient({ baseUrl: env.url, token: env.token });

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

/** Saves a full-page screenshot of a view under e2e/artifacts/ (git-ignored). */
export async function snapshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Opens the UI through the ready-to-click URL (token in the fragment) and waits until it is ready. */
export async function openUi(page: Page, path = '/'): Promise<void> {
  await page.goto(`${env.url}/#token=${env.token}`);
  await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
  if (path !== '/') {
    await page.goto(`${env.url}${path}`);
    await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
  }
}
