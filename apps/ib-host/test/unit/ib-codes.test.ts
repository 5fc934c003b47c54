import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyHistoricalServiceError,
  isFarmBroken,
  isFarmNotice,
} from '../../src/gateway/ib-codes.js';

const HMDS = 'Historical Market Data Service error message:';

describe('IB message codes', () => {
  it('reads an error 162 by its text', () => {
    assert.equal(
      classifyHistoricalServiceError(`${HMDS}Historical data request pacing violation`),
      'pacing_violation',
    );
    assert.equal(
      classifyHistoricalServiceError(`${HMDS}HMDS query returned no data: AAPL@SMART Trades`),
      'no_data',
    );
    assert.equal(
      classifyHistoricalServiceError(`${HMDS}query returned no data: ESH4@CME Trades`),
      'no_data',
    );
    assert.equal(
      classifyHistoricalServiceError(`${HMDS}API historical data query cancelled: 17`),
      'cancelled',
    );
    assert.equal(
      classifyHistoricalServiceError(`${HMDS}No historical market data for EUR/CASH@IDEALPRO Last`),
      'other',
    );
    assert.equal(classifyHistoricalServiceError(`${HMDS}Time length exceed max.`), 'other');
  });

  it('tells farm notices (ignored) from errors', () => {
    for (const code of [2104, 2106, 2158, 2107, 2108, 2119]) {
      assert.ok(isFarmNotice(code), String(code));
      assert.ok(!isFarmBroken(code), String(code));
    }
    for (const code of [2103, 2105, 2157]) assert.ok(isFarmBroken(code), String(code));
    for (const code of [162, 200, 326, 1100, 1102, 2110])
      assert.ok(!isFarmNotice(code), String(code));
  });
});
