import { readFileSync } from 'node:fs';
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

test('after a backtest, the Workers view shows how busy its worker was, its jobs per minute, and the cluster throughput', async ({
  page,
}) => {
  const client = api();
  const { operation_id } = await client.startBacktest({
    strategy_name: 'sma_crossover',
    start_date: '2015-01-01',
  });
  await expect
    .poll(async () => (await client.getOperation(operation_id)).status, { timeout: 30_000 })
    .toBe('completed');
  const workerId = (await client.getOperation(operation_id)).worker_id!;
  await openUi(page, '/workers');
  const row = page.locator(`[data-testid="worker-row"][data-worker-id="${workerId}"]`);
  const figure = (text: string | null) => Number.parseFloat(text ?? '');
  await expect
    .poll(async () => figure(await row.getByTestId('busy-fraction').textContent()))
    .toBeGreaterThan(0);
  await expect(row.getByTestId('busy-fraction')).toHaveText(/^\d+(\.\d)? %$/);
  await expect
    .poll(async () => figure(await row.getByTestId('jobs-per-minute').textContent()))
    .toBeGreaterThan(0);
  // the bar says in words what it shows, for a screen reader
  await expect(row.getByRole('progressbar')).toHaveAccessibleName(
    new RegExp(`^${workerId}: \\d+(\\.\\d)? % busy over the last `),
  );
  await expect(page.getByTestId('cluster-throughput')).toContainText('Cluster throughput');
  expect(figure(await page.getByTestId('cluster-per-minute').textContent())).toBeGreaterThan(0);
  await snapshot(page, 'workers-activity');
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
  // the benchmark and the period returns, as the API computed them, in figures that say what they show
  const id = /\/operations\/(op_backtesting_[^/?#]+)/.exec(page.url())![1]!;
  const result = await api().getBacktestResult(id);
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  await expect(page.locator('[data-metric="buy_and_hold_return"]')).toHaveText(
    pct(result.benchmark!.buy_and_hold_return),
  );
  await expect(page.locator('[data-metric="excess_return"]')).toHaveText(
    pct(result.benchmark!.excess_return),
  );
  await expect(page.getByTestId('monthly-returns')).toHaveAttribute(
    'aria-label',
    `Monthly returns sma_crossover · SP500 1d, 2000-01 → 2020-04, ${result.periods!.monthly.length} months`,
  );
  expect(result.periods!.monthly.length).toBe(244);
  await expect(page.getByTestId('yearly-returns')).toHaveAttribute(
    'aria-label',
    'Yearly returns sma_crossover · SP500 1d, 2000 → 2020, 21 years',
  );
  await expect(
    page.getByTestId('trades-table').getByRole('columnheader', { name: 'MAE' }),
  ).toBeVisible();
  // the curve's figure says its whole range and ends on the headline's final equity
  const lastPoint = result.equity_curve[result.equity_curve.length - 1]!;
  expect(lastPoint.equity).toBeCloseTo(100_000 * (1 + result.metrics.total_return), 2);
  const final = lastPoint.equity.toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  const held = (100_000 * (1 + result.benchmark!.buy_and_hold_return)).toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  await expect(page.getByTestId('equity-chart')).toHaveAttribute(
    'aria-label',
    `Equity and drawdown sma_crossover · SP500 1d, 2000-01-03 → 2020-04-17, final equity ${final}, buy and hold ${held}`,
  );
  // the price chart: every bar as a candle, each trade the API returns marked, the strategy's SMAs
  const price = page.getByTestId('price-chart');
  await expect(price.locator('canvas').first()).toBeVisible();
  await expect(price).toHaveAttribute(
    'aria-label',
    `Price SP500 1d, 2000-01-03 → 2020-04-17, ${result.trades_total} trades marked, indicators fast (sma), slow (sma)`,
  );
  await expect(price).toHaveAttribute('data-visible-from', '2000-01-03');
  await expect(price).toHaveAttribute('data-visible-to', '2020-04-17');
  // the rolling Sharpe over the full curve, its window the trader's; a bad window says why
  const sharpe = page.getByTestId('rolling-sharpe');
  await expect(sharpe).toHaveAttribute(
    'aria-label',
    /^Rolling Sharpe \(63 bars\) sma_crossover · SP500 1d, 2000-04-0\d → 2020-04-17, 5,042 windows, annualized, last -?\d+\.\d\d$/,
  );
  await snapshot(page, 'result-page');
  const window = page.getByTestId('sharpe-window');
  await window.fill('0');
  await expect(page.getByTestId('sharpe-window-error')).toHaveText(
    'window must be at least 2 bars (a standard deviation needs two returns), not 0',
  );
  await window.fill('6000');
  await expect(page.getByTestId('sharpe-window-error')).toHaveText(
    'window of 6,000 bars is longer than the run (5,104 bar returns)',
  );
  await window.fill('21');
  await expect(sharpe).toHaveAttribute(
    'aria-label',
    /^Rolling Sharpe \(21 bars\) .*, 5,084 windows,/,
  );
  // the page says what ran (the bars it ran on), and the full result downloads as a file
  await expect(page.getByTestId('operation-title')).toHaveText(
    'sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17',
  );
  await expect(page).toHaveTitle('sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17 — ktrdr');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the full result' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${id}-full-result.json`);
  const full = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
    equity_curve: unknown[];
    trades: unknown[];
  };
  expect([full.equity_curve.length, full.trades.length]).toEqual([5105, 57]);
  // every trade is reachable, sortable, and exported as CSV
  const trades = page.getByTestId('trades-table');
  await expect(trades).toHaveAttribute('data-rows', '57');
  await expect(page.getByTestId('trades-range')).toHaveText('1–50 of 57');
  await page.getByLabel('Trade pages').getByRole('button', { name: '2' }).click();
  await expect(page.getByTestId('trades-range')).toHaveText('51–57 of 57');
  await expect(trades.getByTestId('trade-row')).toHaveCount(7);
  await trades.getByRole('button', { name: 'P&L' }).click();
  const best = Math.max(...full.trades.map((t) => (t as { pnl: number }).pnl));
  await expect(trades.getByTestId('trade-row').first().locator('td').nth(6)).toHaveText(
    best.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  );
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('trades-csv').click(),
  ]);
  expect(csv.suggestedFilename()).toBe(`${id}-trades.csv`);
  const lines = readFileSync(await csv.path(), 'utf8')
    .trim()
    .split('\n');
  expect(lines[0]).toBe(
    'side,entry_time,exit_time,entry_price,exit_price,size,pnl,fees,return_pct,bars_held,mae,mfe,exit_reason',
  );
  expect(lines.length).toBe(58);
  expect(Number(lines[1]!.split(',')[6])).toBe(best);
  await snapshot(page, 'operation-completed');
  // clicking a trade row zooms the charts to that trade, a few bars either side
  const top = full.trades.find((t) => (t as { pnl: number }).pnl === best) as {
    entry_time: string;
    exit_time: string;
  };
  await trades.getByTestId('trade-row').first().click();
  const entry = top.entry_time.slice(0, 10);
  const exit = top.exit_time.slice(0, 10);
  const shown = async () => {
    const from = Date.parse((await price.getAttribute('data-visible-from'))!);
    const to = Date.parse((await price.getAttribute('data-visible-to'))!);
    return { from, to };
  };
  await expect
    .poll(async () => {
      const { from, to } = await shown();
      // the trade inside, and no more than ten bars (two weeks either side) around it
      return (
        from <= Date.parse(entry) &&
        to >= Date.parse(exit) &&
        Date.parse(entry) - from <= 10 * 86_400_000 &&
        to - Date.parse(exit) <= 10 * 86_400_000
      );
    })
    .toBe(true);
  // the caption says the dates in view
  await expect(price.getByText(/^showing /)).toHaveText(
    `showing ${await price.getAttribute('data-visible-from')} → ${await price.getAttribute('data-visible-to')}`,
  );
  await price.scrollIntoViewIfNeeded();
  await snapshot(page, 'result-page-trade');
});

