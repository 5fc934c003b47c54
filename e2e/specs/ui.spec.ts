import { expect, test } from '@playwright/test';
import { api, env, openUi, snapshot } from './helpers.js';

test.describe.configure({ mode: 'serial' });

test('signs in from the ready-to-click URL, clears the token from the address bar, and lists every worker', async ({
  page,
}) => {
  await openUi(page);
  expect(page.url()).not.toContain('token=');
  await expect(page.getByTestId('live-status')).toHaveText('live');
  await snapshot(page, 'operations-empty');
  await page.getByRole('link', { name: 'Workers' }).click();
  const rows = page.getByTestId('worker-row');
  await expect(rows).toHaveCount(3);
  const trainer = env.workers.find((w) => w.type === 'training')!;
  await expect(
    page
      .locator(`[data-testid="worker-row"][data-worker-id="${trainer.id}"]`)
      .getByTestId('training-backend'),
  ).toHaveText('wasm');
  for (const worker of env.workers) {
    await expect(
      page.locator(`[data-testid="worker-row"][data-worker-id="${worker.id}"]`),
    ).toHaveAttribute('data-status', 'available');
  }
  await expect(page.getByTestId('last-heartbeat').first()).toContainText('ago');
  await snapshot(page, 'workers');
});

test('a backtest started from the form shows a moving progress bar and ends with its equity chart', async ({
  page,
}) => {
  await openUi(page, '/launch');
  await page.getByTestId('field-strategy').click();
  await page.getByRole('option', { name: /^sma_crossover/ }).click();
  await expect(page.getByTestId('field-start')).toHaveValue('2000-01-01');
  await snapshot(page, 'launch');
  await page.getByRole('button', { name: 'Start backtest' }).click();
  await page.waitForURL(/\/operations\/op_backtesting_/);
  const bar = page.getByRole('progressbar').first();
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 10_000 })
    .toBeGreaterThan(5);
  const early = Number(await bar.getAttribute('aria-valuenow'));
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')))
    .toBeGreaterThan(early);
  await snapshot(page, 'operation-running');
  await expect(page.getByTestId('operation-detail')).toHaveAttribute('data-status', 'completed', {
    timeout: 20_000,
  });
  await expect(page.locator('[data-testid="equity-chart"] canvas').first()).toBeVisible();
  await expect(page.locator('[data-metric="total_trades"]')).toHaveText('57');
  await snapshot(page, 'operation-completed');
});

test('a running backtest cancelled from its button ends cancelled', async ({ page }) => {
  const { operation_id } = await api().startBacktest({ strategy_name: 'macd_trend' });
  await openUi(page);
  const row = page.locator(`[data-testid="operation-row"][data-operation-id="${operation_id}"]`);
  await expect(row).toHaveAttribute('data-status', 'running');
  await expect
    .poll(async () => Number(await row.getByRole('progressbar').getAttribute('aria-valuenow')))
    .toBeGreaterThan(0);
  await snapshot(page, 'operations-running');
  await row.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toHaveAttribute('data-status', 'cancelled');
  await expect(row.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  expect((await api().getOperation(operation_id)).status).toBe('cancelled');
});

test("a bad form value shows the API's message beside the field", async ({ page }) => {
  await openUi(page, '/launch');
  await page.getByTestId('field-strategy').click();
  await page.getByRole('option', { name: /^rsi_mean_reversion/ }).click();
  await page.getByTestId('field-start').fill('2015-01-01');
  await page.getByTestId('field-end').fill('2010-01-01');
  await page.getByRole('button', { name: 'Start backtest' }).click();
  await expect(page.getByText('is before start_date; swap them or widen the range')).toBeVisible();
  await expect(page.getByTestId('field-end')).toHaveAttribute('aria-invalid', 'true');
  await snapshot(page, 'launch-error');
});

test('the data, strategies, models and join views show what the backend has', async ({ page }) => {
  await openUi(page, '/data');
  await expect(page.getByTestId('series-table')).toContainText('SP500');
  await expect(page.getByTestId('series-table')).toContainText('5,105');
  await snapshot(page, 'data');
  await page.getByRole('link', { name: 'Strategies' }).click();
  await page.getByRole('link', { name: 'macd_trend' }).click();
  const editor = page.getByRole('textbox', { name: 'Strategy YAML' });
  await expect(editor).toHaveValue(/type: macd/);
  await editor.fill((await editor.inputValue()).replace('period: 14', 'period: 0'));
  await page.getByRole('button', { name: 'Save as a new version' }).click();
  await expect(page.getByTestId('strategy-errors')).toContainText('indicators.adx.period');
  await snapshot(page, 'strategies');
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByText('No trained models yet')).toBeVisible();
  await snapshot(page, 'models');
  await page.getByRole('link', { name: 'Join a worker' }).click();
  await expect(page.getByTestId('join-hint')).toContainText('KTRDR_HOST=0.0.0.0');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'New join token' }).click();
  await expect(page.getByTestId('rotation-result')).toContainText(
    'running workers keep working with their own credentials',
  );
  await snapshot(page, 'join');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByText('Settings belong to the desktop app')).toBeVisible();
});

