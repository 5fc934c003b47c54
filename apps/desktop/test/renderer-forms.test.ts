import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ApiError } from '@ktrdr/shared';
import { issueSpan, pathSpan } from '../src/renderer/components/strategy-editor/yaml-paths.js';
import { fieldErrors, unshownErrors, withLabels } from '../src/renderer/forms/field-errors.js';
import { clampDefaultEnd, storedRangeText } from '../src/renderer/forms/stored-range.js';

// The renderer's pure form helpers, run in Node: no browser needed to check what they say.

const MACD = readFileSync(
  new URL('../../backend/assets/strategies/macd_trend.yaml', import.meta.url),
  'utf8',
);

describe('strategy editor: an API path marks its line', () => {
  it('finds keys in block and flow mappings and items of sequences', () => {
    // line 12 is `  adx: { type: adx, period: 14 }`: the key `period` inside the flow map
    const period = pathSpan(MACD, 'indicators.adx.period');
    assert.equal(period.line, 12);
    assert.equal(period.exact, true);
    assert.equal(MACD.slice(period.from, period.to), 'period');
    assert.equal(pathSpan(MACD, 'data.end_date').line, 9);
    assert.equal(pathSpan(MACD, 'name').line, 2);
    // entry.long.all.1 is the second condition, `- { greater_than: [adx, 20] }`
    assert.equal(pathSpan(MACD, 'entry.long.all.1').line, 17);
    assert.equal(pathSpan(MACD, 'entry.long.all.1.greater_than.1').line, 17);
    assert.equal(pathSpan(MACD, 'risk.stop_loss').line, 24);
  });

  it('a field left out marks its parent; a path that names nothing marks line 1', () => {
    const missing = pathSpan(MACD, 'indicators.adx.source');
    assert.deepEqual([missing.line, missing.exact], [12, false]);
    assert.equal(MACD.slice(missing.from, missing.to), 'adx');
    assert.equal(pathSpan(MACD, 'nothing.here').line, 1);
    assert.equal(pathSpan(MACD, '').line, 1);
  });

  it('reads quoted keys, and a syntax error by the line its message names', () => {
    const text = 'name: x\nindicators:\n  "slow": {period: 0}\n';
    assert.equal(pathSpan(text, 'indicators.slow.period').line, 3);
    const syntax = issueSpan(text, { path: 'yaml', message: 'line 2: bad indentation' });
    assert.deepEqual([syntax.line, text.slice(syntax.from, syntax.to)], [2, 'indicators:']);
    assert.equal(issueSpan(text, { path: 'yaml', message: 'not a mapping' }).line, 1);
  });
});

const LABELS = {
  symbol: 'Symbol',
  start_date: 'Start date',
  end_date: 'End date',
  initial_capital: 'Initial capital',
};
const refusal = (issues: { path: string; message: string }[]) =>
  new ApiError(400, 'VALIDATION_ERROR', 'refused', { issues }, 'POST /x');

describe('launch forms: API messages read with the fields labels', () => {
  it('leads with the label and spells other fields it names by their labels', () => {
    const errors = fieldErrors(
      refusal([
        { path: 'end_date', message: 'is before start_date; swap them or widen the range' },
        { path: 'initial_capital', message: 'must be > 0' },
      ]),
      LABELS,
    );
    assert.deepEqual(errors.fields, {
      end_date: 'End date is before start date; swap them or widen the range',
      initial_capital: 'Initial capital must be > 0',
    });
    assert.equal(errors.general, null);
    // a message that is a sentence of its own follows the label after a colon
    assert.equal(
      fieldErrors(refusal([{ path: 'symbol', message: 'no stored series "AAPL" at 1d' }]), LABELS)
        .fields.symbol,
      'Symbol: no stored series "AAPL" at 1d',
    );
    assert.equal(
      withLabels('start_date: is in the future', LABELS),
      'Start date: is in the future',
    );
  });

  it('a path below a field keeps its sub-path; the form-level list uses labels', () => {
    const errors = fieldErrors(
      refusal([
        { path: 'parameters.indicators.fast.period.to', message: '5 is below from (10)' },
        { path: 'start_date', message: 'is after the last stored bar' },
        { path: 'window_days', message: 'must be ≥ 30' },
      ]),
      LABELS,
    );
    assert.equal(errors.fields.parameters, 'indicators.fast.period.to: 5 is below from (10)');
    assert.equal(
      unshownErrors(errors, new Set(['parameters']), LABELS),
      'Start date is after the last stored bar; window_days: must be ≥ 30',
    );
  });
});

describe('launch forms: the stored range and the default end', () => {
  const span = {
    first_bar: '2000-01-03T00:00:00.000Z',
    last_bar: '2020-04-17T00:00:00.000Z',
    bar_count: 5114,
  };
  it('says the stored range in days, with the bar count', () => {
    assert.equal(storedRangeText(span), 'Stored: 2000-01-03 → 2020-04-17 · 5,114 bars');
  });

  it('clamps a default end past the data to the last bar, with a note; keeps one within', () => {
    assert.deepEqual(clampDefaultEnd('2020-12-31', span.last_bar), {
      end: '2020-04-17',
      note: 'end set to the last stored bar, 2020-04-17',
    });
    assert.deepEqual(clampDefaultEnd('2020-04-17', span.last_bar), {
      end: '2020-04-17',
      note: null,
    });
    assert.deepEqual(clampDefaultEnd('2015-06-30', span.last_bar), {
      end: '2015-06-30',
      note: null,
    });
    // not a date: left for the API to refuse, never replaced
    assert.deepEqual(clampDefaultEnd('next year', span.last_bar), { end: 'next year', note: null });
  });
});
