import type { BacktestSummary } from '@ktrdr/engine/backtest';
import type { SweepSetResults } from '@ktrdr/shared';

/** The metrics of a set, named as a backtest's summary names them. */
export function setMetrics(summary: BacktestSummary, bars: number): Record<string, number | null> {
  return {
    ...summary.metrics,
    // rounded as the backtest handler rounds it, so a set's row equals its full backtest
    final_equity: Math.round(summary.finalEquity * 1e6) / 1e6,
    bars,
  };
}

/**
 * Finished sets waiting to be reported, as columns (small to send, quick to parse):
 * flushed every {@link SetBatch.intervalMs} or {@link SetBatch.maxSets} sets.
 */
export class SetBatch {
  static readonly intervalMs = 100;
  static readonly maxSets = 2000;
  private indices: number[] = [];
  private columns: Record<string, (number | null)[]> = {};
  private failed: { set_index: number; error: string }[] = [];
  private lastFlush = performance.now();

  constructor(private readonly send: (results: SweepSetResults) => void) {}

  completed(setIndex: number, metrics: Record<string, number | null>): void {
    const row = this.indices.length;
    this.indices.push(setIndex);
    for (const name in metrics) {
      const column = (this.columns[name] ??= []);
      // a metric first seen on a later row: the rows before it had none
      while (column.length < row) column.push(null);
      column.push(metrics[name] ?? null);
    }
    this.maybeFlush();
  }

  failure(setIndex: number, error: string): void {
    this.failed.push({ set_index: setIndex, error: error.slice(0, 2000) });
    this.maybeFlush();
  }

  private get size(): number {
    return this.indices.length + this.failed.length;
  }

  private maybeFlush(): void {
    if (this.size >= SetBatch.maxSets || performance.now() - this.lastFlush >= SetBatch.intervalMs)
      this.flush();
  }

  /** Sends what waits (nothing when empty). */
  flush(): void {
    this.lastFlush = performance.now();
    if (this.size === 0) return;
    const rows = this.indices.length;
    for (const column of Object.values(this.columns))
      while (column.length < rows) column.push(null);
    this.send({
      set_index: this.indices,
      metrics: this.columns,
      ...(this.failed.length > 0 ? { failed: this.failed } : {}),
    });
    this.indices = [];
    this.columns = {};
    this.failed = [];
  }
}
