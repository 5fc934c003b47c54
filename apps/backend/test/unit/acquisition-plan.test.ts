import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkRange, planDownload } from '../../src/acquisition/download-plan.js';
import { findGaps } from '../../src/data/gaps.js';

const t = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('download plan: what to fetch, in IB-sized chunks', () => {
  it('cuts two years of 1h bars into month-long chunks without gap or overlap', () => {
    const range = { start: t('2022-01-01T00:00:00Z'), end: t('2023-12-31T23:59:59.999Z') };
    const chunks = chunkRange(range, '1h');
    assert.equal(chunks.length, 25, '730 days / 30 days per request');
    assert.equal(chunks[0]?.start, range.start);
    assert.equal(chunks.at(-1)?.end, range.end);
    for (let i = 1; i < chunks.length; i++) {
      assert.equal(chunks[i]?.start, (chunks[i - 1]?.end as number) + 1, `chunk ${i} follows on`);
      assert.ok((chunks[i - 1]?.end as number) - (chunks[i - 1]?.start as number) < 30 * DAY);
    }
    assert.equal(
      chunkRange({ start: 0, end: 3 * DAY - 1 }, '1m').length,
      3,
      '1 D per 1-minute request',
    );
    assert.equal(
      chunkRange({ start: 0, end: 3 * 365 * DAY - 1 }, '1d').length,
      3,
      '1 Y per daily request',
    );
  });

  it('defaults to full for a new series and tail for a stored one; backfill fetches before the first bar', () => {
    const range = { start: t('2024-01-01T00:00:00Z'), end: t('2024-03-31T23:59:59.999Z') };
    const fresh = planDownload({ timeframe: '1h', range });
    assert.equal(fresh.mode, 'full');
    assert.equal(fresh.chunks[0]?.start, range.start);

    const stored = { first: t('2024-02-01T00:00:00Z'), last: t('2024-02-29T23:00:00Z') };
    const tail = planDownload({ timeframe: '1h', range, stored });
    assert.equal(tail.mode, 'tail');
    assert.equal(tail.chunks[0]?.start, stored.last + HOUR, 'starts one bar after the last stored');
    assert.equal(tail.chunks.at(-1)?.end, range.end);

    const backfill = planDownload({ timeframe: '1h', range, stored, mode: 'backfill' });
    assert.equal(backfill.chunks[0]?.start, range.start);
    assert.equal(
      backfill.chunks.at(-1)?.end,
      stored.first - 1,
      'stops just before the first stored bar',
    );

    const full = planDownload({ timeframe: '1h', range, stored, mode: 'full' });
    assert.equal(full.chunks[0]?.start, range.start, 'full fetches the whole range again');

    const covered = planDownload({
      timeframe: '1h',
      range: { start: stored.first, end: stored.last },
      stored,
    });
    assert.deepEqual(covered.chunks, []);
    assert.match(covered.note, /nothing to fetch/);
  });
});

describe('gaps that are not market closures', () => {
  const days = (...isos: string[]) => isos.map((d) => t(`${d}T00:00:00Z`));

  it('daily: weekends and a lone missing weekday (a holiday) are closures; two weekdays in a row are a gap', () => {
    // Fri 2024-01-05 → Mon 2024-01-08: weekend. Tue 01-09 → Thu 01-11: Wed missing (holiday).
    // Thu 01-11 → Tue 01-16: Fri 12 and Mon 15 missing = a gap of 2 weekdays.
    const gaps = findGaps(
      days('2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-11', '2024-01-16'),
      '1d',
    );
    assert.deepEqual(gaps, [
      {
        after: '2024-01-11T00:00:00.000Z',
        before: '2024-01-16T00:00:00.000Z',
        unit: 'weekdays',
        missing: 2,
      },
    ]);
  });

  it('intraday: nights and weekends are closures; missing bars inside a day are a gap', () => {
    const base = t('2024-01-05T14:00:00Z'); // a Friday
    const times = [
      base,
      base + HOUR,
      base + 4 * HOUR,
      t('2024-01-08T14:00:00Z'),
      t('2024-01-08T15:00:00Z'),
    ];
    const gaps = findGaps(times, '1h');
    assert.deepEqual(gaps, [
      {
        after: '2024-01-05T15:00:00.000Z',
        before: '2024-01-05T18:00:00.000Z',
        unit: 'bars',
        missing: 2,
      },
    ]);
  });
});
