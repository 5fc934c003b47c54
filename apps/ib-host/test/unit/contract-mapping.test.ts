import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '@ktrdr/server-kit';
import { frontMonth, mapContract } from '../../src/contracts/contract-mapping.js';

const rejectsSymbol = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.details?.field, 'symbol');
    assert.match(error.message, pattern);
    return true;
  });

describe('contract mapping: our symbols to IB contracts', () => {
  it('stock → STK on SMART in USD, TRADES; share classes use IB spelling', () => {
    assert.deepEqual(mapContract('AAPL'), {
      symbol: 'AAPL',
      instrumentType: 'stock',
      contract: { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' },
      whatToShow: 'TRADES',
    });
    assert.equal(mapContract('brk.b', 'stock').contract.symbol, 'BRK B');
  });

  it('forex → CASH on IDEALPRO, MIDPOINT: EURUSD and EUR.USD alike', () => {
    for (const symbol of ['EURUSD', 'EUR.USD', 'eurusd']) {
      const mapped = mapContract(symbol, 'forex');
      assert.deepEqual(mapped.contract, {
        symbol: 'EUR',
        secType: 'CASH',
        exchange: 'IDEALPRO',
        currency: 'USD',
      });
      assert.equal(mapped.whatToShow, 'MIDPOINT');
      assert.equal(mapped.symbol, symbol, 'answers keep the caller’s spelling');
    }
    assert.equal(mapContract('GBPJPY', 'forex').contract.currency, 'JPY');
    rejectsSymbol(() => mapContract('EURO', 'forex'), /"EURO" is not a currency pair.*EURUSD/);
  });

  it('future → CONTFUT on the exchange the root trades on, TRADES', () => {
    const es = mapContract('ES', 'future');
    assert.deepEqual(es.contract, {
      symbol: 'ES',
      secType: 'CONTFUT',
      exchange: 'CME',
      currency: 'USD',
    });
    assert.equal(es.whatToShow, 'TRADES');
    assert.equal(mapContract('CL', 'future').contract.exchange, 'NYMEX');
    assert.equal(mapContract('GC', 'future').contract.exchange, 'COMEX');
    assert.equal(mapContract('YM', 'future').contract.exchange, 'CBOT');
    assert.equal(mapContract('NQ=F', 'future').contract.symbol, 'NQ');
    assert.deepEqual(mapContract('DAX', 'future').contract.currency, 'EUR');
  });

  it('future: ROOT@EXCHANGE names any other; an unknown bare root is a 400 with the way out', () => {
    assert.deepEqual(mapContract('ZQ@CBOT', 'future').contract, {
      symbol: 'ZQ',
      secType: 'CONTFUT',
      exchange: 'CBOT',
      currency: 'USD',
    });
    rejectsSymbol(
      () => mapContract('ZQ', 'future'),
      /no exchange known for the future "ZQ".*ZQ@EXCHANGE/,
    );
  });

  it('picks the front month: the first expiry not yet past', () => {
    const listed = [
      { lastTradeDateOrContractMonth: '20240621', conId: 2 },
      { lastTradeDateOrContractMonth: '20231215', conId: 0 },
      { lastTradeDateOrContractMonth: '20240315', conId: 1 },
      { lastTradeDateOrContractMonth: '202409', conId: 3 },
    ];
    assert.equal(frontMonth(listed, Date.UTC(2024, 0, 15))?.conId, 1);
    assert.equal(frontMonth(listed, Date.UTC(2024, 2, 15, 20))?.conId, 1, 'still on its last day');
    assert.equal(frontMonth(listed, Date.UTC(2024, 2, 16))?.conId, 2);
    assert.equal(
      frontMonth(listed, Date.UTC(2024, 8, 20))?.conId,
      3,
      'a bare month counts to its end',
    );
    assert.equal(frontMonth(listed, Date.UTC(2025, 0, 1)), undefined);
  });
});
