import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  applyOverrides,
  CsvFormatError,
  parseBarsCsv,
  parseStrategyConfig,
  randomWalkBars,
  sliceByTime,
  strategyHash,
  strategyIssues,
} from '../src/index.js';

describe('CSV loading', () => {
  const good =
    'date,open,high,low,close,volume\n2020-01-02,1,2,0.5,1.5,3000000000\n2020-01-03,1.5,2,1,1.8,100\n';

  it('reads columnar float64 bars, volumes above 2^31 included', () => {
    const bars = parseBarsCsv(good, 'X', '1d');
    assert.equal(bars.time.length, 2);
    assert.equal(bars.time[0], Date.UTC(2020, 0, 2));
    assert.equal(bars.volume[0], 3_000_000_000);
    assert.ok(bars.close instanceof Float64Array);
  });

  it('reads the bundled S&P 500 sample', () => {
    const text = readFileSync(
      new URL('../../../apps/backend/assets/data/SP500-1d.csv', import.meta.url),
      'utf8',
    );
    const bars = parseBarsCsv(text, 'SP500', '1d');
    assert.equal(bars.time.length, 5105);
    assert.equal(new Date(bars.time[0]!).toISOString().slice(0, 10), '2000-01-03');
  });

  const rejects = (text: string, line: number | null, pattern: RegExp) =>
    assert.throws(
      () => parseBarsCsv(text, 'X', '1d'),
      (e: unknown) => e instanceof CsvFormatError && e.row === line && pattern.test(e.message),
    );

  it('rejects a bad file naming the line and the reason', () => {
    rejects('date,open,high,low,volume\n', 1, /no "close" column/);
    rejects('when,open,high,low,close,volume\n', 1, /"date" or "timestamp"/);
    rejects(good + 'not-a-date,1,2,0.5,1,1\n', 4, /line 4: "not-a-date" is not a date/);
    rejects(good + '2020-01-03,1,2,0.5,1,1\n', 4, /strictly increasing/);
    rejects(good + '2020-01-06,1,2,0.5,-1,1\n', 4, /close is negative/);
    rejects(good + '2020-01-06,1,2,0.5,NaN,1\n', 4, /close "NaN" is not a number/);
    rejects(good + '2020-01-06,1,0.5,2,1,1\n', 4, /high 0.5 is below low 2/);
    rejects('date,open,high,low,close,volume\n', null, /no rows/);
  });
});

describe('strategy validation', () => {
  const valid = {
    name: 'sma_crossover',
    type: 'rules',
    indicators: { fast: { type: 'sma', period: 20 }, slow: { type: 'sma', period: 50 } },
    entry: { long: { crosses_above: ['fast', 'slow'] } },
    exit: { long: { crosses_below: ['fast', 'slow'] } },
  };

  it('accepts a valid strategy and hashes it independent of key order', () => {
    const config = parseStrategyConfig(valid);
    const reordered = {
      exit: valid.exit,
      entry: valid.entry,
      indicators: valid.indicators,
      type: 'rules',
      name: 'sma_crossover',
    };
    assert.equal(strategyHash(config), strategyHash(reordered));
    assert.match(strategyHash(config), /^[0-9a-f]{16}$/);
  });

  it('names the path of every problem', () => {
    const issues = strategyIssues({
      ...valid,
      indicators: { fast: { type: 'sma', period: 0 }, slow: { type: 'smaa', period: 50 } },
      entry: { long: { crosses_abov: ['fast', 'slow'] } },
      exit: { long: { crosses_below: ['fast', 'medium'] } },
    });
    const text = issues.map((i) => `${i.path}: ${i.message}`);
    assert.ok(text.includes('indicators.fast.period: must be >= 1'), text.join('\n'));
    assert.ok(
      text.some((t) => t.startsWith('indicators.slow.type: must be one of: sma, ema, rsi')),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.startsWith('entry.long.crosses_abov: unknown condition "crosses_abov"')),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.startsWith('exit.long.crosses_below.1: "medium" is not an indicator')),
      text.join('\n'),
    );
  });

  it('applies overrides by path and refuses paths that do not exist', () => {
    const config = parseStrategyConfig(valid);
    const { config: faster, issues } = applyOverrides(config, { 'indicators.fast.period': 10 });
    assert.deepEqual(issues, []);
    assert.equal(faster.indicators.fast!.period, 10);
    assert.equal(config.indicators.fast!.period, 20, 'the original is untouched');
    assert.deepEqual(
      applyOverrides(config, { 'indicators.fast.perio': 10 }).issues.map((i) => i.path),
      ['parameters.indicators.fast.perio'],
    );
    assert.equal(applyOverrides(config, { '__proto__.polluted': 1 }).issues.length, 1);
  });
});

describe('random walk and slicing', () => {
  it('is reproducible from its seed and slices by inclusive time', () => {
    const a = randomWalkBars({ seed: 42, count: 100, timeframe: '1h' });
    const b = randomWalkBars({ seed: 42, count: 100, timeframe: '1h' });
    assert.deepEqual(Array.from(a.close), Array.from(b.close));
    const slice = sliceByTime(a, a.time[10], a.time[19]);
    assert.equal(slice.time.length, 10);
    for (let i = 0; i < 100; i++)
      assert.ok(
        a.high[i]! >= Math.max(a.open[i]!, a.close[i]!) &&
          a.low[i]! <= Math.min(a.open[i]!, a.close[i]!),
      );
  });
});
