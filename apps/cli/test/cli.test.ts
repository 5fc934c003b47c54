import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import {
  type BackendClient,
  BacktestResultSchema,
  OperationListSchema,
  OperationSchema,
  SeriesListSchema,
  StartResponseSchema,
  StrategyListSchema,
  TrainingResultSchema,
  WorkerListSchema,
  type Operation,
} from '@ktrdr/shared';
import { freePort, waitFor, type BackendProcess, type WorkerProcess } from '@ktrdr/testkit';
import { SLOW_STRATEGY, startCliCluster, TOKEN, type CliCluster } from './cli-fixture.js';
import { ktrdr, spawnKtrdr } from './ktrdr-process.js';

const OP_ID = /op_[a-z_]+_\d{8}_\d{6}_[0-9a-f]{8}/;

/** Asserts `value` matches `schema`, listing the first mismatches. */
function assertSchema(schema: TSchema, value: unknown, what: string) {
  if (Value.Check(schema, value)) return;
  const errors = [...Value.Errors(schema, value)].slice(0, 5);
  assert.fail(`${what} does not match the API schema: ${JSON.stringify(errors)}`);
}

describe('ktrdr: the real binary against a real backend and worker processes', () => {
  let cluster: CliCluster;
  let client: BackendClient;
  let env: Record<string, string>;
  let workers: WorkerProcess[];
  let backend: BackendProcess;
  let dir: string;

  before(async () => {
    cluster = await startCliCluster({ backtesters: 2, trainers: 1 });
    ({ client, env, workers, backend, dir } = cluster);
  });
  after(async () => cluster.close());

  it('shows the roster as a table and as JSON in the API schema', async () => {
    const text = await ktrdr(['workers'], env);
    assert.equal(text.code, 0, text.stderr);
    const [header, ...rows] = text.stdout.trim().split('\n');
    assert.match(
      header ?? '',
      /^ID\s+TYPE\s+STATUS\s+GPU\s+ENDPOINT\s+OPERATION\s+BUSY\s+JOBS\/MIN\s+HEARTBEAT$/,
    );
    const cluster = rows.splice(rows.length - 2);
    assert.equal(cluster[0], '', 'a blank line after the roster');
    assert.match(
      cluster[1] ?? '',
      /^Cluster: \d+\.\d operations\/min \(last \d+ s\), \d+\.\d\d\/s/,
    );
    assert.equal(rows.length, 3);
    for (const w of workers) {
      const row = rows.find((r) => r.startsWith(w.workerId));
      assert.ok(row, `${w.workerId} listed`);
      assert.match(row, new RegExp(w.url.replace(/[.]/g, '\\.')));
      assert.match(row, /available/);
      // nothing ran yet
      assert.match(row, /\s0\.0 %\s+0\.0\s/);
    }
    assert.match(text.stdout, /training\s+available\s+no \(cpu\)/);

    const json = await ktrdr(['--json', 'workers'], env);
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout) as unknown;
    assertSchema(WorkerListSchema, parsed, 'ktrdr --json workers');
    assert.equal((parsed as { total_count: number }).total_count, 3);
  });

  it('runs a backtest with --follow to completion: a line per step without a TTY, then the metrics', async () => {
    const run = await ktrdr(
      ['backtest', 'sma_crossover', '--start', '2005-01-01', '--end', '2015-12-31', '--follow'],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const id = OP_ID.exec(run.stdout)?.[0] as string;
    assert.match(run.stdout, new RegExp(`^✔ ${id} completed in \\d+ s on backtesting-`, 'm'));
    assert.match(run.stdout, /sma_crossover · SP500 1d · 2005-01-01 → 2015-12-31/);
    const result = await client.getBacktestResult(id);
    const totalReturn = `${result.metrics.total_return >= 0 ? '+' : ''}${(result.metrics.total_return * 100).toFixed(2)} %`;
    assert.match(run.stdout, new RegExp(`total return\\s+${totalReturn.replace('+', '\\+')}`));
    assert.match(run.stdout, new RegExp(`trades\\s+${result.metrics.total_trades}\\b`));
    assert.match(run.stdout, /sharpe ratio\s+-?\d+\.\d\d/);
    // no TTY: plain lines, no carriage returns or escape sequences, percentages that rise
    assert.ok(!run.stderr.includes('\r') && !run.stderr.includes('\u001b'), run.stderr);
    assert.match(run.stderr, /^running on backtesting-/m);
    const percents = [...run.stderr.matchAll(/^\[\s*(\d+\.\d)%\]/gm)].map((m) => Number(m[1]));
    assert.ok(percents.length >= 3, `a line per tenth of the way, got ${run.stderr}`);
    assert.equal(percents.at(-1), 100, 'the last step is shown');
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
    );
    const op = await client.getOperation(id);
    assert.equal(op.status, 'completed');
    // the roster now shows that worker busy for a while, with a job completed
    const roster = await ktrdr(['workers'], env);
    const row = roster.stdout.split('\n').find((r) => r.startsWith(op.worker_id!));
    const [, busy, perMinute] = /\s(\d+(?:\.\d)?) %\s+(\d+\.\d)\s/.exec(row ?? '') ?? [];
    assert.ok(Number(busy) > 0, `busy share of ${op.worker_id}: ${row}`);
    assert.ok(Number(perMinute) > 0, `jobs/min of ${op.worker_id}: ${row}`);
  });

  it('sweep --follow: a line per finished backtest with the best so far, then the ranked sets', async () => {
    const run = await ktrdr(
      [
        'sweep',
        'sma_crossover',
        '--start',
        '2016-01-01',
        '--param',
        'indicators.fast.period=10,20',
        '--param',
        'indicators.slow.period=50:60:10',
        '--follow',
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const id = /op_sweep_\d{8}_\d{6}_[0-9a-f]{8}/.exec(run.stdout)?.[0] as string;
    assert.ok(id, run.stdout);
    const result = await client.getSweepResult(id);
    assert.equal(result.total, 4);
    assert.match(
      run.stdout,
      /4 parameter sets \(4 completed\); ranked by sharpe_ratio, largest first/,
    );
    const rows = run.stdout
      .split('\n')
      .filter((line) => /^\s+[1-4]\s+\d+\s+\d+\s+-?\d+\.\d{4}/.test(line));
    assert.equal(rows.length, 4, run.stdout);
    const best = result.leaderboard[0]!;
    assert.match(
      rows[0]!,
      new RegExp(
        `^\\s+1\\s+${best.parameters['indicators.fast.period']}\\s+${best.parameters['indicators.slow.period']}\\s+${best.metrics!.sharpe_ratio!.toFixed(4)}`,
      ),
    );
    assert.match(run.stderr, /best sharpe_ratio -?\d+\.\d{3} at fast\.period=\d+ slow\.period=\d+/);
    const bad = await ktrdr(['sweep', 'sma_crossover', '--param', 'indicators.fast.period'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--param must look like path=v1,v2,… or path=from:to:step/);
  });

  it('--json --follow prints one document: the operation and its result, in the API schema', async () => {
    const run = await ktrdr(['--json', 'backtest', 'rsi_mean_reversion', '--follow'], env);
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { operation: Operation; result: unknown };
    assertSchema(OperationSchema, doc.operation, 'operation');
    assertSchema(BacktestResultSchema, doc.result, 'result');
    assert.equal(doc.operation.status, 'completed');
    assert.deepEqual(doc.result, await client.getBacktestResult(doc.operation.operation_id));

    const started = await ktrdr(['--json', 'backtest', 'macd_trend'], env);
    assert.equal(started.code, 0);
    const answer = JSON.parse(started.stdout) as { operation_id: string };
    assertSchema(StartResponseSchema, answer, 'start answer');
    const ops = await ktrdr(['--json', 'ops', '--limit', '2'], env);
    assertSchema(OperationListSchema, JSON.parse(ops.stdout), 'ops');
    const status = await ktrdr(['--json', 'status', answer.operation_id], env);
    const op = JSON.parse(status.stdout) as Operation;
    assertSchema(OperationSchema, op, 'status <id>');
    assert.equal(op.operation_id, answer.operation_id);
    const follow = await ktrdr(['follow', answer.operation_id], env);
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(follow.stdout, new RegExp(`✔ ${answer.operation_id} completed`));
    // however soon it ended, following shows where it got to
    assert.match(follow.stderr, /^\[100\.0%\]/m, follow.stderr);
  });

  it('trains with --follow: epochs and loss while it runs, best epoch, the baseline and the model at the end; a backtest of it gives its segments', async () => {
    const run = await ktrdr(
      [
        'train',
        'neuro_fuzzy_example',
        '--epochs',
        '3',
        '--seed',
        '7',
        '--param',
        'training.early_stopping.patience=2',
        '--follow',
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Epoch 2\/3 · batch \d+\/\d+ · loss \d\.\d{4} · acc \d+\.\d %/);
    const id = OP_ID.exec(run.stdout)?.[0] as string;
    const result = await client.getTrainingResult(id);
    assertSchema(TrainingResultSchema, result, 'training result');
    assert.match(run.stdout, new RegExp(`model\\s+${result.model_id}`));
    assert.match(
      run.stdout,
      new RegExp(`epochs\\s+3 trained, best ${result.training_metrics.best_epoch}`),
    );
    assert.match(run.stdout, /best val loss\s+\d\.\d{4}/);
    assert.match(run.stdout, /backend\s+cpu · [\d,]+ samples\/s/);
    // accuracy means something only beside always answering the most frequent class
    const baseline = result.test_metrics!.majority_baseline!;
    assert.match(
      run.stdout,
      new RegExp(
        `majority baseline\\s+${(baseline.accuracy! * 100).toFixed(1)} % \\(always ${baseline.label}\\)`,
      ),
    );
    const hold = result.test_metrics!.per_class.HOLD!;
    assert.match(
      run.stdout,
      new RegExp(
        `HOLD\\s+precision ${(hold.precision * 100).toFixed(1)} % · recall ${(hold.recall * 100).toFixed(1)} % · ${hold.support.toLocaleString('en-US')} rows`,
      ),
    );
    assert.deepEqual((await client.getOperation(id)).metadata.parameters, {
      'training.early_stopping.patience': 2,
    });
    assert.match(
      run.stdout,
      new RegExp(`ktrdr backtest neuro_fuzzy_example --model ${result.model_id} --follow`),
    );
    const shown = await ktrdr(['models', 'show', result.model_id], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^  operation\\s+${id}$`, 'm'));
    assert.match(shown.stdout, /^ {2}seed\s+7$/m);
    const models = await ktrdr(['models', 'list'], env);
    assert.match(
      models.stdout,
      new RegExp(`^${result.model_id}\\s+neuro_fuzzy_example\\s+SP500 1d`, 'm'),
    );

    // a backtest reaching back into the training data: the end is the test split's (said so),
    // and the summary gives each segment apart under the in-sample warning
    const backtest = await ktrdr(
      [
        'backtest',
        'neuro_fuzzy_example',
        '--model',
        result.model_id,
        '--start',
        '2012-01-01',
        '--follow',
      ],
      env,
    );
    assert.equal(backtest.code, 0, backtest.stderr);
    const split = result.data_summary.split!;
    assert.match(
      backtest.stderr,
      new RegExp(
        `end_date: the end of the test split of ${result.model_id} \\(${split.test!.end.slice(0, 10)}\\)`,
      ),
    );
    assert.match(backtest.stdout, /⚠ \d+ % of this range was used in training/);
    assert.match(backtest.stdout, /^segment\s+from\s+to\s+bars\s+return/m);
    assert.match(backtest.stdout, /^train\s+2012-01-03\s+/m);
    assert.match(
      backtest.stdout,
      new RegExp(
        `^test\\s+${split.test!.start.slice(0, 10)}\\s+${split.test!.end.slice(0, 10)}\\s+`,
        'm',
      ),
    );
  });

  it('Ctrl-C with --cancel-on-interrupt cancels on the workers, waits for cancelled, exits 3', async () => {
    const proc = spawnKtrdr(['backtest', SLOW_STRATEGY, '--follow', '--cancel-on-interrupt'], env);
    const [id] = await proc.waitForOutput(OP_ID);
    await proc.waitForOutput(/\[\s*[1-9]\d?\.\d%\] slow_cross on LONG/);
    proc.child.kill('SIGINT');
    const run = await proc.done;
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`Cancelling ${id} on the workers`));
    assert.match(run.stdout, new RegExp(`■ ${id} cancelled`));
    const op = await client.getOperation(id);
    assert.equal(op.status, 'cancelled');
    assert.ok(op.progress.percentage < 100);
  });

  it('Ctrl-C without a TTY and without the flag detaches (130): the operation keeps running', async () => {
    const proc = spawnKtrdr(['backtest', SLOW_STRATEGY, '--follow'], env);
    const [id] = await proc.waitForOutput(OP_ID);
    await proc.waitForOutput(/\[\s*[1-9]\d?\.\d%\] slow_cross on LONG/);
    proc.child.kill('SIGINT');
    const run = await proc.done;
    assert.equal(run.code, 130, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`Detached: ${id} keeps running`));
    assert.match(run.stderr, new RegExp(`ktrdr follow ${id}`));
    assert.match(run.stderr, new RegExp(`ktrdr cancel ${id}`));
    assert.equal((await client.getOperation(id)).status, 'running');

    const cancel = await ktrdr(['cancel', id, '--reason', 'enough'], env);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, new RegExp(`^${id} cancelled`, 'm'));
    const op = await client.getOperation(id);
    assert.equal(op.status, 'cancelled');
    assert.match(op.error_message ?? '', /enough/);
    const again = await ktrdr(['follow', id], env);
    assert.equal(again.code, 3, 'following a cancelled operation exits 3');
  });

  it('retry runs an ended operation again as a new one; resume refuses what has nothing to resume', async () => {
    const { operations } = await client.listOperations({
      status: 'completed',
      operation_type: 'backtesting',
      limit: 1,
    });
    const old = operations[0] as Operation;
    const retry = await ktrdr(['retry', old.operation_id, '--follow'], env);
    assert.equal(retry.code, 0, retry.stderr);
    const id = OP_ID.exec(retry.stdout)?.[0] as string;
    assert.notEqual(id, old.operation_id);
    assert.equal((await client.getOperation(id)).retry_of, old.operation_id);
    const resume = await ktrdr(['resume', old.operation_id], env);
    assert.equal(resume.code, 1, 'a completed operation cannot be resumed (409)');
    assert.match(resume.stderr, /^ktrdr: .*completed/m);
  });

  it('the status dashboard shows workers and active operations; status <id> shows one in detail', async () => {
    const started = await client.startBacktest({ strategy_name: SLOW_STRATEGY });
    await waitFor(
      'running',
      async () => (await client.getOperation(started.operation_id)).status === 'running',
    );
    const dash = await ktrdr(['status'], env);
    assert.equal(dash.code, 0, dash.stderr);
    assert.match(
      dash.stdout,
      /^Workers: 2 backtesting \(\d available, \d busy, 0 unavailable\); 1 training/m,
    );
    assert.match(dash.stdout, /^Active operations: 1$/m);
    assert.match(dash.stdout, new RegExp(`^  ${started.operation_id}  ▕.*▏\\s+\\d+\\.\\d%`, 'm'));
    const detail = await ktrdr(['status', started.operation_id], env);
    assert.match(detail.stdout, /^ {2}status\s+running$/m);
    assert.match(detail.stdout, /^ {2}worker\s+backtesting-/m);
    assert.match(detail.stdout, /^ {2}strategy hash\s+[0-9a-f]{16}$/m);
    const active = await ktrdr(['ops', '--active'], env);
    assert.match(
      active.stdout,
      new RegExp(`^${started.operation_id}\\s+backtesting\\s+running`, 'm'),
    );
    await client.cancelOperation(started.operation_id);
  });

  it('data list and import: a CSV becomes a series; a bad file is refused naming the line', async () => {
    const csv = `${dir}/abc.csv`;
    writeFileSync(
      csv,
      'date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,1000\n2024-01-03,10.5,12,10,11.5,2000\n2024-01-04,11.5,12,11,11.8,1500\n',
    );
    const imported = await ktrdr(
      ['data', 'import', csv, '--symbol', 'ABC', '--timeframe', '1d'],
      env,
    );
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^Imported 3 bars into ABC 1d \(merge\)\.$/m);
    const list = await ktrdr(['data', 'list'], env);
    assert.match(list.stdout, /^ABC\s+1d\s+3\s+2024-01-02 00:00:00\s+2024-01-04 00:00:00\s+0$/m);
    assert.match(list.stdout, /^SP500\s+1d\s+5,105\s/m);
    assertSchema(
      SeriesListSchema,
      JSON.parse((await ktrdr(['--json', 'data', 'list'], env)).stdout),
      'data list',
    );

    writeFileSync(`${dir}/bad.csv`, 'date,open,high,low,close,volume\n2024-01-05,1,2,0.5,x,10\n');
    const bad = await ktrdr(
      ['data', 'import', `${dir}/bad.csv`, '--symbol', 'ABC', '--timeframe', '1d'],
      env,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /line 2/);
    assert.match(
      (await ktrdr(['data', 'list'], env)).stdout,
      /^ABC\s+1d\s+3\s/m,
      'what was stored is kept',
    );
    const missing = await ktrdr(
      ['data', 'import', `${dir}/nope.csv`, '--symbol', 'ABC', '--timeframe', '1d'],
      env,
    );
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /<csv>: cannot read ".*nope\.csv": ENOENT/);
  });

  it('data download without the IB host service fails at once, saying what to start', async () => {
    const args = ['data', 'download', 'AAPL', '--timeframe', '1h', '--start', '2024-01-01'];
    const missing = await ktrdr(args, env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option '--end <date>' not specified/);
    const off = await ktrdr([...args, '--end', '2024-03-31', '--follow'], env);
    assert.equal(off.code, 1, off.stderr);
    assert.match(off.stderr, /USE_IB_HOST_SERVICE is off.*`ktrdr-ib-host`/s);
  });

  it('strategies list, show and validate (valid, invalid with the path, and nothing stored)', async () => {
    const list = await ktrdr(['strategies', 'list'], env);
    assert.match(list.stdout, /^sma_crossover\s+rules\s+1\s+SP500 1d 2000-01-01 → 2020-12-31/m);
    assertSchema(
      StrategyListSchema,
      JSON.parse((await ktrdr(['--json', 'strategies', 'list'], env)).stdout),
      'strategies',
    );
    const show = await ktrdr(['strategies', 'show', 'sma_crossover'], env);
    assert.match(
      show.stdout,
      /^# sma_crossover · version 1 · hash [0-9a-f]{16}\n(#.*\n)*name: sma_crossover/,
    );

    const yaml = show.stdout
      .split('\n')
      .slice(1)
      .join('\n')
      .replace(/name: sma_crossover/, 'name: my_cross');
    writeFileSync(`${dir}/my_cross.yaml`, yaml);
    const valid = await ktrdr(['strategies', 'validate', `${dir}/my_cross.yaml`], env);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /valid rules strategy "my_cross" .*not stored yet/);
    writeFileSync(`${dir}/broken.yaml`, yaml.replace(/period: \d+/, 'period: 0'));
    const invalid = await ktrdr(['strategies', 'validate', `${dir}/broken.yaml`], env);
    assert.equal(invalid.code, 1);
    assert.match(
      invalid.stdout,
      /✖ .*broken\.yaml: invalid\n {2}indicators\.\w+\.period: must be >= 1/,
    );
    const json = JSON.parse(
      (await ktrdr(['--json', 'strategies', 'validate', `${dir}/broken.yaml`], env)).stdout,
    ) as { valid: boolean; issues: { path: string }[] };
    assert.equal(json.valid, false);
    assert.match(json.issues[0]?.path ?? '', /^indicators\.\w+\.period$/);
    assert.doesNotMatch((await ktrdr(['strategies', 'list'], env)).stdout, /my_cross/);
  });

  it('bad usage exits 2 naming the flag or value; help on every command carries an example', async () => {
    const unknown = await ktrdr(['backtest', 'no_such_strategy'], env);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /strategy_name: unknown strategy "no_such_strategy"; known: .*sma_crossover.* \(set by the <strategy> argument\)/,
    );
    const capital = await ktrdr(['backtest', 'sma_crossover', '--capital', 'lots'], env);
    assert.equal(capital.code, 2);
    assert.match(capital.stderr, /--capital must be a number, got "lots"/);
    const date = await ktrdr(['backtest', 'sma_crossover', '--start', 'yesterday'], env);
    assert.equal(date.code, 2);
    assert.match(date.stderr, /start_date: .*\(set by --start\)/);
    const tf = await ktrdr(['backtest', 'sma_crossover', '--timeframe', '2d'], env);
    assert.equal(tf.code, 2);
    assert.match(tf.stderr, /--timeframe must be one of 1m, 5m, 15m, 30m, 1h, 4h, 1d; got "2d"/);
    const flag = await ktrdr(['workers', '--colour'], env);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--colour'/);
    const noId = await ktrdr(['status', 'op_backtesting_20000101_000000_00000000'], env);
    assert.equal(noId.code, 2);
    assert.match(noId.stderr, /does not exist/);
    const jsonError = await ktrdr(['--json', 'follow', 'op_nope'], env);
    assert.equal(jsonError.code, 2);
    assert.equal(
      (JSON.parse(jsonError.stdout) as { error: { exit_code: number } }).error.exit_code,
      2,
    );

    const commands = [
      ['workers'],
      ['ops'],
      ['status'],
      ['backtest'],
      ['train'],
      ['data', 'list'],
      ['data', 'import'],
      ['data', 'download'],
      ['follow'],
      ['cancel'],
      ['resume'],
      ['retry'],
      ['report'],
      ['strategies', 'list'],
      ['strategies', 'show'],
      ['strategies', 'validate'],
      ['models', 'list'],
      ['models', 'show'],
    ];
    const helps = await Promise.all(commands.map((c) => ktrdr([...c, '--help'], {})));
    helps.forEach((help, i) => {
      const name = (commands[i] as string[]).join(' ');
      assert.equal(help.code, 0, name);
      assert.match(help.stdout, new RegExp(`^Usage: ktrdr ${name}`, 'm'), name);
      assert.match(
        help.stdout,
        new RegExp(`^Examples?:\\n  \\$ ktrdr .*${(commands[i] as string[])[0]}`, 'm'),
        `${name} has an example`,
      );
    });
    const top = await ktrdr(['--help'], {});
    assert.match(top.stdout, /^Exit codes:\n(.*\n)* {2}130 {2}detached by Ctrl-C/m);
  });

  it('a wrong token exits 5 and says where the token was read from', async () => {
    const flag = await ktrdr(['--token', 'wrong-token-0000000000000000', 'workers'], env);
    assert.equal(flag.code, 5);
    assert.match(flag.stderr, /refused the token \(401 unauthorized\)/);
    assert.match(flag.stderr, /The token was read from the --token flag\./);
    const fromEnv = await ktrdr(['ops'], {
      ...env,
      KTRDR_CLUSTER_TOKEN: 'wrong-token-0000000000000000',
    });
    assert.equal(fromEnv.code, 5);
    assert.match(fromEnv.stderr, /read from KTRDR_CLUSTER_TOKEN/);
    // the token file of a data dir (as the desktop app and the backend write it) is found
    const home = `${dir}/desktop-home`;
    mkdirSync(home, { recursive: true });
    writeFileSync(`${home}/cluster-token`, `${TOKEN}\n`, { mode: 0o600 });
    const fileOk = await ktrdr(['workers'], {
      KTRDR_BACKEND_URL: backend.url,
      KTRDR_DATA_DIR: home,
    });
    assert.equal(fileOk.code, 0, fileOk.stderr);
    const none = await ktrdr(['workers'], {
      KTRDR_BACKEND_URL: backend.url,
      KTRDR_DATA_DIR: `${dir}/empty`,
    });
    assert.equal(none.code, 5);
    assert.match(
      none.stderr,
      /read from nowhere: no --token, no KTRDR_CLUSTER_TOKEN, and no file .*empty\/cluster-token/,
    );
    const json = await ktrdr(['--json', 'workers'], {
      ...env,
      KTRDR_CLUSTER_TOKEN: 'wrong-token-0000000000000000',
    });
    assert.equal(
      (JSON.parse(json.stdout) as { error: { code: string } }).error.code,
      'UNAUTHORIZED',
    );
  });

  it('token rotate replaces the join token (written to the data dir) and refuses an unknown kind', async () => {
    const rotated = await ktrdr(['token', 'rotate', 'join'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const token = /^new join token: (\S+)$/m.exec(rotated.stdout)?.[1];
    assert.ok(token, rotated.stdout);
    assert.equal(readFileSync(`${dir}/data/join-token`, 'utf8').trim(), token);
    assert.match(rotated.stdout, /running workers keep working with their own credentials/);
    const bad = await ktrdr(['token', 'rotate', 'everything'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /must be one of admin, join, workers/);
  });

  it('a backend that is not running exits 4 with the URL it tried and how to start one', async () => {
    const port = await freePort();
    const down = await ktrdr(['workers'], {
      ...env,
      KTRDR_BACKEND_URL: `http://127.0.0.1:${port}`,
    });
    assert.equal(down.code, 4);
    assert.match(
      down.stderr,
      new RegExp(
        `cannot reach the backend at http://127\\.0\\.0\\.1:${port} \\(connection refused\\)`,
      ),
    );
    assert.match(down.stderr, /npm start/);
    assert.match(down.stderr, /KTRDR_BACKEND_URL/);
    const follow = await ktrdr(['--url', `http://127.0.0.1:${port}`, 'follow', 'op_x'], env);
    assert.equal(follow.code, 4);
    const badUrl = await ktrdr(['--url', 'localhost:8000', 'workers'], env);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /--url: "localhost:8000" must start with http:\/\//);
  });
});