test('two backtests ticked in the operations list compare side by side; the report downloads and opens offline', async ({
  page,
  context,
}) => {
  const client = api();
  // the full-range sma_crossover run of the form test above, when this runs after it
  const done = await client.listOperations({
    operation_type: 'backtesting',
    status: 'completed',
    top_level: true,
  });
  const earlier = done.operations.find(
    (o) =>
      o.metadata.strategy_name === 'sma_crossover' &&
      String(o.metadata.start_date).startsWith('2000-01-01') &&
      Object.keys(o.metadata.parameters ?? {}).length === 0,
  )?.operation_id;
  const ids = await Promise.all([
    earlier ?? client.startBacktest({ strategy_name: 'sma_crossover' }).then((s) => s.operation_id),
    client
      .startBacktest({ strategy_name: 'rsi_mean_reversion', start_date: '2015-01-01' })
      .then((s) => s.operation_id),
  ]);
  for (const id of ids)
    await expect
      .poll(async () => (await client.getOperation(id)).status, { timeout: 30_000 })
      .toBe('completed');
  const results = await Promise.all(ids.map((id) => client.getBacktestResult(id)));
  await openUi(page);
  const compare = page.getByTestId('compare-button');
  await expect(compare).toHaveText('Compare (0)');
  await expect(compare).toBeDisabled();
  for (const id of ids)
    await page.locator(`[data-operation-id="${id}"]`).getByTestId('compare-select').check();
  await expect(compare).toHaveText('Compare (2)');
  await compare.click();
  await page.waitForURL(`**/compare?ids=${ids.join(',')}`);
  // the caption names the runs and the range, from the earliest start to the latest end
  await expect(page.getByTestId('compare-chart')).toHaveAttribute(
    'aria-label',
    'Equity of 2 runs, normalised to 1, 2000-01-03 → 2020-04-17',
  );
  await expect(page.getByTestId('legend-run')).toHaveText([
    'sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17',
    `rsi_mean_reversion · SP500 1d · ${results[1]!.equity_curve[0]!.time.slice(0, 10)} → 2020-04-17`,
  ]);
  await expect(page.locator('[data-testid="compare-chart"] canvas').first()).toBeVisible();
  // the table holds the API's numbers, a column per run, the better one marked
  const row = (metric: string) =>
    page.locator(
      `[data-testid="compare-row"][data-metric="${metric}"] [data-testid="compare-cell"]`,
    );
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
  await expect(row('total_return').getByTestId('compare-value')).toHaveText([
    pct(a.metrics.total_return),
    pct(b.metrics.total_return),
  ]);
  await expect(row('sharpe_ratio').getByTestId('compare-value')).toHaveText([
    a.metrics.sharpe_ratio.toFixed(2),
    b.metrics.sharpe_ratio.toFixed(2),
  ]);
  await expect(row('total_trades').getByTestId('compare-value')).toHaveText([
    String(a.metrics.total_trades),
    String(b.metrics.total_trades),
  ]);
  await expect(row('buy_and_hold_return').getByTestId('compare-value')).toHaveText([
    pct(a.benchmark!.buy_and_hold_return),
    pct(b.benchmark!.buy_and_hold_return),
  ]);
  const better = a.metrics.total_return > b.metrics.total_return ? 0 : 1;
  await expect(row('total_return').nth(better)).toHaveAttribute('data-best', 'true');
  await expect(row('total_return').nth(1 - better)).not.toHaveAttribute('data-best');
  const lowerDrawdown = a.metrics.max_drawdown < b.metrics.max_drawdown ? 0 : 1;
  await expect(row('max_drawdown').nth(lowerDrawdown)).toHaveAttribute('data-best', 'true');
  await expect(page.getByTestId('compare-row')).toHaveCount(20);
  await snapshot(page, 'compare');
  // the report: downloaded from the result page (the legend links to it), opened from the
  // file with the network cut off
  await page.getByRole('link', { name: `Open ${ids[0]}` }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('report-button').click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${ids[0]}-report.html`);
  const file = test.info().outputPath('report.html');
  await download.saveAs(file);
  const offline = await context.newPage();
  const attempted: string[] = [];
  offline.on('request', (r) => attempted.push(r.url()));
  await offline.route('**/*', (r) =>
    r.request().url().startsWith('file:') ? r.continue() : r.abort(),
  );
  await offline.goto(`file://${file}`);
  await expect(offline).toHaveTitle('sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17');
  await expect(offline.locator('tr.trade')).toHaveCount(a.trades_total!);
  expect(a.trades_total).toBe(57);
  await expect(offline.locator('[data-metric="total_return"]')).toHaveText(
    pct(a.metrics.total_return),
  );
  await expect(offline.locator('svg[data-chart]')).toHaveCount(4);
  await snapshot(offline, 'report');
  expect(attempted.filter((url) => !url.startsWith('file:'))).toEqual([]);
  await offline.close();
  // a link that cannot be compared says which run and why, never a blank page
  await page.goto(`${env.url}/compare?ids=${ids[0]},op_backtesting_20200101_000000_deadbeef`);
  await expect(page.getByTestId('compare-problem')).toContainText(
    'Run op_backtesting_20200101_000000_deadbeef was not found.',
  );
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
  // the stored range beside the dates; the strategy's end (2020-12-31) is past the data
  const stored = (await api().listSeries()).series.find(
    (s) => s.symbol === 'SP500' && s.timeframe === '1d',
  )!;
  const last = stored.last_bar.slice(0, 10);
  await expect(page.getByTestId('stored-range')).toHaveText(
    `Stored: ${stored.first_bar.slice(0, 10)} → ${last} · ${stored.bar_count.toLocaleString('en-US')} bars`,
  );
  await expect(page.getByTestId('field-end')).toHaveValue(last);
  await expect(page.getByTestId('end-note')).toHaveText(`end set to the last stored bar, ${last}`);
  await snapshot(page, 'launch-stored-range');
  await page.getByTestId('field-start').fill('2015-01-01');
  await page.getByTestId('field-end').fill('2010-01-01');
  await expect(page.getByTestId('end-note')).toHaveCount(0);
  await page.getByRole('button', { name: 'Start backtest' }).click();
  // the API's message, led by the field's label and naming the other field by its label
  await expect(
    page.getByText('End date is before start date; swap them or widen the range'),
  ).toBeVisible();
  await expect(page.getByTestId('field-end')).toHaveValue('2010-01-01');
  await expect(page.getByTestId('field-end')).toHaveAttribute('aria-invalid', 'true');
  await snapshot(page, 'launch-error');
  // a value out of range is an error, never silently clamped (epochs −3 stays −3)
  await page.getByText('Train', { exact: true }).click();
  await page.getByTestId('field-strategy').click();
  await page.getByRole('option', { name: /^neuro_fuzzy_example/ }).click();
  await page.getByTestId('field-epochs').fill('-3');
  await page.getByTestId('field-epochs').blur();
  await expect(page.getByTestId('field-epochs')).toHaveValue('-3');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('field-epochs')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Epochs must be >= 1')).toBeVisible();
  await snapshot(page, 'launch-epochs-error');
});

test('an unknown symbol is refused in the form, never replaced by a stored one', async ({
  page,
}) => {
  const before = (await api().listOperations({ limit: 1 })).total_count;
  await openUi(page, '/launch');
  await page.getByTestId('field-strategy').click();
  await page.getByRole('option', { name: /^sma_crossover/ }).click();
  await expect(page.getByTestId('field-symbol')).toHaveValue('SP500');
  await page.getByTestId('field-symbol').fill('AAPL');
  // said at once, before anything is sent
  await expect(page.getByText('AAPL is not stored: import or download it (Data)')).toBeVisible();
  // Enter submits the form: the API refuses it too, naming the field; nothing runs on SP500 instead
  await page.getByTestId('field-symbol').press('Enter');
  await expect(page.getByText('no stored series "AAPL" at 1d')).toBeVisible();
  await expect(page.getByTestId('field-symbol')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('field-symbol')).toHaveValue('AAPL');
  expect(page.url()).toMatch(/\/launch$/);
  expect((await api().listOperations({ limit: 1 })).total_count).toBe(before);
  await snapshot(page, 'launch-unknown-symbol');
});

test('the data, strategies, models and join views show what the backend has', async ({ page }) => {
  await openUi(page, '/data');
  await expect(page.getByTestId('series-table')).toContainText('SP500');
  await expect(page.getByTestId('series-table')).toContainText('5,105');
  await snapshot(page, 'data');
  await page.getByRole('link', { name: 'Strategies' }).click();
  await page.getByRole('link', { name: 'macd_trend' }).click();
  await expect(page.getByRole('textbox', { name: 'Strategy YAML' })).toContainText('type: macd');
  await snapshot(page, 'strategies');
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByText('No trained models yet')).toBeVisible();
  await snapshot(page, 'models');
  await page.getByRole('link', { name: 'Join a worker' }).click();
  // the web UI has no desktop settings: it says how to restart the backend for the LAN
  await expect(page.getByTestId('join-hint')).toContainText('listens on 127.0.0.1 only');
  await expect(page.getByTestId('join-instruction')).toContainText('KTRDR_HOST=0.0.0.0 npm start');
  await expect(page.getByTestId('join-instruction')).not.toContainText('Settings');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'New join token' }).click();
  await expect(page.getByTestId('rotation-result')).toContainText(
    'running workers keep working with their own credentials',
  );
  await snapshot(page, 'join');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByText('Settings belong to the desktop app')).toBeVisible();
});

