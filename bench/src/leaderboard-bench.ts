import {
  heatmapCells,
  openDatabase,
  SweepSetStore,
  SWEEP_SET_METRIC_COLUMNS,
} from '@ktrdr/backend';
import { tempDir } from '@ktrdr/testkit';

/** What {@link leaderboardReads} measured: ms per read (median of `runs`), a sweep of `sets` sets on a fresh database. */
export interface LeaderboardReads {
  sets: number;
  runs: number;
  /** The rank order read afresh (after sets are stored, or once evicted). */
  orderMs: number;
  /** A batch of 250 results recorded into a running sweep and the first page read after it (the order merged, not read again). */
  batchThenPageMs: number;
  /** A page of 100 in rank order: the first, and one half-way down. */
  firstPageMs: number;
  middlePageMs: number;
  /** A page of 100 sorted by another metric. */
  byMetricPageMs: number;
  /** Every row as the CSV reads them (pages of 1,000). */
  allPagesMs: number;
  /** The heat map: every set's two swept values and rank, its cells, and their rows. */
  heatmapMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(runs: number, run: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    run();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/**
 * The leaderboard's reads over one completed sweep, `SweepSetStore` alone (what the sets
 * and heat map routes cost the backend before HTTP): a 100 × 1,000 grid, every set
 * completed with a varied objective.
 */
export async function leaderboardReads(sets = 100_000, runs = 5): Promise<LeaderboardReads> {
  const dir = tempDir();
  try {
    const db = openDatabase(`${dir.path}/ktrdr.db`);
    const store = new SweepSetStore(db);
    const all = Array.from({ length: sets }, (_, i) => ({
      set_index: i,
      parameters: {
        'indicators.fast.period': 2 + (i % 100),
        'indicators.slow.period': Math.floor(i / 100),
      },
    }));
    await store.insert('sweep_bench', all, async () => {});
    const ranking = {
      objective: 'sharpe_ratio',
      sign: 1 as const,
      constraints: { total_trades: { min: 3 } },
    };
    const record = (shard: string, indices: number[]) => {
      const metrics = Object.fromEntries(
        SWEEP_SET_METRIC_COLUMNS.map((c) => [c, indices.map((i) => ((i * 7919) % 1009) / 1009)]),
      );
      metrics.total_trades = indices.map((i) => i % 6);
      store.record('sweep_bench', shard, 'bench-worker', { set_index: indices, metrics }, ranking);
    };
    // every shard but the last completes at once; the last one reports in batches below
    const last = `shard_last`;
    for (let shard = 0, from = 0; from < sets; shard++) {
      const running = from + 2500 >= sets;
      const name = running ? last : `shard_${shard}`;
      const { sets: got } = store.assignNext('sweep_bench', name, 2500, from);
      const indices = got.map((s) => s.set_index);
      if (!running) record(name, indices);
      from = indices.at(-1)! + 1;
    }
    // while the sweep runs: a batch of results, then the page the UI reads next
    const open = store.page('sweep_bench', { status: 'running', limit: 2500 }, ranking).rows;
    const batches: number[][] = [];
    for (let i = 0; i < open.length; i += 250)
      batches.push(open.slice(i, i + 250).map((row) => row.set_index));
    const batchThenPageMs = timed(batches.length, () => {
      record(last, batches.shift()!);
      store.page('sweep_bench', { limit: 100 }, ranking);
    });
    // the order read afresh: time it cold each run (a fresh store: no order kept)
    const orderMs = timed(runs, () =>
      new SweepSetStore(db).page('sweep_bench', { limit: 1 }, ranking),
    );
    store.page('sweep_bench', { limit: 1 }, ranking);
    const firstPageMs = timed(runs, () => store.page('sweep_bench', { limit: 100 }, ranking));
    const middlePageMs = timed(runs, () =>
      store.page('sweep_bench', { limit: 100, offset: sets / 2 }, ranking),
    );
    const byMetricPageMs = timed(runs, () =>
      store.page('sweep_bench', { limit: 100, sort: 'total_return' }, ranking),
    );
    const allPagesMs = timed(Math.min(runs, 3), () => {
      for (let offset = 0; offset < sets; offset += 1000)
        store.page('sweep_bench', { limit: 1000, offset }, ranking);
    });
    const heatmapMs = timed(runs, () => {
      const points = store.heatPoints(
        'sweep_bench',
        undefined,
        'indicators.fast.period',
        'indicators.slow.period',
      );
      for (const cell of heatmapCells(points).cells) store.get('sweep_bench', cell.set_index);
    });
    db.close();
    return {
      sets,
      runs,
      orderMs,
      batchThenPageMs,
      firstPageMs,
      middlePageMs,
      byMetricPageMs,
      allPagesMs,
      heatmapMs,
    };
  } finally {
    dir.remove();
  }
}
