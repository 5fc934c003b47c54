import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backtestReportHtml,
  bestIndices,
  buyAndHoldOnCurve,
  FIGURE_ROWS,
  type BacktestResult,
  type Operation,
  type Trade,
} from '../src/index.js';

const day = (d: string) => `${d}T00:00:00.000Z`;

function operation(strategy = 'sma_crossover'): Operation {
  return {
    operation_id: 'op_backtesting_20261202_010000_0123abcd',
    operation_type: 'backtesting',
    status: 'completed',
    attempt: 1,
    worker_id: 'bt-1',
    parent_operation_id: null,
    retry_of: null,
    created_at: day('2026-12-02'),
    started_at: day('2026-12-02'),
    completed_at: day('2026-12-02'),
    progress: {
      percentage: 100,
      current_step: 'done',
      steps_completed: 1,
      steps_total: 1,
      items_processed: 3,
      items_total: 3,
      eta_seconds: null,
      context: {},
    },
    metadata: {
      strategy_name: strategy,
      symbol: 'SP500',
      timeframe: '1d',
      start_date: day('2000-01-01'),
      end_date: day('2020-12-31'),
      initial_capital: 100_000,
      commission: 0.001,
      slippage: 0.0005,
      parameters: { 'indicators.fast.period': 10 },
    },
    error_message: null,
    result_summary: null,
    queue_position: null,
    routing_reason: null,
    attempts: [],
    provenance: { strategy_hash: 'abc123', data_etag: 'etag-1', code_version: '0.1.0' },
  };
}

const trade = (entry: string, exit: string, pnl: number): Trade => ({
  entry_time: day(entry),
  exit_time: day(exit),
  side: 'long',
  entry_price: 1000,
  exit_price: 1000 + pnl / 10,
  size: 10,
  pnl,
  fees: 20.5,
  exit_reason: 'signal',
  return_pct: pnl / 10_000,
  bars_held: 5,
  mae: 0.01,
  mfe: 0.02,
});

const TRADES = [
  trade('2000-01-04', '2000-01-10', 1500),
  trade('2000-02-01', '2000-02-08', -700),
  trade('2000-03-01', '2000-03-09', 9935.22),
];

const RESULT: BacktestResult = {
  metrics: {
    total_return: 0.1073522,
    annualized_return: 0.0051,
    volatility: 0.1532,
    sharpe_ratio: 0.4567,
    sortino_ratio: 0.6,
    calmar_ratio: null,
    max_drawdown: 0.327,
    max_drawdown_duration_bars: 812,
    win_rate: 0.6667,
    profit_factor: 16.3,
    expectancy: 3578.4,
    exposure: 0.41,
    total_trades: 3,
    avg_win: 5717.61,
    avg_loss: -700,
    avg_holding_bars: 5,
  },
  equity_curve: [
    { time: day('2000-01-03'), equity: 100_000, drawdown: 0 },
    { time: day('2000-01-04'), equity: 99_000, drawdown: 0.01 },
    { time: day('2020-04-17'), equity: 110_735.22, drawdown: 0 },
  ],
  trades: TRADES,
  trades_total: 3,
  benchmark: { buy_and_hold_return: 0.21, excess_return: -0.1026478, alpha: 0.0123, beta: 0.45 },
  periods: {
    monthly: [
      { year: 2000, month: 1, return: -0.01 },
      { year: 2020, month: 4, return: 0.05 },
    ],
    yearly: [
      { year: 2000, return: -0.01 },
      { year: 2020, return: 0.1234 },
    ],
  },
};

const CLOSES = {
  time: [
    Date.parse(day('2000-01-03')),
    Date.parse(day('2000-01-04')),
    Date.parse(day('2020-04-17')),
  ],
  close: [100, 110, 121],
};

const html = backtestReportHtml({
  operation: operation(),
  result: RESULT,
  trades: TRADES,
  closes: CLOSES,
});

/** The text of the element carrying `data-metric="key"`. */
const metric = (doc: string, key: string) =>
  new RegExp(`data-metric="${key}">([^<]*)<`).exec(doc)?.[1];