test("the strategy editor marks the API's error at its line, and typing clears it", async ({
  page,
}) => {
  await openUi(page, '/strategies/macd_trend');
  const editor = page.getByRole('textbox', { name: 'Strategy YAML' });
  await expect(editor).toContainText('adx: { type: adx, period: 14 }');
  // line 12 of the bundled file is `  adx: { type: adx, period: 14 }`
  const yaml = (await api().getStrategy('macd_trend')).yaml;
  expect(yaml.split('\n')[11]).toBe('  adx: { type: adx, period: 14 }');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(yaml.replace('period: 14', 'period: 0'));
  await expect(editor).toContainText('adx: { type: adx, period: 0 }');
  await page.getByRole('button', { name: 'Save as a new version' }).click();

  // listed with its line, and marked in the text: the key `period` of line 12
  await expect(page.getByTestId('strategy-issue')).toHaveText(
    /^Line 12: indicators\.adx\.period must be/,
  );
  const host = page.getByTestId('strategy-editor');
  await expect(host).toHaveAttribute('data-error-lines', '12');
  const mark = host.locator('.cm-lintRange-error');
  await expect(mark).toHaveText('period');
  await expect(host.locator('.cm-line:has(.cm-lintRange-error)')).toHaveText(
    '  adx: { type: adx, period: 0 }',
  );
  // the gutter's error marker sits beside line number 12
  const marker = host.locator('.cm-lint-marker-error');
  await expect(marker).toHaveCount(1);
  const number = host.locator('.cm-lineNumbers .cm-gutterElement', { hasText: /^12$/ });
  const [a, b] = [await marker.boundingBox(), await number.boundingBox()];
  expect(Math.abs(a!.y + a!.height / 2 - (b!.y + b!.height / 2))).toBeLessThan(4);
  await snapshot(page, 'strategy-editor-error');

  // any edit clears the marks (they may no longer hold)
  await host.locator('.cm-line:has(.cm-lintRange-error)').click();
  await page.keyboard.press('End');
  await page.keyboard.type(' ');
  await expect(host.locator('.cm-lintRange-error')).toHaveCount(0);
  await expect(marker).toHaveCount(0);
  await expect(page.getByTestId('strategy-errors')).toHaveCount(0);
  await expect(host).toHaveAttribute('data-error-lines', '');
});

