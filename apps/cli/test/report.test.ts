import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { formatPercent, type BackendClient } from '@ktrdr/shared';
import { waitFor } from '@ktrdr/testkit';
import { SLOW_STRATEGY, startCliCluster, type CliCluster } from './cli-fixture.js';
import { ktrdr } from './ktrdr-process.js';

describe('ktrdr report: the HTML report of a backtest, from the real binary against a real backend and worker', () => {
  let cluster: CliCluster;
  let client: BackendClient;
  let env: Record<string, string>;
  /** The completed backtest of the first test. */
  let completed = '';

  before(async () => {
    cluster = await startCliCluster({ backtesters: 1, trainers: 0 });
    ({ client, env } = cluster);
  });
  after(async () => cluster.close());

  it('writes a completed backtest to a file: what ran, the metrics, every trade, no URL; and to stdout without -o', async () => {
    const { operation_id: id } = await client.startBacktest({ strategy_name: 'sma_crossover' });
    await waitFor(
      `${id} completed`,
      async () => (await client.getOperation(id)).status === 'completed',
      { timeoutMs: 60_000 },
    );
    completed = id;
    const result = await client.getBacktestResult(id);
    const file = `${cluster.dir}/report.html`;
    const run = await ktrdr(['report', id, '-o', file], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `Report of ${id} (57 trades) written to ${file}`);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /<title>sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17<\/title>/);
    assert.equal(html.match(/<tr class="trade">/g)?.length, result.trades_total);
    assert.equal(result.trades_total, 57);
    const figure = (key: string) => new RegExp(`data-metric="${key}">([^<]*)<`).exec(html)?.[1];
    assert.equal(figure('total_return'), formatPercent(result.metrics.total_return));
    assert.equal(
      figure('buy_and_hold_return'),
      formatPercent(result.benchmark!.buy_and_hold_return),
    );
    assert.match(html, /<svg role="img" data-chart="equity"/);
    // the buy-and-hold line is drawn from the stored closes, beside the equity
    assert.match(html, /<title>Buy and hold<\/title>/);
    assert.doesNotMatch(html, /https?:\/\/|url\(|<script/);

    const piped = await ktrdr(['report', id], env);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(
      piped.stdout,
      html.replace(/generated [^<]+</, /generated [^<]+</.exec(piped.stdout)![0]),
    );
    assert.match(piped.stderr, new RegExp(`Report of ${id} \\(57 trades\\) written to stdout`));
  });

  it('refuses what has no report: a running backtest (1), a sweep (2), an unknown id (2), an unwritable path (2), --json without a file (2)', async () => {
    const { operation_id: running } = await client.startBacktest({ strategy_name: SLOW_STRATEGY });
    const unfinished = await ktrdr(['report', running, '-o', `${cluster.dir}/no.html`], env);
    assert.equal(unfinished.code, 1, unfinished.stderr);
    assert.match(
      unfinished.stderr,
      new RegExp(
        `^ktrdr: ${running} is (pending|running), not completed: a report needs a completed backtest \\(wait for it to finish\\)`,
      ),
    );
    await client.cancelOperation(running);

    const { operation_id: sweep } = await client.startSweep({
      strategy_name: 'sma_crossover',
      start_date: '2019-01-01',
      parameters: { 'indicators.fast.period': [5, 10] },
    });
    const notBacktest = await ktrdr(['report', sweep], env);
    assert.equal(notBacktest.code, 2, notBacktest.stderr);
    assert.equal(
      notBacktest.stderr,
      `ktrdr: ${sweep} is a sweep operation, not a backtest: only a backtest has a report\n`,
    );
    assert.equal(notBacktest.stdout, '');

    const unknown = await ktrdr(['report', 'op_backtesting_20200101_000000_deadbeef'], env);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /op_backtesting_20200101_000000_deadbeef/);

    const nowhere = await ktrdr(
      ['report', completed, '-o', `${cluster.dir}/no/such/folder/r.html`],
      env,
    );
    assert.equal(nowhere.code, 2);
    assert.equal(
      nowhere.stderr,
      `ktrdr: cannot write the report to ${cluster.dir}/no/such/folder/r.html: ENOENT\n`,
    );

    const json = await ktrdr(['--json', 'report', sweep], env);
    assert.equal(json.code, 2);
    assert.match(
      json.stdout,
      /--json prints a JSON document on stdout, so the report needs a file: add -o <file>/,
    );
  });
});
