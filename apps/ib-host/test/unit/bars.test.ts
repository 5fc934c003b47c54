import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dropFormingBars,
  isForming,
  mergeBars,
  toColumns,
  withinRange,
  type Bar,
} from '../../src/historical/bars.js';
import { formatIbUtc, parseIbTime } from '../../src/historical/ib-time.js';

const HOUR = 3_600_000;
const at = (iso: string, close = 1): Bar => ({
  time: Date.parse(iso),
  open: close,
  high: close,
  low: close,
  close,
  volume: 10,
});

describe('bars of a range', () => {
  it('merges the requests’ bars in time order, one per time', () => {
    const older = [at('2024-01-15T09:00:00Z', 1), at('2024-01-15T10:00:00Z', 2)];
    const newer = [at('2024-01-15T10:00:00Z', 9), at('2024-01-15T11:00:00Z', 3)];
    const merged = mergeBars([newer, older]);
    assert.deepEqual(
      merged.map((b) => [new Date(b.time).toISOString().slice(11, 16), b.close]),
      [
        ['09:00', 1],
        ['10:00', 9],
        ['11:00', 3],
      ],
    );
  });

  it('keeps the bars that start within [start, end], both inclusive', () => {
    const bars = ['08:00', '09:00', '10:00', '11:00'].map((h) => at(`2024-01-15T${h}:00Z`));
    const kept = withinRange(
      bars,
      Date.parse('2024-01-15T09:00:00Z'),
      Date.parse('2024-01-15T10:00:00Z'),
    );
    assert.equal(kept.length, 2);
  });

  it('drops the bar still forming: its period has not ended at request time', () => {
    const now = Date.parse('2024-01-15T12:30:00Z');
    const bars = [at('2024-01-15T11:00:00Z'), at('2024-01-15T12:00:00Z')];
    assert.equal(isForming(bars[0]!, HOUR, now), false);
    assert.equal(isForming(bars[1]!, HOUR, now), true);
    assert.deepEqual(dropFormingBars(bars, HOUR, now), { bars: [bars[0]], dropped: true });
    // at 13:00 sharp the 12:00 bar is complete
    assert.deepEqual(dropFormingBars(bars, HOUR, Date.parse('2024-01-15T13:00:00Z')), {
      bars,
      dropped: false,
    });
    // a daily bar (stamped 00:00 UTC) is complete once its UTC day is over
    const today = at('2024-01-15T00:00:00Z');
    assert.equal(isForming(today, 24 * HOUR, now), true);
    assert.equal(isForming(today, 24 * HOUR, Date.parse('2024-01-16T00:00:00Z')), false);
  });

  it('turns rows into the wire’s columns', () => {
    assert.deepEqual(toColumns([at('2024-01-15T11:00:00Z', 5)]), {
      time: [Date.parse('2024-01-15T11:00:00Z')],
      open: [5],
      high: [5],
      low: [5],
      close: [5],
      volume: [10],
    });
  });
});

describe('TWS date/times', () => {
  it('writes end times as yyyyMMdd-HH:mm:ss in UTC', () => {
    assert.equal(formatIbUtc(Date.parse('2024-01-05T07:08:09.999Z')), '20240105-07:08:09');
  });

  it('reads epoch seconds, daily dates, UTC and zoned date/times', () => {
    assert.equal(parseIbTime('1705320000'), Date.parse('2024-01-15T12:00:00Z'));
    assert.equal(parseIbTime('20240115'), Date.parse('2024-01-15T00:00:00Z'));
    assert.equal(parseIbTime('20240115  12:00:00'), Date.parse('2024-01-15T12:00:00Z'));
    assert.equal(parseIbTime('19801212-00:00:00'), Date.parse('1980-12-12T00:00:00Z'));
    assert.equal(parseIbTime('20240105 15:30:00 US/Eastern'), Date.parse('2024-01-05T20:30:00Z'));
    assert.equal(
      parseIbTime('20240705 15:30:00 America/New_York'),
      Date.parse('2024-07-05T19:30:00Z'),
    );
    assert.throws(() => parseIbTime('yesterday'), /unreadable TWS date\/time "yesterday"/);
  });
});
