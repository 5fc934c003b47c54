import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomWalkBars } from '@ktrdr/engine/data';
import { ApiError } from '@ktrdr/shared';
import { waitFor } from '@ktrdr/testkit';
import { startCluster, TEST_TOKEN, type Cluster } from './cluster-fixture.js';

function csv(count: number, seed: number, startTime = Date.UTC(2024, 0, 1)): string {
  const bars = randomWalkBars({ seed, count, timeframe: '1h', startTime });
  const rows = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < count; i++) {
    rows.push(
      [
        new Date(bars.time[i]!).toISOString(),
        bars.open[i],
        bars.high[i],
        bars.low[i],
        bars.close[i],
        bars.volume[i],
      ].join(','),
    );
  }
  return rows.join('\n') + '\n';
}

describe('market data: SQLite store, CSV import, ETag, gzip, resampling, worker cache', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ workerCount: 1 });
  });
  after(async () => cluster.close());

  const raw = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${cluster.backend.url}${path}`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}`, ...headers },
    });

  it('lists the bundled S&P 500 series', async () => {
    const { series } = await cluster.client.listSeries();
    const sp = series.find((s) => s.symbol === 'SP500' && s.timeframe === '1d');
    assert.ok(sp);
    assert.equal(sp.bar_count, 5105);
    assert.equal(sp.first_bar, '2000-01-03T00:00:00.000Z');
  });

  it('imports a CSV and serves it with an ETag, 304 on a match, and gzip', async () => {
    const imported = await cluster.client.importCsv(
      { symbol: 'test', timeframe: '1h' },
      csv(2000, 1),
    );
    assert.equal(imported.symbol, 'TEST', 'symbols are stored upper-case');
    assert.equal(imported.bar_count, 2000);
    assert.equal(imported.first_bar, '2024-01-01T00:00:00.000Z');

    const path = '/api/v1/data/TEST/1h?start=2024-01-02&end=2024-01-03T23:00:00Z';
    const first = await raw(path, { 'accept-encoding': 'gzip' });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-encoding'), 'gzip');
    const etag = first.headers.get('etag')!;
    const body = (await first.json()) as { time: number[]; close: number[] };
    assert.equal(body.time.length, 48);
    assert.equal(body.time[0], Date.UTC(2024, 0, 2));
    const again = await raw(path, { 'if-none-match': etag });
    assert.equal(again.status, 304);
  });

  it('serves the same bars in binary columnar form to clients that ask for it', async () => {
    const range = { start: '2024-01-05', end: '2024-02-05' };
    const json = await cluster.client.getSeries('TEST', '1h', range);
    const binary = await cluster.client.getSeriesBinary('TEST', '1h', range);
    assert.equal(binary.time.length, json.bars.time.length);
    for (const c of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
      assert.deepEqual(Array.from(binary[c]), json.bars[c], c);
  });

  it('serves coarser timeframes by resampling a finer stored series', async () => {
    const fourHours = await cluster.client.getSeries('TEST', '4h');
    assert.equal(fourHours.bars.time.length, 500);
    const hours = await cluster.client.getSeries('TEST', '1h', { end: '2024-01-01T03:00:00Z' });
    assert.equal(fourHours.bars.open[0], hours.bars.open[0]);
    assert.equal(fourHours.bars.close[0], hours.bars.close[3]);
    assert.equal(fourHours.bars.high[0], Math.max(...hours.bars.high));
    const days = await cluster.client.getSeries('TEST', '1d');
    assert.equal(days.bars.time.length, Math.ceil(2000 / 24));
  });

  it('merges or replaces on import, and a bad file is rejected whole, naming its line', async () => {
    const before = (await cluster.client.listSeries()).series.find((s) => s.symbol === 'TEST')!;
    const bad = csv(10, 2, Date.UTC(2025, 0, 1)).replace(
      /\n(.*)\n$/,
      '\n$1\nnot-a-time,1,2,0.5,1,1\n',
    );
    await assert.rejects(
      cluster.client.importCsv({ symbol: 'TEST', timeframe: '1h' }, bad),
      (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.status, 400);
        assert.match(error.message, /^body: line 12: "not-a-time" is not a date or timestamp/);
        assert.equal(error.details?.row, 12);
        return true;
      },
    );
    const unchanged = (await cluster.client.listSeries()).series.find((s) => s.symbol === 'TEST')!;
    assert.deepEqual(unchanged, before, 'nothing stored was touched');

    const merged = await cluster.client.importCsv(
      { symbol: 'TEST', timeframe: '1h' },
      csv(100, 3, Date.UTC(2024, 2, 23)),
    );
    // the new file starts 1,968 hours in: its first 32 hours replace stored bars, the rest are added
    assert.equal(merged.bar_count, 1968 + 100);
    assert.notEqual(merged.etag, before.etag);
    const replaced = await cluster.client.importCsv(
      { symbol: 'TEST', timeframe: '1h', mode: 'replace' },
      csv(1500, 4),
    );
    assert.equal(replaced.bar_count, 1500);
  });

  it('runs backtests on imported and resampled series, and a second run downloads nothing', async () => {
    const downloads = async () => {
      const text = await (await raw('/metrics')).text();
      return [...text.matchAll(/^ktrdr_series_downloads_total\{timeframe="4h"\} (\d+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    };
    const request = {
      strategy_name: 'sma_crossover',
      symbol: 'TEST',
      timeframe: '4h' as const,
      start_date: '2024-01-01',
      end_date: '2024-12-31',
    };
    const before = await downloads();
    for (let run = 0; run < 2; run++) {
      const { operation_id } = await cluster.client.startBacktest(request);
      await waitFor(
        'completed',
        async () => (await cluster.client.getOperation(operation_id)).status === 'completed',
        { timeoutMs: 15_000 },
      );
      const result = await cluster.client.getBacktestResult(operation_id);
      assert.equal(result.equity_points_total, 375);
    }
    assert.equal(
      (await downloads()) - before,
      1,
      'the worker kept the bars it downloaded the first time',
    );
  });

  it('rejects what cannot run before any worker is used, in words a trader understands', async () => {
    const reject = async (body: Record<string, unknown>, pattern: RegExp) => {
      await assert.rejects(
        cluster.client.startBacktest({ strategy_name: 'sma_crossover', ...body }),
        (error: unknown) => {
          assert.ok(error instanceof ApiError);
          assert.equal(error.status, 400);
          assert.match(error.message, pattern);
          return true;
        },
      );
    };
    await reject(
      { symbol: 'TEST', timeframe: '1m' },
      /^symbol: no stored series "TEST" at 1m \(nor a finer one to resample\); stored: .*TEST 1h/,
    );
    await reject(
      { start_date: '1990-01-01', end_date: '1991-01-01' },
      /^start_date: the date range holds no bars/,
    );
    await reject(
      { parameters: { 'indicators.slow.period': 9000 } },
      /indicator "slow" \(sma, period 9000\) needs 9000 bars to warm up/,
    );
    await assert.rejects(cluster.client.startBacktest({ strategy_name: 'neuro_fuzzy_example' }), {
      message: /^model_id: is required: "neuro_fuzzy_example" is a neuro_fuzzy strategy/,
    });
    const { total_count } = await cluster.client.listOperations({ status: 'pending' });
    assert.equal(total_count, 0);
  });
});
