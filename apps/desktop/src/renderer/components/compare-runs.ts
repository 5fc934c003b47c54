import {
  backtestRunTitle,
  builtInJobKinds,
  type BacktestResult,
  type Operation,
} from '@ktrdr/shared';

/** How many runs a comparison takes: two to see a difference, five still readable. */
export const COMPARE_MIN = 2;
export const COMPARE_MAX = 5;

/** One colour per run, in order (the legend, the curve and the table's header share it). */
export const RUN_COLOURS = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00'];

/** The ids of `?ids=a,b,c`, or why the link cannot be compared. */
export function parseCompareIds(raw: string | null): { ids: string[]; problem?: string } {
  const ids = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) return { ids, problem: `${twice} is listed twice: pick each run once.` };
  if (ids.length < COMPARE_MIN || ids.length > COMPARE_MAX)
    return {
      ids,
      problem: `A comparison takes ${COMPARE_MIN} to ${COMPARE_MAX} completed backtests; this link names ${ids.length}${ids.length ? ` (${ids.join(', ')})` : ''}. Pick them in the operations list.`,
    };
  return { ids };
}

/** Why an operation cannot be compared (not a backtest, not completed), or undefined. */
export function runProblem(op: Operation): string | undefined {
  if (!builtInJobKinds.hasBacktestResult(op.operation_type))
    return `Run ${op.operation_id} is a ${op.operation_type.replace(/_/g, ' ')} operation, not a backtest.`;
  if (op.status !== 'completed')
    return `Run ${op.operation_id} is ${op.status}, not a completed backtest.`;
  return undefined;
}

/** A run of the comparison: what ran and its result. */
export interface ComparedRun {
  operation: Operation;
  result: BacktestResult;
  title: string;
  colour: string;
}

/** The runs in link order, each with its title and colour. */
export function comparedRuns(
  runs: { operation: Operation; result: BacktestResult }[],
): ComparedRun[] {
  return runs.map((run, i) => ({
    ...run,
    title: backtestRunTitle(run.operation, run.result.equity_curve),
    colour: RUN_COLOURS[i % RUN_COLOURS.length] as string,
  }));
}

/** A curve divided by its first equity, so runs of any capital start at 1. */
export function normalised(
  curve: BacktestResult['equity_curve'],
): { time: string; value: number }[] {
  const first = curve[0]?.equity;
  if (!first) return [];
  return curve.map((p) => ({ time: p.time, value: p.equity / first }));
}

/** "Equity of 3 runs, normalised to 1, 2000-01-03 → 2020-04-17": the earliest start to the latest end. */
export function compareCaption(runs: readonly ComparedRun[]): string {
  const starts = runs.flatMap((r) => r.result.equity_curve.slice(0, 1).map((p) => p.time));
  const ends = runs.flatMap((r) => r.result.equity_curve.slice(-1).map((p) => p.time));
  const range =
    starts.length && ends.length
      ? `, ${[...starts].sort()[0]!.slice(0, 10)} → ${[...ends].sort().at(-1)!.slice(0, 10)}`
      : '';
  return `Equity of ${runs.length} runs, normalised to 1${range}`;
}
