import type { LeaderboardRow, SweepResult, WalkForwardResult } from '@ktrdr/shared';
import type { BacktestService } from '../backtests/backtest-service.js';
import type { OperationRecord } from '../operations/operation-record.js';
import type { NewOperation, OperationsService } from '../operations/operations-service.js';
import type { ParameterSet } from './parameter-space.js';
import {
  backtestFields,
  phaseOf,
  sweepRequest,
  windowOf,
  type SweepMetadata,
  type WalkForwardMetadata,
} from './sweep-metadata.js';
import { stitchEquity, type EquityPoint } from './walk-forward.js';

/** Each window's winner and how it did out of sample (the stitched curve comes at the end). */
export function walkForwardSummary(
  wf: WalkForwardMetadata,
  children: OperationRecord[],
): WalkForwardResult {
  return {
    in_sample_bars: wf.in_sample_bars,
    out_of_sample_bars: wf.out_of_sample_bars,
    windows: wf.windows.map((span, k) => {
      const test = children.find((c) => windowOf(c) === k && phaseOf(c) === 'out_of_sample');
      const summary = test?.status === 'completed' ? test.result_summary : null;
      return {
        window: k,
        in_sample: span.in_sample,
        out_of_sample: span.out_of_sample,
        best_parameters: test ? ((test.metadata.parameters ?? null) as ParameterSet | null) : null,
        in_sample_value:
          typeof test?.metadata.in_sample_value === 'number' ? test.metadata.in_sample_value : null,
        out_of_sample_operation_id: test?.operation_id ?? null,
        out_of_sample_status: test?.status ?? null,
        out_of_sample_metrics: summary
          ? (Object.fromEntries(
              Object.entries(summary).filter(([, v]) => typeof v === 'number' || v === null),
            ) as Record<string, number | null>)
          : null,
      };
    }),
    equity_curve: [],
    metrics: null,
  };
}

/** A child's equity curve: bar times (epoch ms) and equity, index by index. */
export interface EquitySeries {
  time: ArrayLike<number>;
  equity: ArrayLike<number>;
}

/**
 * Chains the out-of-sample equity curves of a finished walk-forward into one, with its
 * metrics, into `result.walk_forward`; `readCurve` gives a child's stored equity curve.
 */
export async function stitchOutOfSample(
  result: SweepResult,
  readCurve: (operationId: string) => Promise<EquitySeries | undefined>,
): Promise<void> {
  const wf = result.walk_forward;
  if (!wf) return;
  const segments: EquityPoint[][] = [];
  for (const window of wf.windows) {
    if (window.out_of_sample_status !== 'completed' || !window.out_of_sample_operation_id) continue;
    const curve = await readCurve(window.out_of_sample_operation_id);
    if (!curve) continue;
    segments.push(
      Array.from(curve.time, (time, i) => ({ time, equity: curve.equity[i] as number })),
    );
  }
  const { curve, metrics } = stitchEquity(segments);
  wf.equity_curve = curve;
  wf.metrics = metrics;
}

/**
 * Backtests window `k`'s best in-sample set on the window's out-of-sample bars: an ordinary
 * child backtest of the sweep. Returns it (to dispatch), or undefined when it cannot be
 * made — then a failed child says why (e.g. too few bars for the warm-up), never silence.
 */
export function startOutOfSample(
  parent: OperationRecord,
  k: number,
  best: LeaderboardRow,
  meta: SweepMetadata,
  deps: { operations: OperationsService; backtests: BacktestService },
): OperationRecord | undefined {
  const { operations, backtests } = deps;
  const span = meta.walk_forward?.windows[k];
  const request = sweepRequest(parent);
  if (!span || !request) return undefined;
  const metadata = {
    window: k,
    phase: 'out_of_sample',
    in_sample_value: best.metrics?.[meta.objective] ?? null,
    in_sample_set_index: best.set_index,
  };
  let child: NewOperation<'backtesting'>;
  try {
    child = backtests.prepare(
      {
        ...backtestFields(request),
        start_date: span.out_of_sample.start,
        end_date: span.out_of_sample.end,
        parameters: best.parameters,
      },
      parent.operation_id,
      { strategyByReference: true },
    );
  } catch (error) {
    const failed = operations.create({
      type: 'backtesting',
      parentOperationId: parent.operation_id,
      metadata: { parameters: best.parameters, ...metadata },
      provenance: parent.provenance,
      job: null,
    });
    operations.finish(failed.operation_id, 'failed', {
      error: `window ${k + 1} out of sample: ${(error as Error).message}`,
    });
    return undefined;
  }
  return operations.create({ ...child, metadata: { ...child.metadata, ...metadata } });
}