test('a model trained from the form shows its curves, lands in Models, and a backtest runs it', async ({
  page,
}) => {
  await openUi(page, '/launch?mode=train');
  await expect(page.getByRole('heading', { name: 'Train a model' })).toBeVisible();
  await page.getByTestId('field-strategy').click();
  await page.getByRole('option', { name: /^neuro_fuzzy_example/ }).click();
  await page.getByTestId('field-epochs').fill('4');
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForURL(/\/operations\/op_training_/);
  await expect(page.getByTestId('operation-detail')).toHaveAttribute('data-status', 'completed', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('training-curves')).toHaveAttribute('data-epochs', '4');
  await expect(page.locator('[data-testid="training-curves"] canvas').first()).toBeVisible();
  await expect(page.getByTestId('last-epoch')).toHaveText(
    /^Epoch 4: loss \d+\.\d{4}, val loss \d\.\d{4}/,
  );
  await expect(page.getByTestId('training-result')).toContainText('wasm');
  await snapshot(page, 'training-completed');

  await page.getByRole('link', { name: 'Backtest this model' }).click();
  await expect(page.getByTestId('field-model')).toHaveValue(/^neuro_fuzzy_example_\d{8}_/);
  await page.getByTestId('field-start').fill('2012-01-01');
  await page.getByRole('button', { name: 'Start backtest' }).click();
  await page.waitForURL(/\/operations\/op_backtesting_/);
  await expect(page.getByTestId('operation-detail')).toHaveAttribute('data-status', 'completed', {
    timeout: 30_000,
  });
  await expect(page.locator('[data-testid="equity-chart"] canvas').first()).toBeVisible();

  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByTestId('model-row')).toHaveCount(1);
  await page.getByTestId('model-row').getByRole('link').first().click();
  await expect(page.getByTestId('model-lineage')).toContainText('Trained on SP500 1d');
  await expect(page.getByTestId('model-lineage')).toContainText('backend wasm');
  await snapshot(page, 'models-trained');
});

test('a worker process killed mid-run: it leaves the available workers and its backtest fails over to the other one', async ({
  page,
}) => {
  await openUi(page, '/workers');
  const { operation_id } = await api().startBacktest({ strategy_name: 'macd_trend' });
  let running = await api().getOperation(operation_id);
  await expect
    .poll(async () => (running = await api().getOperation(operation_id)).progress.percentage)
    .toBeGreaterThan(5);
  const victim = env.workers.find((w) => w.id === running.worker_id)!;
  const row = page.locator(`[data-testid="worker-row"][data-worker-id="${victim.id}"]`);
  await expect(row).toHaveAttribute('data-status', 'busy');
  process.kill(victim.pid, 'SIGKILL');
  await expect(
    page.locator(
      `[data-testid="worker-row"][data-worker-id="${victim.id}"][data-status="available"]`,
    ),
  ).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByTestId('worker-row')).toHaveCount(2);
  await snapshot(page, 'workers-after-kill');

  // the operation says it failed over, and finishes on the survivor
  await page.getByRole('link', { name: 'Operations' }).click();
  const opRow = page.locator(`[data-testid="operation-row"][data-operation-id="${operation_id}"]`);
  await expect(opRow.getByTestId('attempt-badge')).toHaveText('failed over · attempt 2', {
    timeout: 10_000,
  });
  await expect(opRow).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await opRow.getByRole('link').first().click();
  await expect(page.getByTestId('attempts-table')).toContainText(`lost: worker ${victim.id} died`);
  await snapshot(page, 'operation-failed-over');
});

test('a download from IB: the symbol is checked as you type, the download runs as an operation, the series lands in Data', async ({
  page,
}) => {
  await openUi(page, '/data');
  // the badge polls every 10 s: allow one poll
  await expect(page.getByTestId('ib-status')).toHaveText('IB connected', { timeout: 15_000 });
  const symbol = page.getByTestId('download-symbol');
  await symbol.fill('NOSUCH');
  await expect(page.getByText(/unknown symbol "NOSUCH"/)).toBeVisible();
  await symbol.fill('MSFT');
  await expect(page.getByText(/MICROSOFT CORP · SMART/)).toBeVisible();
  await page.getByTestId('download-start').fill('2026-05-01');
  await page.getByTestId('download-end').fill('2026-08-31');
  await page.getByTestId('download-submit').click();
  await page.waitForURL(/\/operations\/op_data_load_/);
  await expect(page.getByTestId('operation-detail')).toHaveAttribute('data-status', 'completed', {
    timeout: 30_000,
  });
  await expect(page.getByTestId('data-load-result')).toContainText('Gaps (0)');
  await expect(page.getByTestId('data-load-result')).toContainText('5 chunks');
  await snapshot(page, 'download-completed');
  await page.getByRole('link', { name: 'Data' }).click();
  const row = page.getByTestId('series-table').getByRole('row', { name: /MSFT/ });
  await expect(row).toContainText('1h');
  await snapshot(page, 'data-downloaded');
});