test('a model trained from the form shows its curves, lands in Models, and a backtest runs it', async ({
  page,
}) => {
  await openUi(page, '/launch?mode=train');
  await expect(page.getByRole('heading', { name: 'Train a model' })).toBeVisible();
  await page.getByTestId('field-strategy').click();
  await page.getByRole('option', { name: /^neuro_fuzzy_example/ }).click();
  await page.getByTestId('field-epochs').fill('4');
  // overrides are checked like a backtest's: a path the strategy lacks is refused, named
  await page.getByTestId('field-parameters').fill('training.batch_sise = 128');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByText('training.batch_sise: the strategy has no value at')).toBeVisible();
  await page.getByTestId('field-parameters').fill('training.batch_size = 128');
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForURL(/\/operations\/op_training_/);
  await expect(page.getByTestId('operation-detail')).toHaveAttribute('data-status', 'completed', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('training-curves')).toHaveAttribute('data-epochs', '4');
  await expect(page.locator('[data-testid="training-curves"] canvas').first()).toBeVisible();
  await expect(page.getByTestId('epoch-chart').first()).toHaveAttribute(
    'aria-label',
    /^Loss per epoch, epochs 1 → 4 \(4\), last loss \d+\.\d{4}, val loss \d+\.\d{4}$/,
  );
  await expect(page.getByTestId('last-epoch')).toHaveText(
    /^Epoch 4: loss \d+\.\d{4}, val loss \d\.\d{4}/,
  );
  await expect(page.getByTestId('training-result')).toContainText('wasm');
  // accuracy beside what always answering the most frequent class scores, and per class
  await expect(page.getByTestId('baseline')).toHaveText(
    /^Test accuracy \d+\.\d % against a majority-class baseline of \d+\.\d % \(always answering (BUY|HOLD|SELL)\)/,
  );
  await expect(page.locator('[data-testid="per-class"] tbody tr')).toHaveCount(3);
  await snapshot(page, 'training-completed');

  await page.getByRole('link', { name: 'Backtest this model' }).click();
  await expect(page.getByTestId('field-model')).toHaveValue(/^neuro_fuzzy_example_\d{8}_/);
  // out-of-sample by default: the dates are the model's test split, and the form says so
  const note = page.getByTestId('range-note');
  await expect(note).toHaveText(
    /^test split of neuro_fuzzy_example_\S+: \d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d, not seen in training$/,
  );
  const [, from, to] = /: (\S+) → (\S+),/.exec((await note.textContent()) ?? '') ?? [];
  await expect(page.getByTestId('field-start')).toHaveValue(from ?? 'missing');
  await expect(page.getByTestId('field-end')).toHaveValue(to ?? 'missing');
  // the split's end is the model's, not the stored-range clamp of a default end
  await expect(page.getByTestId('end-note')).toHaveCount(0);
  await snapshot(page, 'model-backtest-form');
  // a range reaching back into the training data: the result splits it by segment
  await page.getByTestId('field-start').fill('2012-01-01');
  await expect(note).toContainText('the range differs from the test split');
  await page.getByRole('button', { name: 'Start backtest' }).click();
  await page.waitForURL(/\/operations\/op_backtesting_/);
  await expect(page.getByTestId('operation-detail')).toHaveAttribute('data-status', 'completed', {
    timeout: 30_000,
  });
  await expect(page.locator('[data-testid="equity-chart"] canvas').first()).toBeVisible();
  await expect(page.getByTestId('in-sample-warning')).toHaveText(
    /^\d+ % of this range was used in training/,
  );
  await expect(page.locator('[data-testid="segments"] tbody tr').first()).toHaveAttribute(
    'data-segment',
    'train',
  );
  await expect(page.locator('[data-segment="test"]')).toContainText('out-of-sample');
  // the model's inputs drawn with the price: Bollinger on it, RSI and MACD in panes below;
  // the periods the model learnt from shaded on it, named with their dates
  const price = page.getByTestId('price-chart');
  await expect(price).toHaveAttribute(
    'aria-label',
    /, indicators rsi \(rsi\), macd \(macd\), bb \(bollinger\); shaded: train \(in sample\) 2012-01-03 → \d{4}-\d\d-\d\d, validation \(in sample\) \d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d$/,
  );
  await expect(page.getByTestId('price-chart-shaded')).toHaveText(
    /^train \(in sample\) 2012-01-03 → \d{4}-\d\d-\d\d.*validation \(in sample\) /,
  );
  await snapshot(page, 'model-backtest-result');

  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByTestId('model-row')).toHaveCount(1);
  await page.getByTestId('model-row').getByRole('link').first().click();
  await expect(page.getByTestId('model-lineage')).toContainText('Trained on SP500 1d');
  await expect(page.getByTestId('model-lineage')).toContainText('backend wasm');
  await expect(page.getByTestId('model-split')).toContainText(`test ${from} → ${to}`);
  await snapshot(page, 'models-trained');
});

