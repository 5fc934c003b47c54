import type { Operation } from '@ktrdr/shared';
import type { ComponentType } from 'react';
import { BacktestResultPanel } from '../components/backtest-result-panel';
import { DataLoadPanel } from '../components/data-load-panel';
import { BacktestTitle } from '../components/operation-title';
import { SweepPanel } from '../components/sweep-panel';
import { TrainingPanel } from '../components/training-panel';

/**
 * How the operation page shows one kind beyond what every kind gets (its label and
 * description come from its job-kind descriptor). A kind without an entry is shown with
 * its progress, attempts, provenance and metadata only.
 */
export interface KindView {
  /** Its heading (default: the descriptor's label and line). */
  Title?: ComponentType<{ operation: Operation }>;
  /** Shown under the progress card while it runs and after (a sweep's live leaderboard). */
  LivePanel?: ComponentType<{ operation: Operation }>;
  /** Its result, at the end of the page. */
  ResultPanel?: ComponentType<{ operation: Operation }>;
  /** Its progress context is its own panel's to show, not a list of plain values. */
  ownContext?: boolean;
  /** Resumable without a checkpoint, and what Resume then does. */
  resumeWithoutCheckpoint?: string;
}

const VIEWS: Record<string, KindView> = {
  backtesting: { Title: BacktestTitle, ResultPanel: BacktestResultPanel },
  training: { ResultPanel: TrainingPanel },
  data_load: { ResultPanel: DataLoadPanel },
  sweep: {
    LivePanel: SweepPanel,
    ownContext: true,
    resumeWithoutCheckpoint: 'Run again only the backtests of this sweep that did not complete',
  },
};

/** How the operation page shows operations of `type`. */
export function kindView(type: string): KindView {
  return VIEWS[type] ?? {};
}
