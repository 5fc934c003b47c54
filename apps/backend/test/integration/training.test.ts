import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, type MetricRow, type Operation } from '@ktrdr/shared';
import { recordEvents, type EventRecorder } from '@ktrdr/testkit';
import { startCluster, TEST_TOKEN, type Cluster } from './cluster-fixture.js';

const TRAINING_WORKER = { KTRDR_WORKER_TYPE: 'training', KTRDR_TRAINING_BACKEND: 'cpu' };

async function rejectsWith(promise: Promise<unknown>, status: number, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, status, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('training on workers: the neuro_fuzzy round trip through the backend', () => {
  let cluster: Cluster;
  let events: EventRecorder;
  before(async () => {
    // one backtest worker, two CPU training workers (resume moves to the other one)
    cluster = await startCluster({ workerCount: 1 });
    await cluster.addWorker(TRAINING_WORKER);
    await cluster.addWorker(TRAINING_WORKER);
    events = await recordEvents(cluster.client);
  });
  after(async () => {
    events.close();
    await cluster.close();
  });

  // training on 2 shared cores: generous deadlines
  const until = (id: string, predicate: (op: Operation) => boolean, what: string) =>
    cluster.until(id, predicate, what, 90_000);
  const ended = (id: string) =>
    until(id, (op) => ['completed', 'failed', 'cancelled'].includes(op.status), `${id} ended`);

  let modelId = '';
  /** The uninterrupted 10-epoch run the resumed runs are compared with. */
  let referenceRun: { id: string; metrics: MetricRow[] } | undefined;

  /** Per epoch, the resumed run's losses equal the reference's (float tolerance, same backend). */
  async function assertSameAsReference(id: string): Promise<void> {
    const c = cluster.client;
    assert.ok(referenceRun, 'the reference run exists');
    // the last row per epoch wins (an interrupted attempt may have reported epochs past its checkpoint)
    const byEpoch = new Map<number, MetricRow>();
    for (const m of (await c.getOperationMetrics(id)).metrics) byEpoch.set(m.epoch!, m);
    assert.equal(byEpoch.size, 10);
    for (const want of referenceRun.metrics) {
      const got = byEpoch.get(want.epoch!)!;
      assert.ok(
        Math.abs(got.loss! - want.loss!) < 1e-5,
        `epoch ${want.epoch} loss ${got.loss} vs ${want.loss}`,
      );
      assert.ok(
        Math.abs(got.val_loss! - want.val_loss!) < 1e-5,
        `epoch ${want.epoch} val_loss ${got.val_loss} vs ${want.val_loss}`,
      );
    }
    const a = await c.getTrainingResult(referenceRun.id);
    const b = await c.getTrainingResult(id);
    assert.ok(
      Math.abs(a.test_metrics!.accuracy! - b.test_metrics!.accuracy!) < 1e-6,
      'same test accuracy',
    );
    assert.notEqual(a.model_id, b.model_id);
  }

  it('registers training workers with the backend that loaded', async () => {
    const { workers } = await cluster.client.listWorkers();
    const training = workers.filter((w) => w.worker_type === 'training');
    assert.equal(training.length, 2);
    for (const w of training) {
      assert.equal(w.capabilities.training_backend, 'cpu');
      assert.equal(w.capabilities.gpu, false, 'no GPU backend loaded, so no GPU claimed');
    }
  });

  it('trains the bundled example on S&P 500 bars, with progress per batch and metrics per epoch', async () => {
    const start = await cluster.client.startTraining({
      strategy_name: 'neuro_fuzzy_example',
      epochs: 3,
    });
    const op = await ended(start.operation_id);
    assert.equal(op.status, 'completed', op.error_message ?? '');
    assert.match(op.routing_reason ?? '', /no GPU worker registered; .*\(cpu\)/);
    assert.equal(op.provenance.training_backend, 'cpu');
    modelId = String(op.metadata.model_id);
    assert.match(modelId, /^neuro_fuzzy_example_\d{8}_\d{6}_[0-9a-f]{8}$/);
    assert.equal(op.provenance.model_id, modelId);
    assert.equal(op.result_summary?.model_id, modelId);

    const steps = events.events
      .filter((e) => e.event === 'progress' && e.data.operation_id === start.operation_id)
      .map((e) => (e.event === 'progress' ? e.data.progress.current_step : ''));
    assert.ok(
      steps.some((s) => /^Epoch [123]\/3 · batch \d+\/\d+$/.test(s)),
      `progress names epoch and batch: ${steps.slice(0, 5).join(' | ')}`,
    );

    const page = await cluster.client.getOperationMetrics(start.operation_id);
    assert.deepEqual(
      page.metrics.map((m) => m.epoch),
      [1, 2, 3],
    );
    for (const m of page.metrics) {
      assert.ok(Number.isFinite(m.loss) && (m.accuracy ?? -1) >= 0 && (m.accuracy ?? 2) <= 1);
      assert.ok(Number.isFinite(m.val_loss) && Number.isFinite(m.val_accuracy));
      assert.equal(m.learning_rate, 0.001);
      assert.ok((m.duration_ms ?? -1) >= 0);
    }
    const later = await cluster.client.getOperationMetrics(start.operation_id, page.next);
    assert.deepEqual(later.metrics, [], 'nothing after the cursor');
    const streamed = events.events.filter(
      (e) => e.event === 'metrics' && e.data.operation_id === start.operation_id,
    );
    assert.equal(
      streamed.flatMap((e) => (e.event === 'metrics' ? e.data.metrics : [])).length,
      3,
      'each epoch row also went out on the event stream',
    );

    const result = await cluster.client.getTrainingResult(start.operation_id);
    assert.equal(result.model_id, modelId);
    assert.equal(result.training_metrics.epochs_trained, 3);
    assert.ok(result.test_metrics && result.test_metrics.rows > 500);
    assert.ok(result.test_metrics.accuracy! >= 0 && result.test_metrics.accuracy! <= 1);
    assert.equal(result.model_info.inputs, 40, '8 fuzzy sets × lookback 5');
    assert.equal(result.model_info.training_backend, 'cpu');
    assert.equal(result.data_summary.symbol, 'SP500');
    const rows = result.data_summary.rows;
    assert.ok(rows.train > rows.validation && rows.validation > 0 && rows.test > 0);
  });

  it('stores the model with its lineage, and a backtest runs it', async () => {
    const { models } = await cluster.client.listModels();
    const listed = models.find((m) => m.model_id === modelId);
    assert.ok(listed, 'listed in the model store');
    assert.equal(listed.strategy_name, 'neuro_fuzzy_example');
    assert.equal(listed.symbol, 'SP500');
    assert.equal(listed.seed, 42);
    assert.equal(listed.training_backend, 'cpu');
    assert.ok(listed.size_bytes > 1000);
    const detail = await cluster.client.getModel(modelId);
    assert.equal(detail.history.length, 3);
    assert.equal((detail.feature_spec.columns as string[])[0], 'rsi.oversold[t]');

    const backtest = await cluster.client.startBacktest({
      strategy_name: 'neuro_fuzzy_example',
      model_id: modelId,
      start_date: '2015-01-01',
    });
    const op = await ended(backtest.operation_id);
    assert.equal(op.status, 'completed', op.error_message ?? '');
    assert.equal(op.provenance.model_id, modelId);
    assert.equal(op.result_summary?.model_id, modelId);
    const result = await cluster.client.getBacktestResult(backtest.operation_id);
    assert.ok(result.equity_curve.length > 1000, 'one point per bar since 2015');
    assert.ok(Number.isFinite(result.metrics.total_return));
  });

  it('a model backtest with no dates runs on the model’s test split, and says so', async () => {
    const c = cluster.client;
    const listed = (await c.listModels()).models.find((m) => m.model_id === modelId)!;
    const test = listed.split?.test;
    assert.ok(listed.split && test, 'the model keeps its split’s dates');
    assert.ok(listed.split.train.end < listed.split.validation!.start);
    assert.ok(listed.split.validation!.end < test.start);
    const start = await c.startBacktest({
      strategy_name: 'neuro_fuzzy_example',
      model_id: modelId,
    });
    assert.equal(
      start.note,
      `test split of ${modelId}: ${test.start.slice(0, 10)} → ${test.end.slice(0, 10)}, not seen in training`,
    );
    const op = await ended(start.operation_id);
    assert.equal(op.status, 'completed', op.error_message ?? '');
    assert.equal(op.metadata.start_date, test.start);
    assert.equal(op.metadata.end_date, test.end);
    const result = await c.getBacktestResult(start.operation_id);
    assert.equal(result.equity_curve[0]!.time, test.start, 'the first bar is the test split’s');
    assert.equal(result.equity_curve.at(-1)!.time, test.end);
    assert.equal(result.segments, undefined, 'nothing of it was seen in training');
    assert.equal(result.in_sample, undefined);
  });

  it('a whole-range model backtest gives metrics per segment and says how much was in-sample', async () => {
    const c = cluster.client;
    const start = await c.startBacktest({
      strategy_name: 'neuro_fuzzy_example',
      model_id: modelId,
      start_date: '2000-01-01',
      end_date: '2020-12-31',
    });
    assert.equal(start.note, undefined, 'both dates given: nothing chosen');
    const op = await ended(start.operation_id);
    assert.equal(op.status, 'completed', op.error_message ?? '');
    const result = await c.getBacktestResult(start.operation_id);
    const segments = result.segments ?? [];
    assert.deepEqual(
      segments.map((s) => s.segment),
      ['before_training', 'train', 'validation', 'test', 'after_training'],
    );
    const total = segments.reduce((sum, s) => sum + s.bars, 0);
    assert.equal(total, result.equity_points_total, 'the segments’ bars add up to the run’s');
    const trained = segments
      .filter((s) => s.segment === 'train' || s.segment === 'validation')
      .reduce((sum, s) => sum + s.bars, 0);
    const percent = Math.round((trained / total) * 100);
    assert.ok(percent > 70 && percent < 95, `${percent} %`);
    assert.match(
      result.in_sample!.message,
      new RegExp(`^${percent} % of this range was used in training`),
    );
    assert.equal(
      segments.reduce((sum, s) => sum + s.metrics.total_trades, 0),
      result.metrics.total_trades,
      'each trade in the segment of its entry',
    );
    const compounded = segments.reduce((p, s) => p * (1 + s.metrics.total_return), 1) - 1;
    assert.ok(Math.abs(compounded - result.metrics.total_return) < 1e-6, 'returns compound');
    // the same result still carries the price chart's indicator series
    assert.deepEqual(
      result.indicators?.map((i) => i.id),
      ['rsi', 'macd', 'bb'],
    );
  });

  it('training takes parameter overrides like a backtest: they take effect, a bad path is a 400', async () => {
    const c = cluster.client;
    const run = await c.startTraining({
      strategy_name: 'neuro_fuzzy_example',
      start_date: '2012-01-01',
      end_date: '2016-12-31',
      parameters: { 'training.epochs': 2, 'training.early_stopping.patience': 1 },
    });
    const op = await ended(run.operation_id);
    assert.equal(op.status, 'completed', op.error_message ?? '');
    assert.equal(op.metadata.epochs, 2);
    assert.deepEqual(op.metadata.parameters, {
      'training.epochs': 2,
      'training.early_stopping.patience': 1,
    });
    const result = await c.getTrainingResult(run.operation_id);
    assert.ok(result.training_metrics.epochs_trained <= 2, 'the overridden epochs ran');
    // the baseline is the test rows' most frequent class, as the per-class supports say
    const baseline = result.test_metrics!.majority_baseline!;
    const supports = Object.entries(result.test_metrics!.per_class).map(
      ([label, f]) => [label, f.support] as const,
    );
    const most = supports.reduce((a, b) => (b[1] > a[1] ? b : a));
    assert.equal(baseline.label, most[0]);
    assert.ok(Math.abs(baseline.accuracy! - most[1] / result.test_metrics!.rows) < 1e-6);
    assert.equal(op.result_summary?.baseline_label, baseline.label);

    const before = (await c.listOperations()).operations.length;
    await rejectsWith(
      c.startTraining({
        strategy_name: 'neuro_fuzzy_example',
        parameters: { 'training.epoch': 2 },
      }),
      400,
      /parameters\.training\.epoch: the strategy has no value at "training\.epoch"/,
    );
    await rejectsWith(
      c.startTraining({
        strategy_name: 'neuro_fuzzy_example',
        parameters: { 'training.epochs': -3 },
      }),
      400,
      /parameters → training\.epochs/,
    );
    assert.equal((await c.listOperations()).operations.length, before, 'no operation created');
  });

  it('refuses bad requests with the reason, before any worker is used', async () => {
    const c = cluster.client;
    const before = (await c.listOperations()).operations.length;
    await rejectsWith(
      c.startTraining({ strategy_name: 'sma_crossover' }),
      400,
      /strategy_name.*rules strategy: only neuro_fuzzy strategies are trained/,
    );
    await rejectsWith(
      c.startTraining({
        strategy_name: 'neuro_fuzzy_example',
        start_date: '2019-01-01',
        end_date: '2019-06-30',
      }),
      400,
      /start_date.*labelled rows.*widen the range/,
    );
    await rejectsWith(
      c.startBacktest({ strategy_name: 'neuro_fuzzy_example' }),
      400,
      /model_id.*is required: "neuro_fuzzy_example" is a neuro_fuzzy strategy/,
    );
    await rejectsWith(
      c.startBacktest({ strategy_name: 'neuro_fuzzy_example', model_id: 'no_such_model' }),
      400,
      /model_id.*unknown model "no_such_model"/,
    );
    await rejectsWith(
      c.startBacktest({
        strategy_name: 'neuro_fuzzy_example',
        model_id: modelId,
        parameters: { 'model.lookback': 3 },
      }),
      400,
      /model_id.*trained on other inputs/,
    );
    await rejectsWith(c.getModel('no_such_model'), 404, /no_such_model/);
    const doc = await c.downloadModel(modelId);
    await rejectsWith(
      c.putModel(modelId, { worker_id: 'intruder', operation_id: 'op_x', attempt: 1 }, doc),
      404,
      /op_x/,
    );
    assert.equal((await c.listOperations()).operations.length, before, 'no operation created');
    const response = await fetch(`${cluster.backend.url}/api/v1/models/${modelId}/download`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    assert.equal(response.status, 200, 'the stored model is untouched');
  });

  it('cancels within a batch, and a resumed run on the other worker ends as an uninterrupted one', async () => {
    const c = cluster.client;
    const yaml = (await c.getStrategy('neuro_fuzzy_example')).yaml
      .replace('name: neuro_fuzzy_example', 'name: nf_no_early_stop')
      .replace(/\n {2}early_stopping:[^\n]*/, '');
    await c.putStrategy('nf_no_early_stop', yaml);
    const request = { strategy_name: 'nf_no_early_stop', epochs: 10, seed: 3 };

    const reference = await c.startTraining(request);
    const done = await ended(reference.operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    const expected = (await c.getOperationMetrics(reference.operation_id)).metrics;
    referenceRun = { id: reference.operation_id, metrics: expected };

    const run = await c.startTraining(request);
    const saved = await until(
      run.operation_id,
      (op) => Number(/@epoch(\d+)$/.exec(op.checkpoint_ref ?? '')?.[1]) >= 3,
      'a checkpoint after epoch 3',
    );
    const firstWorker = saved.worker_id;
    const asked = Date.now();
    const stopped = await c.cancelOperation(run.operation_id);
    const cancelMs = Date.now() - asked;
    assert.equal(stopped.status, 'cancelled');
    assert.ok(
      cancelMs < 3000,
      `cancel confirmed in ${cancelMs} ms (within a batch, not the 5 s forced stop)`,
    );
    const epochAtCancel = Number(/@epoch(\d+)$/.exec(stopped.checkpoint_ref ?? '')?.[1]);
    assert.ok(epochAtCancel >= 3 && epochAtCancel < 10, `checkpoint at epoch ${epochAtCancel}`);

    await c.resumeOperation(run.operation_id);
    const resumed = await ended(run.operation_id);
    assert.equal(resumed.status, 'completed', resumed.error_message ?? '');
    assert.equal(resumed.attempt, 2);
    assert.notEqual(resumed.worker_id, firstWorker, 'continued on the other training worker');
    assert.equal(resumed.result_summary?.resumed_from_epoch, epochAtCancel);

    await assertSameAsReference(run.operation_id);
  });

  it('a training worker killed mid-run: the run fails over to the other worker by itself and ends as the uninterrupted one', async () => {
    const c = cluster.client;
    const run = await c.startTraining({ strategy_name: 'nf_no_early_stop', epochs: 10, seed: 3 });
    const saved = await until(
      run.operation_id,
      (op) => Number(/@epoch(\d+)$/.exec(op.checkpoint_ref ?? '')?.[1]) >= 3,
      'a checkpoint after epoch 3',
    );
    const victim = cluster.workers.find((w) => w.workerId === saved.worker_id)!;
    await victim.stop('SIGKILL');
    const done = await ended(run.operation_id);
    assert.equal(done.status, 'completed', done.error_message ?? '');
    assert.equal(done.attempt, 2);
    assert.notEqual(done.worker_id, saved.worker_id, 'continued on the other training worker');
    assert.match(done.attempts[0]!.outcome ?? '', /^lost: worker .* died/);
    assert.ok(Number(done.result_summary?.resumed_from_epoch) >= 3);
    await assertSameAsReference(run.operation_id);
  });
});