test('a grid sweep from the form: its leaderboard fills in live, ranks as the API does, maps two parameters, downloads as CSV', async ({
  page,
}) => {
  await openUi(page, '/launch?mode=sweep');
  await expect(page.getByRole('heading', { name: 'Sweep parameters' })).toBeVisible();
  await page.getByTestId('sweep-strategy').click();
  await page.getByRole('option', { name: /^sma_crossover/ }).click();
  await expect(page.getByTestId('sweep-start')).toHaveValue('2000-01-01');
  await page.getByTestId('sweep-start').fill('2010-01-01');
  await page.getByTestId('sweep-end').fill('2019-12-31');
  await page.getByTestId('sweep-path-0').fill('indicators.fast.period');
  await page.getByTestId('sweep-values-0').fill('10, 20');
  await expect(page.getByTestId('sweep-count')).toHaveAttribute('data-count', '2');
  await page.getByTestId('sweep-add-parameter').click();
  await page.getByTestId('sweep-path-1').fill('indicators.slow.period');
  await page.getByTestId('sweep-param-1').getByText('range', { exact: true }).click();
  await page.getByTestId('sweep-from-1').fill('50');
  await page.getByTestId('sweep-to-1').fill('70');
  await page.getByTestId('sweep-step-1').fill('10');
  // the count is known before anything is sent: 2 × 3
  await expect(page.getByTestId('sweep-count')).toHaveAttribute('data-count', '6');
  await expect(page.getByTestId('sweep-count')).toContainText('2 × 3');
  await snapshot(page, 'sweep-form');
  // a bad value: the API's message shows under the parameters, and nothing starts
  await page.getByTestId('sweep-values-0').fill('10, 0');
  await page.getByRole('button', { name: 'Start sweep' }).click();
  await expect(page.getByTestId('sweep-parameters-error')).toContainText(
    /set \d of 6 \(\{"indicators\.fast\.period":0,/,
  );
  await snapshot(page, 'sweep-form-error');
  await page.getByTestId('sweep-values-0').fill('10, 20');
  await page.getByRole('button', { name: 'Start sweep' }).click();
  await page.waitForURL(/\/operations\/op_sweep_/);
  const id = new URL(page.url()).pathname.split('/').pop() ?? '';
  const detail = page.getByTestId('operation-detail');
  const rows = page.getByTestId('leaderboard-row');
  await expect(rows).toHaveCount(6);

  // live: rows gain ranks while the sweep still runs, with no reload
  const ranked = page.locator('[data-testid="leaderboard-row"]:not([data-rank=""])');
  let sawPartial = false;
  let shot = false;
  await expect
    .poll(
      async () => {
        const n = await ranked.count();
        if (n > 0 && n < 6 && (await detail.getAttribute('data-status')) === 'running') {
          sawPartial = true;
          if (!shot) {
            shot = true;
            await snapshot(page, 'sweep-running');
          }
        }
        return n;
      },
      { timeout: 45_000, intervals: [100] },
    )
    .toBe(6);
  expect(sawPartial).toBe(true);
  await expect(detail).toHaveAttribute('data-status', 'completed', { timeout: 10_000 });

  // the order and ranks are the API's
  const result = await api().getSweepResult(id);
  expect(result.direction).toBe('max');
  expect(result.leaderboard.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
  const values = result.leaderboard.map((r) => r.metrics?.[result.objective] ?? null);
  for (let i = 1; i < values.length; i++)
    expect(values[i] as number).toBeLessThanOrEqual(values[i - 1] as number);
  await expect
    .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-set-index'))))
    .toEqual(result.leaderboard.map((r) => String(r.set_index)));
  expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-rank')))).toEqual([
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
  ]);
  await expect(rows.first()).toHaveAttribute('data-best', 'true');
  await expect(page.getByTestId('sweep-counts')).toContainText('completed 6');

  // the heat map: fast period down, slow period across, the best cell marked
  const map = page.getByTestId('sweep-heatmap');
  await expect(map).toHaveAttribute('data-rows', '2');
  await expect(map).toHaveAttribute('data-cols', '3');
  await expect(map.getByTestId('heatmap-cell')).toHaveCount(6);
  await expect(page.getByTestId('sweep-heatmap-figure')).toHaveAttribute(
    'aria-label',
    /^Heat map of .+ by .+ \(rows\) and .+ \(columns\), 2 × 3 cells, 6 sets, best /,
  );
  const best = map.locator('[data-testid="heatmap-cell"][data-best="true"]');
  await expect(best).toHaveCount(1);
  const top = result.leaderboard[0]!;
  await expect(best).toHaveAttribute(
    'data-row-value',
    String(top.parameters['indicators.fast.period']),
  );
  await expect(best).toHaveAttribute(
    'data-col-value',
    String(top.parameters['indicators.slow.period']),
  );
  await expect(page.getByTestId('heatmap-legend')).toBeVisible();
  await snapshot(page, 'sweep-completed');

  // the CSV: a header and one line per parameter set, best first
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('sweep-csv').click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${id}-sets.csv`);
  const csv = readFileSync(await download.path(), 'utf8')
    .trim()
    .split('\n');
  expect(csv).toHaveLength(7);
  expect(csv[0]).toMatch(
    /^rank,set_index,indicators\.fast\.period,indicators\.slow\.period,sharpe_ratio,/,
  );
  expect(csv[1]).toMatch(
    new RegExp(`^1,${top.set_index},${top.parameters['indicators.fast.period']},`),
  );
  // a parameter column sorts by value, ascending first; the CSV follows the leaderboard's order
  const slow = page.getByTestId('sort-param:indicators.slow.period');
  const slowValues = () =>
    rows.evaluateAll((els) =>
      els.map((e) => e.querySelector('[data-param="indicators.slow.period"]')?.textContent),
    );
  await slow.click();
  await expect(page.locator('th', { has: slow })).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(slowValues).toEqual(['50', '50', '60', '60', '70', '70']);
  await slow.click();
  await expect(page.locator('th', { has: slow })).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(slowValues).toEqual(['70', '70', '60', '60', '50', '50']);
  await snapshot(page, 'sweep-sorted-by-parameter');
  const [sorted] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('sweep-csv').click(),
  ]);
  const sortedCsv = readFileSync(await sorted.path(), 'utf8')
    .trim()
    .split('\n');
  expect(sortedCsv.slice(1).map((line) => line.split(',')[3])).toEqual([
    '70',
    '70',
    '60',
    '60',
    '50',
    '50',
  ]);
  // back to rank order for what follows
  await page.getByTestId(`sort-${result.objective}`).first().click();
  await expect
    .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-set-index'))))
    .toEqual(result.leaderboard.map((r) => String(r.set_index)));

  // the shards ran on a timeline per worker
  await expect(page.getByTestId('shard-timeline')).toHaveAttribute(
    'aria-label',
    /^Shard timeline: \d+ shards \(6 sets\) on [12] workers over/,
  );

  // a row opens its set as a full backtest, whose metrics are the row's and which links back
  await rows.first().getByTestId('open-set').click();
  await page.waitForURL(/\/operations\/op_backtesting_/);
  const opened = new URL(page.url()).pathname.split('/').pop() ?? '';
  await expect(page.getByTestId('parent-sweep')).toContainText('fast.period = ');
  await expect
    .poll(async () => (await api().getOperation(opened)).status, { timeout: 30_000 })
    .toBe('completed');
  const full = await api().getBacktestResult(opened);
  expect(full.metrics.sharpe_ratio).toBe(top.metrics!.sharpe_ratio);
  expect(full.metrics.total_trades).toBe(top.metrics!.total_trades);

  // the operations list says what the sweep swept and how far it got
  await page.getByRole('link', { name: 'Operations' }).click();
  const sweepRow = page.locator(`[data-testid="operation-row"][data-operation-id="${id}"]`);
  await expect(sweepRow.getByTestId('sweep-summary')).toContainText(
    'sweeps fast.period × slow.period',
  );
  await expect(sweepRow.getByTestId('sweep-summary')).toContainText('6/6 done');
  // its shards and the opened set live on the sweep's page, not in the list
  await expect(
    page.locator(`[data-testid="operation-row"][data-operation-id="${opened}"]`),
  ).toHaveCount(0);
  await snapshot(page, 'operations-sweep');
});

test('at 1024 px no badge is cut short; at 390 px the views hide behind a burger', async ({
  page,
}) => {
  const { operation_id } = await api().startBacktest({
    strategy_name: 'sma_crossover',
    start_date: '2019-01-01',
  });
  await expect
    .poll(async () => (await api().getOperation(operation_id)).status, { timeout: 30_000 })
    .toBe('completed');
  /** Each visible badge (and its label) whose text does not fit its box. */
  const cutBadges = () =>
    page.locator('.mantine-Badge-root').evaluateAll((badges) =>
      badges
        .filter((b) => (b as HTMLElement).offsetParent !== null)
        .flatMap((b) => [b, ...b.querySelectorAll('.mantine-Badge-label')])
        .filter((e) => e.scrollWidth > e.clientWidth)
        .map((e) => e.textContent),
    );
  await page.setViewportSize({ width: 1024, height: 800 });
  await openUi(page);
  const row = page.locator(`[data-testid="operation-row"][data-operation-id="${operation_id}"]`);
  await expect(row.getByTestId('status')).toHaveText('completed');
  expect(await page.getByTestId('status').count()).toBeGreaterThan(0);
  expect(await cutBadges()).toEqual([]);
  await snapshot(page, 'operations-1024');
  await page.goto(`${env.url}/operations/${operation_id}`);
  await expect(page.getByTestId('operation-detail')).toHaveAttribute('data-status', 'completed');
  await expect(page.getByTestId('operation-detail').getByTestId('status').first()).toBeVisible();
  expect(await cutBadges()).toEqual([]);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${env.url}/`);
  const nav = page.getByRole('navigation', { name: 'Views' });
  const burger = page.getByTestId('nav-burger');
  await expect(burger).toBeVisible();
  await expect(nav).not.toBeInViewport();
  // a wide table scrolls inside the view: the page is no wider than the phone
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await snapshot(page, 'narrow-390');
  await burger.click();
  await expect(nav).toBeInViewport();
  await snapshot(page, 'narrow-390-nav');
  await nav.getByRole('link', { name: 'Launch' }).click();
  await expect(page.getByRole('heading', { name: 'Launch a backtest' })).toBeVisible();
  await expect(nav).not.toBeInViewport();
});