describe('the HTML report of a backtest', () => {
  it('is titled with what ran: strategy · series · the dates of the bars it ran on', () => {
    assert.match(html, /<title>sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17<\/title>/);
    assert.match(
      html,
      /<h1 data-testid="report-title">sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17<\/h1>/,
    );
  });

  it('writes each metric and the benchmark as the result page does', () => {
    const expected: Record<string, string> = {
      total_return: '10.74 %',
      annualized_return: '0.51 %',
      sharpe_ratio: '0.46',
      calmar_ratio: '—',
      max_drawdown: '32.70 %',
      max_drawdown_duration_bars: '812',
      total_trades: '3',
      win_rate: '66.7 %',
      profit_factor: '16.30',
      expectancy: '3,578.40',
      avg_loss: '-700.00',
      exposure: '41.0 %',
      buy_and_hold_return: '21.00 %',
      excess_return: '-10.26 %',
      alpha: '1.23 %',
      beta: '0.45',
    };
    for (const [key, value] of Object.entries(expected))
      assert.equal(metric(html, key), value, key);
    // every figure of the list is there, once
    for (const row of FIGURE_ROWS)
      assert.equal(html.split(`data-metric="${row.key}"`).length, 2, row.key);
  });

  it('lists every trade, one row each, with its figures', () => {
    assert.equal(html.match(/<tr class="trade">/g)?.length, 3);
    assert.match(html, /Trades \(3\)/);
    assert.match(html, /<td class="n pos">9,935\.22<\/td>/);
    assert.match(html, /<td class="n neg">-700\.00<\/td>/);
  });

  it('draws equity with buy and hold, drawdown, monthly and yearly returns as inline SVG', () => {
    for (const chart of ['equity', 'drawdown', 'monthly', 'yearly'])
      assert.match(html, new RegExp(`<svg role="img" data-chart="${chart}"`), chart);
    assert.match(
      html,
      /aria-label="Equity and buy and hold, 2000-01-03 → 2020-04-17, final equity 110,735\.22"/,
    );
    assert.match(html, /Monthly returns \(%\), 2000-01 → 2020-04, 2 months/);
    assert.match(html, /Yearly returns, 2000 → 2020, 2 years/);
    assert.match(html, /<title>2020: 12\.3 %<\/title>/);
  });

  it('the buy-and-hold line moves the first equity as the close moved (100 → 121 is +21 %)', () => {
    const line = buyAndHoldOnCurve(RESULT.equity_curve, CLOSES);
    assert.deepEqual(line.value, [100_000, 110_000, 121_000]);
    assert.equal(line.value[2]! / line.value[0]! - 1, 1.21 - 1); // the benchmark's 21 %
  });

  it('asks for nothing from the network: no URL, no script, no external stylesheet', () => {
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /url\(/);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|src=/i);
    assert.match(html, /<style>/);
  });

  it('escapes every interpolated string: a strategy named <script> stays text', () => {
    const evil = '<script>alert("x")</script>';
    const op = operation(evil);
    op.metadata.parameters = { 'a"><b>': '<i>' };
    const doc = backtestReportHtml({ operation: op, result: RESULT, trades: TRADES });
    assert.doesNotMatch(doc, /<script/);
    assert.doesNotMatch(doc, /<b>|<i>/);
    assert.match(doc, /<title>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; · SP500 1d/);
    assert.match(doc, /a&quot;&gt;&lt;b&gt; = &lt;i&gt;/);
  });

  it('marks the best of each row for the comparison: ties all, an all-equal row none', () => {
    assert.deepEqual(bestIndices([0.1, 0.2, 0.2], 'higher'), [1, 2]);
    assert.deepEqual(bestIndices([0.3, 0.1, null], 'lower'), [1]);
    assert.deepEqual(bestIndices([0.21, 0.21], 'higher'), []);
    assert.deepEqual(bestIndices([5, 9], null), []);
    assert.deepEqual(bestIndices([null, 0.4], 'higher'), []);
  });
});
