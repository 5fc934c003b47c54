import type {
  BacktestResult,
  DataLoadResult,
  Operation,
  Segment,
  SweepResult,
  TrainingResult,
} from '@ktrdr/shared';
import {
  day,
  duration,
  fixed,
  integer,
  percentOf,
  secondsBetween,
  signedPercentOf,
  timestamp,
} from '../output/format.js';
import { renderPairs, renderTable } from '../output/table.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `sma_crossover · SP500 1d · 2000-01-03 → 2020-12-31` from an operation's metadata. */
export function whatItRuns(op: Operation): string {
  const m = op.metadata;
  const parts = [str(m.strategy_name)];
  if (str(m.symbol)) parts.push(`${str(m.symbol)} ${str(m.timeframe) ?? ''}`.trim());
  if (str(m.start_date) || str(m.end_date))
    parts.push(`${day(str(m.start_date))} → ${day(str(m.end_date))}`);
  return parts.filter(Boolean).join(' · ');
}

/** The first line of an ended operation: outcome, time taken, where it ran. */
export function outcomeLine(op: Operation): string {
  const took = secondsBetween(op.started_at ?? op.created_at, op.completed_at);
  const where = op.worker_id ? ` on ${op.worker_id}` : '';
  const attempts = op.attempt > 1 ? ` (attempt ${op.attempt})` : '';
  const mark = op.status === 'completed' ? '✔' : op.status === 'cancelled' ? '■' : '✖';
  return `${mark} ${op.operation_id} ${op.status} in ${duration(took)}${where}${attempts}`;
}

/** The headline figures of a backtest. */
export function backtestSummary(result: BacktestResult): string {
  const m = result.metrics;
  const figures = renderPairs([
    ['total return', signedPercentOf(m.total_return)],
    ['annualized return', signedPercentOf(m.annualized_return)],
    ['max drawdown', percentOf(m.max_drawdown)],
    ['sharpe ratio', fixed(m.sharpe_ratio)],
    ['sortino ratio', fixed(m.sortino_ratio)],
    ['trades', integer(m.total_trades)],
    ['win rate', percentOf(m.win_rate, 1)],
    ['profit factor', fixed(m.profit_factor)],
    ['exposure', percentOf(m.exposure, 1)],
  ]);
  if (!result.segments || !result.in_sample) return figures;
  // a model backtest over data the model learnt from: each segment apart, and the warning
  const column = (header: string, value: (s: Segment) => string) => ({ header, value });
  const segments = renderTable(result.segments, [
    column('segment', (s) => s.segment.replace('_', ' ')),
    column('from', (s) => day(s.start_date)),
    column('to', (s) => day(s.end_date)),
    column('bars', (s) => integer(s.bars)),
    column('return', (s) => signedPercentOf(s.metrics.total_return)),
    column('sharpe', (s) => fixed(s.metrics.sharpe_ratio)),
    column('max dd', (s) => percentOf(s.metrics.max_drawdown)),
    column('trades', (s) => integer(s.metrics.total_trades)),
    column('win rate', (s) => percentOf(s.metrics.win_rate, 1)),
  ]);
  return `${figures}\n\n⚠ ${result.in_sample.message}\n${segments}`;
}

/** The headline figures of a training run, and how to use the model. */
export function trainingSummary(result: TrainingResult, strategyName: string | undefined): string {
  const t = result.training_metrics;
  const test = result.test_metrics;
  const lines = renderPairs([
    ['model', result.model_id],
    [
      'epochs',
      `${t.epochs_trained} trained, best ${t.best_epoch}${t.stopped_early ? ' (stopped early)' : ''}`,
    ],
    ['best val loss', fixed(t.best_val_loss, 4)],
    ['best val accuracy', percentOf(t.best_val_accuracy, 1)],
    ['final loss', fixed(t.final_loss, 4)],
    ['test accuracy', test ? `${percentOf(test.accuracy, 1)} on ${integer(test.rows)} rows` : '—'],
    ...(test?.majority_baseline
      ? ([
          [
            'majority baseline',
            `${percentOf(test.majority_baseline.accuracy, 1)} (always ${test.majority_baseline.label})`,
          ],
        ] as [string, string][])
      : []),
    ...Object.entries(test?.per_class ?? {}).map(
      ([label, f]) =>
        [
          `  ${label}`,
          `precision ${percentOf(f.precision, 1)} · recall ${percentOf(f.recall, 1)} · ${integer(f.support)} rows`,
        ] as [string, string],
    ),
    [
      'backend',
      `${result.model_info.training_backend}${t.samples_per_second ? ` · ${integer(t.samples_per_second)} samples/s` : ''}`,
    ],
  ]);
  const next = strategyName
    ? `\nBacktest it: ktrdr backtest ${strategyName} --model ${result.model_id} --follow`
    : '';
  return `${lines}${next}`;
}

