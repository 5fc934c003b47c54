import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IB_MAX_REQUEST_SPAN, TIMEFRAMES } from '@ktrdr/shared';
import { planChunks, type ChunkRequest } from '../../src/historical/chunk-plan.js';

const DAY = 86_400_000;
const t = (iso: string) => Date.parse(iso);

/** Newest first, each request ending where the one before it began: no gap, no overlap. */
function assertContiguous(chunks: readonly ChunkRequest[], startMs: number, endMs: number) {
  assert.equal(
    chunks[0]?.endMs,
    Math.floor(endMs / 1000) * 1000 + 1000,
    'one second past the inclusive end',
  );
  assert.equal(chunks.at(-1)?.startMs, startMs);
  for (let i = 1; i < chunks.length; i++) {
    assert.equal(
      chunks[i]?.endMs,
      chunks[i - 1]?.startMs,
      `request ${i} ends where ${i - 1} begins`,
    );
  }
}

describe('chunk planning: a range cut into the requests IB serves', () => {
  it('two years of 1h bars: 25 requests of at most 30 days (IB: 1 M), walking back from the end', () => {
    const start = t('2022-01-15T12:30:00Z');
    const end = t('2024-01-15T12:30:00Z');
    const chunks = planChunks(start, end, '1h');
    assert.equal(chunks.length, 25);
    assert.deepEqual(
      chunks.slice(0, 24).map((c) => c.duration),
      Array.from({ length: 24 }, () => '30 D'),
    );
    // 730 days + 1 s: 24 × 30 days, then 10 days and a second, asked for as 11 whole days
    assert.equal(chunks[24]?.duration, '11 D');
    assert.equal(chunks[0]?.endMs, end + 1000);
    assertContiguous(chunks, start, end);
    for (const c of chunks) assert.ok(c.endMs - c.startMs <= 30 * DAY);
  });

  it('1-minute bars for three days: three requests of 1 D on day boundaries', () => {
    const start = t('2024-01-08T00:00:00Z');
    const end = t('2024-01-10T23:59:59Z'); // inclusive: the last minute bar of the third day
    const chunks = planChunks(start, end, '1m');
    assert.deepEqual(chunks, [
      { startMs: t('2024-01-10T00:00:00Z'), endMs: t('2024-01-11T00:00:00Z'), duration: '1 D' },
      { startMs: t('2024-01-09T00:00:00Z'), endMs: t('2024-01-10T00:00:00Z'), duration: '1 D' },
      { startMs: t('2024-01-08T00:00:00Z'), endMs: t('2024-01-09T00:00:00Z'), duration: '1 D' },
    ]);
  });

  it('one backend chunk (a span minus 1 ms) is exactly one IB request', () => {
    const start = t('2025-01-01T00:00:00Z');
    for (const timeframe of TIMEFRAMES) {
      const span = IB_MAX_REQUEST_SPAN[timeframe].days * DAY;
      const chunks = planChunks(start, start + span - 1, timeframe);
      assert.deepEqual(
        chunks,
        [
          {
            startMs: start,
            endMs: start + span,
            duration: `${IB_MAX_REQUEST_SPAN[timeframe].days} D`,
          },
        ],
        timeframe,
      );
    }
  });

  it('uses each bar size its own span: 1 D, 7 D, 30 D, 365 D', () => {
    const start = t('2023-01-01T00:00:00Z');
    const end = t('2023-12-31T23:59:59Z');
    const count = (tf: (typeof TIMEFRAMES)[number]) => planChunks(start, end, tf).length;
    assert.equal(count('1m'), 365);
    assert.equal(count('5m'), 53);
    assert.equal(count('15m'), 53);
    assert.equal(count('30m'), 13);
    assert.equal(count('1h'), 13);
    assert.equal(count('4h'), 13);
    assert.equal(count('1d'), 1);
    for (const tf of TIMEFRAMES) assertContiguous(planChunks(start, end, tf), start, end);
  });

  it('a short range is one request of at least a whole day; a reversed one is none', () => {
    const start = t('2024-01-15T09:00:00Z');
    assert.deepEqual(planChunks(start, start + 3 * 3_600_000, '5m'), [
      { startMs: start, endMs: start + 3 * 3_600_000 + 1000, duration: '1 D' },
    ]);
    assert.deepEqual(planChunks(start, start - 1000, '1h'), []);
  });
});
