/**
 * A backtest as one self-contained HTML document: what ran, every metric and the
 * benchmark, the charts as inline SVG and every trade. It makes no request of any kind (no
 * script, no font, no image, no stylesheet by URL), so it opens from a file with no server;
 * the CLI (`ktrdr report`) and the result page's "Report" button both write it from here.
 */
import type { BacktestResult, Trade } from '../contracts/backtests.js';
import type { Operation } from '../contracts/operations.js';
import { FIGURE_ROWS, figureValue, formatNumber, formatPercent } from './figures.js';
import { buyAndHoldLine } from '../charts/buy-and-hold.js';
import { escapeHtml } from './html-escape.js';
import { backtestRunTitle } from './run-title.js';
import { barChartSvg, heatMapSvg, lineChartSvg, type LineSeriesSvg } from './svg-charts.js';

/** What a report is made of. */
export interface BacktestReportInput {
  operation: Operation;
  /** The display result: metrics, benchmark, periods, the downsampled curve. */
  result: BacktestResult;
  /** Every trade (the full result's, when the display result holds only the last ones). */
  trades: readonly Trade[];
  /** Closing prices of the run's bars (epoch ms), for the buy-and-hold line. */
  closes?: { time: readonly number[]; close: readonly number[] };
  /** When the report was made (ISO); now by default. */
  generatedAt?: string;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;margin:0;background:#f8f9fa}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}section>h2:first-child{margin-top:4px}
.sub{color:#868e96;font-family:ui-monospace,monospace;font-size:12px}
section{background:#fff;border:1px solid #dee2e6;border-radius:6px;padding:12px 16px;margin-top:16px}
table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;border-bottom:1px solid #f1f3f5;text-align:left;white-space:nowrap}\n.wide{overflow-x:auto}table.trades{font-size:12.5px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:8px}
.figure{border:1px solid #e9ecef;border-radius:4px;padding:6px 10px}.figure .l{color:#868e96;font-size:12px}.figure .v{font-weight:600}
figure{margin:8px 0 16px}figcaption{color:#868e96;font-size:12px}
svg text{font:11px system-ui,sans-serif;fill:#495057}svg .grid line{stroke:#e9ecef}svg text.cell{font-size:10px;fill:#212529}svg text.value{font-size:10px}
.legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:14px;height:3px;margin-right:4px;vertical-align:middle}
.warn{background:#fff3bf;border-color:#ffe066}.ruin{background:#ffe3e3;border-color:#ffa8a8}
.pos{color:#2b8a3e}.neg{color:#c92a2a}
`;

const EQUITY_COLOUR = '#1c7ed6';
const BENCHMARK_COLOUR = '#868e96';
const DRAWDOWN_COLOUR = '#e03131';

/** A metadata value as text: strings as they are, numbers and booleans written, else ''. */
const text = (v: unknown) =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : v === undefined || v === null
        ? ''
        : JSON.stringify(v);
const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '—');
const money = (v: number) => formatNumber(v, 2);

/** The buy-and-hold line: the first equity, moved as the close moved, at each curve point. */
export function buyAndHoldOnCurve(
  curve: BacktestResult['equity_curve'],
  closes: NonNullable<BacktestReportInput['closes']>,
): { time: number[]; value: number[] } {
  const closeAt = new Map<number, number>();
  closes.time.forEach((t, i) => closeAt.set(t, closes.close[i] as number));
  const time: number[] = [];
  const close: number[] = [];
  for (const p of curve) {
    const t = Date.parse(p.time);
    const c = closeAt.get(t);
    if (c === undefined) continue;
    time.push(t);
    close.push(c);
  }
  const first = curve[0];
  // the line starts where the curve does: no close at its first point, no line
  if (!first || time[0] !== Date.parse(first.time)) return { time: [], value: [] };
  return buyAndHoldLine(time, close, first.equity);
}

function pairsTable(pairs: [string, string][], testId: string): string {
  return `<table data-testid="${testId}"><tbody>${pairs
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function whatRan(operation: Operation): string {
  const m = operation.metadata;
  const pairs: [string, string][] = [
    ['Strategy', text(m.strategy_name)],
    ['Series', [text(m.symbol), text(m.timeframe)].filter(Boolean).join(' ')],
    ['Requested range', `${day(text(m.start_date))} → ${day(text(m.end_date))}`],
    ['Initial capital', typeof m.initial_capital === 'number' ? money(m.initial_capital) : '—'],
    ['Commission', typeof m.commission === 'number' ? formatPercent(m.commission, 3) : '—'],
    ['Slippage', typeof m.slippage === 'number' ? formatPercent(m.slippage, 3) : '—'],
  ];
  if (m.model_id) pairs.push(['Model', text(m.model_id)]);
  const overrides = Object.entries((m.parameters as Record<string, unknown> | undefined) ?? {});
  pairs.push([
    'Parameters',
    overrides.length
      ? overrides.map(([k, v]) => `${k} = ${text(v)}`).join(', ')
      : 'the strategy’s own',
  ]);
  const p = operation.provenance;
  const provenance: [string, string][] = [
    ['Operation', operation.operation_id],
    ['Strategy hash', text(p.strategy_hash) || '—'],
    ['Data ETag', text(p.data_etag) || '—'],
    ['Code version', text(p.code_version) || '—'],
  ];
  if (p.model_id) provenance.push(['Model', text(p.model_id)]);
  if (p.training_backend) provenance.push(['Training backend', text(p.training_backend)]);
  provenance.push(
    ['Worker', text(operation.worker_id) || '—'],
    ['Started', text(operation.started_at) || '—'],
    ['Completed', text(operation.completed_at) || '—'],
  );
  return `<h2>What ran</h2>${pairsTable(pairs, 'parameters')}<h2>Provenance</h2>${pairsTable(provenance, 'provenance')}`;
}

function figures(result: BacktestResult): string {
  const card = (key: string, label: string, value: string) =>
    `<div class="figure"><div class="l">${escapeHtml(label)}</div><div class="v" data-metric="${escapeHtml(key)}">${escapeHtml(value)}</div></div>`;
  const group = (name: 'metrics' | 'benchmark') =>
    FIGURE_ROWS.filter((row) => row.group === name)
      .map((row) => card(row.key, row.label, row.format(figureValue(result, row))))
      .join('');
  const benchmark = result.benchmark
    ? `<h2>Benchmark: buy and hold</h2><div class="figures" data-testid="benchmark">${group('benchmark')}</div>`
    : '';
  return `<h2>Metrics</h2><div class="figures" data-testid="metrics">${group('metrics')}</div>${benchmark}`;
}

function figure(svg: string, caption: string, legend = ''): string {
  return `<figure aria-label="${escapeHtml(caption)}">${legend}${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function charts(input: BacktestReportInput, title: string): string {
  const curve = input.result.equity_curve;
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (!first || !last) return '<h2>Charts</h2><p>The run has no equity points.</p>';
  const range = `${day(first.time)} → ${day(last.time)}`;
  const time = curve.map((p) => Date.parse(p.time));
  const series: LineSeriesSvg[] = [
    { name: 'Equity', color: EQUITY_COLOUR, time, value: curve.map((p) => p.equity) },
  ];
  const hold = input.closes ? buyAndHoldOnCurve(curve, input.closes) : undefined;
  if (hold && hold.time.length > 0)
    series.push({ name: 'Buy and hold', color: BENCHMARK_COLOUR, ...hold });
  const legend = `<div class="legend">${series
    .map((s) => `<span><i style="background:${s.color}"></i>${escapeHtml(s.name)}</span>`)
    .join('')}</div>`;
  const out = ['<h2>Charts</h2>'];
  out.push(
    figure(
      lineChartSvg({
        series,
        label: `Equity ${title}`,
        testId: 'equity',
        formatValue: (v) => formatNumber(v, 0),
      }),
      `Equity${series.length > 1 ? ' and buy and hold' : ''}, ${range}, final equity ${money(last.equity)}`,
      legend,
    ),
  );
  out.push(
    figure(
      lineChartSvg({
        series: [
          {
            name: 'Drawdown',
            color: DRAWDOWN_COLOUR,
            time,
            value: curve.map((p) => -p.drawdown),
            area: true,
          },
        ],
        label: `Drawdown ${title}`,
        testId: 'drawdown',
        formatValue: (v) => formatPercent(v, 1),
        height: 160,
      }),
      `Drawdown below the running peak, ${range}, max ${formatPercent(input.result.metrics.max_drawdown)}`,
    ),
  );
  const periods = input.result.periods;
  if (periods && periods.monthly.length > 0) {
    const m0 = periods.monthly[0]!;
    const m1 = periods.monthly[periods.monthly.length - 1]!;
    const ym = (m: typeof m0) => `${m.year}-${String(m.month).padStart(2, '0')}`;
    out.push(
      figure(
        heatMapSvg({
          monthly: periods.monthly,
          label: `Monthly returns ${title}`,
          testId: 'monthly',
        }),
        `Monthly returns (%), ${ym(m0)} → ${ym(m1)}, ${periods.monthly.length} months`,
      ),
    );
  }
  if (periods && periods.yearly.length > 0) {
    out.push(
      figure(
        barChartSvg({
          bars: periods.yearly.map((y) => ({ label: String(y.year), value: y.return })),
          label: `Yearly returns ${title}`,
          testId: 'yearly',
          formatValue: (v) => formatPercent(v, 1),
        }),
        `Yearly returns, ${periods.yearly[0]!.year} → ${periods.yearly[periods.yearly.length - 1]!.year}, ${periods.yearly.length} years`,
      ),
    );
  }
  return out.join('');
}

function tradesTable(trades: readonly Trade[]): string {
  const head = [
    '#',
    'Side',
    'Entry',
    'Exit',
    'Entry price',
    'Exit price',
    'Size',
    'P&L',
    'Fees',
    'Return',
    'Bars',
    'MAE',
    'MFE',
    'Exit reason',
  ];
  const numeric = new Set([0, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const cell = (value: string, i: number, cls = '') =>
    `<td class="${[numeric.has(i) ? 'n' : '', cls].filter(Boolean).join(' ')}">${escapeHtml(value)}</td>`;
  const rows = trades.map((t, n) => {
    const values = [
      String(n + 1),
      t.side,
      day(t.entry_time),
      day(t.exit_time),
      formatNumber(t.entry_price),
      formatNumber(t.exit_price),
      formatNumber(t.size, 4),
      formatNumber(t.pnl),
      formatNumber(t.fees),
      formatPercent(t.return_pct),
      t.bars_held === undefined ? '—' : String(t.bars_held),
      formatPercent(t.mae),
      formatPercent(t.mfe),
      (t.exit_reason ?? '—').replace(/_/g, ' '),
    ];
    return `<tr class="trade">${values.map((v, i) => cell(v, i, i === 7 ? (t.pnl >= 0 ? 'pos' : 'neg') : '')).join('')}</tr>`;
  });
  return `<div class="wide"><table class="trades" data-testid="trades"><thead><tr>${head
    .map((h, i) => `<th class="${numeric.has(i) ? 'n' : ''}">${escapeHtml(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** The report's HTML document, as one string. Every interpolated string is escaped. */
export function backtestReportHtml(input: BacktestReportInput): string {
  const { operation, result, trades } = input;
  const title = backtestRunTitle(operation, result.equity_curve);
  const generated = input.generatedAt ?? new Date().toISOString();
  const notes: string[] = [];
  if (result.ruin)
    notes.push(
      `<section class="ruin" data-testid="ruin"><strong>Ruined.</strong> ${escapeHtml(result.ruin.message)}</section>`,
    );
  if ((result.skipped_entries ?? 0) > 0)
    notes.push(
      `<section class="warn" data-testid="skipped-entries">${escapeHtml(`${result.skipped_entries} entr${result.skipped_entries === 1 ? 'y was' : 'ies were'} skipped: the cash could not pay for them.`)}</section>`,
    );
  const total = result.trades_total ?? trades.length;
  const tradesNote = total > trades.length ? ` (the last ${trades.length} of ${total})` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main>
<h1 data-testid="report-title">${escapeHtml(title)}</h1>
<div class="sub">Backtest report · ${escapeHtml(operation.operation_id)} · generated ${escapeHtml(generated)}</div>
${notes.join('\n')}
<section>${figures(result)}</section>
<section>${charts(input, title)}</section>
<section><h2>Trades (${escapeHtml(formatNumber(trades.length, 0))}${escapeHtml(tradesNote)})</h2>${tradesTable(trades)}</section>
<section>${whatRan(operation)}</section>
</main></body></html>
`;
}