/** What a download fetched and stored, and the first gaps that are not market closures. */
export function dataLoadSummary(result: DataLoadResult): string {
  const lines = [
    renderPairs([
      ['bars downloaded', integer(result.bars_downloaded)],
      [
        'series now',
        `${integer(result.bars_stored)} bars, ${timestamp(result.first_bar)} → ${timestamp(result.last_bar)}`,
      ],
      [
        'IB requests',
        `${result.ib_requests} for ${result.chunks} chunks (${result.empty_chunks} without data)`,
      ],
      ['gaps', `${result.gaps}${result.gaps ? ' (not weekends, nights or lone holidays)' : ''}`],
    ]),
  ];
  for (const gap of result.gap_list.slice(0, 10))
    lines.push(
      `    ${timestamp(gap.after)} → ${timestamp(gap.before)}: ${gap.missing} ${gap.unit} missing`,
    );
  if (result.gap_list.length > 10)
    lines.push(`    … ${result.gap_list.length - 10} more (--json lists them all)`);
  return lines.join('\n');
}

/** `fast.period`: a swept path's last two parts, short enough for a column. */
export function shortPath(path: string): string {
  return path.split('.').slice(-2).join('.');
}

/** `fast.period=10 slow.period=60`. */
export function parameterText(parameters: Record<string, unknown>): string {
  return Object.entries(parameters)
    .map(([k, v]) => `${shortPath(k)}=${String(v)}`)
    .join(' ');
}

/** A sweep's counts and its ten best parameter sets. */
export function sweepSummary(result: SweepResult, id: string, shown = 10): string {
  const counts = Object.entries(result.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const ranked = result.leaderboard.filter((r) => r.rank !== null).slice(0, shown);
  const metric = (name: string) => (row: (typeof ranked)[number]) => {
    const v = row.metrics?.[name];
    return typeof v === 'number' ? fixed(v, 4) : '—';
  };
  const table = renderTable(ranked, [
    { header: '#', value: (r) => String(r.rank), align: 'right' },
    ...result.dimensions.map((d) => ({
      header: shortPath(d),
      value: (r: (typeof ranked)[number]) => String(r.parameters[d] ?? ''),
      align: 'right' as const,
    })),
    { header: result.objective, value: metric(result.objective), align: 'right' },
    ...(result.objective === 'total_return'
      ? []
      : [{ header: 'total_return', value: metric('total_return'), align: 'right' as const }]),
    { header: 'trades', value: metric('total_trades'), align: 'right' },
    { header: '', value: (r) => (r.meets_constraints ? '' : 'outside constraints') },
  ]);
  const wf = result.walk_forward;
  const walkForward = wf
    ? [
        `  walk-forward: ${wf.windows.length} windows of ${wf.in_sample_bars} + ${wf.out_of_sample_bars} bars; out of sample: total return ${signedPercentOf(wf.metrics?.total_return ?? null)}, max drawdown ${percentOf(wf.metrics?.max_drawdown ?? null)}`,
        ...wf.windows.map(
          (w) =>
            `    ${w.window + 1}. ${day(w.in_sample.start)} → ${day(w.in_sample.end)}: ${w.best_parameters ? parameterText(w.best_parameters) : '—'} (${result.objective} ${fixed(w.in_sample_value, 3)}) → ${day(w.out_of_sample.start)} → ${day(w.out_of_sample.end)}: ${signedPercentOf(w.out_of_sample_metrics?.total_return ?? null)}`,
        ),
      ]
    : [];
  return [
    ...walkForward,
    `  ${result.total} parameter sets (${counts}); ranked by ${result.objective}, ${result.direction === 'max' ? 'largest' : 'smallest'} first`,
    table
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
    `  ${result.sets_per_second !== null ? `${result.sets_per_second} sets/s; ` : ''}every set: GET /api/v1/sweeps/${id}/sets (sort, filter, pages; Accept: text/csv for all of them); one as a full backtest: POST /api/v1/sweeps/${id}/sets/<set_index>/backtest`,
  ].join('\n');
}

/** What a finished operation stored (its result summary as the backend records it). */
export function summaryPairs(summary: Record<string, unknown> | null): string {
  if (!summary) return '';
  const pairs = Object.entries(summary)
    .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => [k.replace(/_/g, ' '), String(v)] as const);
  return renderPairs(pairs);
}
