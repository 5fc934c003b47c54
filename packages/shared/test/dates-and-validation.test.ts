import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fillPath,
  formatSchemaErrors,
  parseDateInput,
  Routes,
  summarizeIssues,
} from '../src/index.js';

describe('parseDateInput', () => {
  it('reads dates as 00:00 UTC and timestamps with or without an offset', () => {
    assert.equal(parseDateInput('2020-01-02'), Date.UTC(2020, 0, 2));
    assert.equal(parseDateInput('2020-01-02T03:04:05Z'), Date.UTC(2020, 0, 2, 3, 4, 5));
    assert.equal(parseDateInput('2020-01-02T03:04'), Date.UTC(2020, 0, 2, 3, 4));
    assert.equal(parseDateInput('2020-01-02T03:04:05+02:00'), Date.UTC(2020, 0, 2, 1, 4, 5));
  });
  it('rejects impossible and malformed dates', () => {
    for (const bad of ['2021-02-30', '2020-13-01', 'yesterday', '', '01/02/2020', '2020-1-2']) {
      assert.equal(parseDateInput(bad), undefined, bad);
    }
  });
});

describe('formatSchemaErrors', () => {
  it('names the field of each problem in plain words', () => {
    const issues = formatSchemaErrors([
      { keyword: 'required', instancePath: '', params: { missingProperty: 'worker_id' } },
      {
        keyword: 'additionalProperties',
        instancePath: '/capabilities',
        params: { additionalProperty: 'colour' },
      },
      {
        keyword: 'enum',
        instancePath: '/worker_type',
        params: { allowedValues: ['backtesting', 'training'] },
      },
      {
        keyword: 'minimum',
        instancePath: '/indicators/fast/period',
        params: {},
        message: 'must be >= 1',
      },
      { keyword: 'type', instancePath: '/initial_capital', params: { type: 'number' } },
    ]);
    assert.deepEqual(summarizeIssues(issues).split('; '), [
      'worker_id: is required',
      'capabilities.colour: is not a known field (check its spelling, or remove it)',
      'worker_type: must be one of: backtesting, training',
      'indicators.fast.period: must be >= 1',
      'initial_capital: must be number',
    ]);
  });
});

describe('fillPath', () => {
  it('fills and encodes path parameters', () => {
    assert.equal(
      fillPath(Routes.backend.series, { symbol: 'ES=F', timeframe: '1h' }),
      '/api/v1/data/ES%3DF/1h',
    );
    assert.throws(() => fillPath(Routes.backend.operation, {}), /missing "operation_id"/);
  });
});