test("a walk-forward sweep shows each window's winner out of sample and the stitched curve", async ({
  page,
}) => {
  const { operation_id } = await api().startSweep({
    strategy_name: 'sma_crossover',
    parameters: { 'indicators.fast.period': [10, 20], 'indicators.slow.period': [50] },
    walk_forward: { in_sample_bars: 1500, out_of_sample_bars: 1000 },
  });
  await expect
    .poll(async () => (await api().getOperation(operation_id)).status, { timeout: 60_000 })
    .toBe('completed');
  const result = await api().getSweepResult(operation_id);
  await openUi(page, `/operations/${operation_id}`);
  const card = page.getByTestId('walk-forward');
  await expect(card.getByTestId('walk-forward-window')).toHaveCount(3);
  await expect(card.getByTestId('walk-forward-metrics')).toContainText(
    `total return ${(result.walk_forward!.metrics!.total_return! * 100).toFixed(2)} %`,
  );
  await expect(card.getByTestId('equity-chart')).toBeVisible();
  const best = result.walk_forward!.windows[0]!.best_parameters!;
  await expect(card.getByTestId('walk-forward-window').first()).toContainText(
    `fast.period=${String(best['indicators.fast.period'])}`,
  );
  await snapshot(page, 'sweep-walk-forward');
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
