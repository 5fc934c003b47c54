import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  decodeFullResult,
  FULL_RESULT_ARTIFACT,
  FULL_RESULT_MEDIA_TYPE,
  fullResultFromJson,
  fullResultJsonChunks,
  fullResultToJson,
  tradeAt,
  type BacktestResult,
  type FullResult,
} from '@ktrdr/shared';
import { startCluster, TEST_TOKEN, type Cluster } from './cluster-fixture.js';

/**
 * The full result of a backtest (docs/full-result-format.md): a binary columnar artifact
 * uploaded by the worker and served as it is stored, or as JSON on request; a data dir
 * from before the binary form keeps serving its JSON full results.
 */
describe('full results: binary columns, JSON on request, JSON from before', () => {
  let cluster: Cluster;
  let id: string;
  let display: BacktestResult;
  before(async () => {
    cluster = await startCluster({ workerCount: 1 });
    ({ operation_id: id } = await cluster.client.startBacktest({ strategy_name: 'sma_crossover' }));
    await cluster.until(id, (op) => op.status === 'completed', `${id} completed`, 30_000);
    display = await cluster.client.getBacktestResult(id);
  });
  after(async () => cluster.close());

  const get = (query = '', headers: Record<string, string> = {}) =>
    fetch(`${cluster.backend.url}/api/v1/operations/${id}/result/full${query}`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}`, ...headers },
    });
  const artifact = (name: string) => cluster.backend.backend.ctx.artifacts.path(id, name);

  it('serves every bar and trade as a binary file the typed client decodes', async () => {
    const response = await get();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), FULL_RESULT_MEDIA_TYPE);
    assert.equal(
      response.headers.get('content-disposition'),
      `attachment; filename="${id}-full-result.bin"`,
    );
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'KTFR');
    const full = decodeFullResult(bytes);
    // 3 float64 columns of 5,105 bars, about a tenth of the same as JSON, and beside them
    // the indicator lines the display result draws: a column per line, one of candle times
    assert.equal(full.equity.length, 5105);
    const lines = (full.display?.indicators ?? []).flatMap((series) => series.lines);
    assert.equal(lines.length, 2, 'the fast and slow SMA');
    assert.deepEqual(full.display?.indicators, display.indicators);
    const columns = 5105 * 24 + 5105 * 8 * (1 + lines.length);
    assert.ok(bytes.length < columns + full.trades.count * 100 + 32_768, `${bytes.length} bytes`);
    assert.equal(full.trades.count, display.metrics.total_trades);
    assert.deepEqual(full.summary.metrics, display.metrics);
    assert.deepEqual(full.summary.periods, display.periods);
    assert.equal(new Date(full.time[0]!).toISOString(), display.equity_curve[0]!.time);
    // the display rounds for the page; the columns keep every float
    const last = tradeAt(full.trades, full.trades.count - 1);
    const shown = display.trades.at(-1)!;
    assert.deepEqual(
      [last.entry_time, last.exit_time, last.side, last.exit_reason, last.bars_held],
      [shown.entry_time, shown.exit_time, shown.side, shown.exit_reason, shown.bars_held],
    );
    assert.ok(Math.abs(last.pnl - shown.pnl) < 1e-6);
    assert.equal(
      full.equity.at(-1)!.toFixed(4),
      display.equity_curve.at(-1)!.equity.toFixed(4),
      'the curve ends where the display curve does',
    );
    assert.deepEqual(await cluster.client.fullResult(id), full);
  });

  it('?format=json streams the same result as JSON, one object per bar and trade', async () => {
    const binary = await cluster.client.fullResult(id);
    const response = await get('?format=json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(
      response.headers.get('content-disposition'),
      `attachment; filename="${id}-full-result.json"`,
    );
    const json = (await response.json()) as BacktestResult;
    assert.equal(json.equity_curve.length, 5105);
    assert.equal(json.trades.length, binary.trades.count);
    assert.equal(json.equity_points_total, 5105);
    assert.deepEqual(json, fullResultToJson(binary));
    // the downloaded file and the page show the same figures
    assert.deepEqual(json.trades.slice(-display.trades.length), display.trades);
    assert.deepEqual(json.equity_curve.at(-1), display.equity_curve.at(-1));
  });

  it('refuses an unknown format, naming the field', async () => {
    const response = await get('?format=xml');
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'VALIDATION_ERROR');
    assert.match(body.error.message, /format/);
  });

  it('a sweep has no binary full result: asking for one names the field, it is no 500', async () => {
    const sweep = await cluster.client.startSweep({
      strategy_name: 'sma_crossover',
      start_date: '2015-01-01',
      parameters: { 'indicators.fast.period': [10, 20] },
    });
    await cluster.until(sweep.operation_id, (op) => op.status === 'completed', 'sweep', 60_000);
    const url = `${cluster.backend.url}/api/v1/operations/${sweep.operation_id}/result/full`;
    const headers = { authorization: `Bearer ${TEST_TOKEN}` };
    const asStored = await fetch(url, { headers });
    assert.equal(asStored.status, 200);
    assert.ok('leaderboard' in ((await asStored.json()) as object), 'its result, as JSON');
    const response = await fetch(`${url}?format=binary`, { headers });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'VALIDATION_ERROR');
    assert.match(
      body.error.message,
      /^query\.format: binary is a form of a backtest's full result only/,
    );
  });

  it("a short backtest's results are rows, not files: served the same, nothing written to disk", async () => {
    const { operation_id: short } = await cluster.client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2018-09-01',
    });
    await cluster.until(short, (op) => op.status === 'completed', `${short} completed`, 30_000);
    const { ctx } = cluster.backend.backend;
    assert.equal(existsSync(join(ctx.artifacts.path(short, ''))), false, 'no folder for it');
    const display = await cluster.client.getBacktestResult(short);
    const full = await cluster.client.fullResult(short);
    assert.equal(full.equity.length, display.equity_curve.length, 'every bar of 408');
    assert.equal(full.equity.length, 408);
    // the display form is rounded to 6 decimals, the full one is every float as computed
    assert.ok(Math.abs(full.equity.at(-1)! - display.equity_curve.at(-1)!.equity) <= 5e-7);
    assert.equal(full.trades.count, display.trades.length);
    const json = (await (
      await fetch(`${cluster.backend.url}/api/v1/operations/${short}/result/full?format=json`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      })
    ).json()) as BacktestResult;
    assert.equal(json.equity_curve.length, 408);
  });

  it('a full result stored as JSON before the binary form is still served, as JSON or binary', async () => {
    const binary: FullResult = await cluster.client.fullResult(id);
    // the data dir of an older ktrdr: result-full.json (display-rounded), no result-full.bin
    const legacy = [...fullResultJsonChunks(binary)].join('');
    writeFileSync(artifact('result-full.json'), legacy);
    rmSync(artifact(FULL_RESULT_ARTIFACT));

    const response = await get();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(await response.text(), legacy, 'served as stored');

    const read = await cluster.client.fullResult(id);
    assert.deepEqual(read, fullResultFromJson(JSON.parse(legacy)), 'the client reads both forms');
    assert.equal(read.trades.count, binary.trades.count);
    assert.ok(read.equity.every((v, i) => Math.abs(v - binary.equity[i]!) <= 5e-7));

    const converted = await get('?format=binary');
    assert.equal(converted.headers.get('content-type'), FULL_RESULT_MEDIA_TYPE);
    assert.deepEqual(decodeFullResult(new Uint8Array(await converted.arrayBuffer())), read);
  });
});
