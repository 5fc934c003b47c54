import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { NeuroFuzzyStrategyConfig } from '@ktrdr/shared';
import {
  BUY,
  buildFeatures,
  featureSpec,
  featureSpecHash,
  HOLD,
  membership,
  parseBarsCsv,
  parseStrategyConfig,
  SELL,
  zigzagLabels,
  zigzagPivots,
} from '../src/index.js';
import {
  balancedClassWeights,
  buildDataset,
  loadModel,
  neuroFuzzySignals,
  predictProbabilities,
  serializeModel,
  splitByTime,
  splitProblem,
  trainModel,
  type TrainingCheckpoint,
} from '../src/training/index.js';

const root = new URL('../../../apps/backend/assets/', import.meta.url);
const bars = parseBarsCsv(readFileSync(new URL('data/SP500-1d.csv', root), 'utf8'), 'SP500', '1d');
const example = parseStrategyConfig(
  parse(readFileSync(new URL('strategies/neuro_fuzzy_example.yaml', root), 'utf8')),
) as NeuroFuzzyStrategyConfig;

describe('fuzzy memberships and ZigZag labels', () => {
  it('computes triangular, trapezoid and gaussian memberships', () => {
    const tri = { type: 'triangular' as const, parameters: [0, 10, 20] };
    assert.deepEqual(
      [-1, 0, 5, 10, 15, 20, 25].map((x) => membership(tri, x)),
      [0, 0, 0.5, 1, 0.5, 0, 0],
    );
    const trap = { type: 'trapezoid' as const, parameters: [0, 10, 20, 40] };
    assert.deepEqual(
      [5, 10, 15, 20, 30, 40].map((x) => membership(trap, x)),
      [0.5, 1, 1, 1, 0.5, 0],
    );
    const gauss = { type: 'gaussian' as const, parameters: [0, 2] };
    assert.equal(membership(gauss, 0), 1);
    assert.ok(Math.abs(membership(gauss, 2) - Math.exp(-0.5)) < 1e-12);
    assert.ok(Number.isNaN(membership(tri, Number.NaN)), 'warm-up stays visible');
  });

  it('finds alternating pivots and labels the move to the next one', () => {
    const close = Float64Array.from([100, 104, 110, 106, 99, 95, 100, 108, 112, 111]);
    const pivots = zigzagPivots(close, 0.05);
    assert.deepEqual(
      pivots.map((p) => [p.index, p.kind]),
      [
        [0, 'low'],
        [2, 'high'],
        [5, 'low'],
      ],
    );
    const labels = zigzagLabels(close, 0.05, 3);
    assert.equal(labels[0], BUY, 'the next pivot (110 at bar 2) is ≥ 5 % above 100');
    assert.equal(labels[2], SELL, 'the next pivot (95 at bar 5) is ≥ 5 % below 110');
    assert.equal(labels[5], HOLD, 'no pivot ahead within 3 bars');
    assert.deepEqual(
      Array.from(labels.slice(-3)),
      [-1, -1, -1],
      'too close to the end to see 3 bars ahead',
    );
  });
});

describe('features', () => {
  const spec = featureSpec(example);

  it('builds one column per fuzzy set and lookback step, from bars up to each row only', () => {
    const matrix = buildFeatures(spec, bars);
    assert.equal(matrix.cols, 8 * 5, '8 fuzzy sets × lookback 5');
    assert.equal(spec.columns[0], 'rsi.oversold[t]');
    assert.equal(spec.columns[8], 'rsi.oversold[t-1]');
    const firstValid = matrix.valid.indexOf(1);
    assert.ok(
      firstValid >= 33,
      `the first complete row waits for MACD's signal line (row ${firstValid})`,
    );
    const cut = 3000;
    const altered = { ...bars, close: bars.close.slice() };
    for (let i = cut; i < altered.close.length; i++)
      altered.close[i] = (altered.close[i] as number) * 1.5;
    const again = buildFeatures(spec, altered);
    assert.deepEqual(
      Array.from(again.values.subarray(0, cut * matrix.cols)),
      Array.from(matrix.values.subarray(0, cut * matrix.cols)),
      'no look-ahead',
    );
  });

  it('hashes the inputs, not the rest of the strategy', () => {
    const other = {
      ...example,
      decisions: { confidence_threshold: 0.9 },
      training: { ...example.training, epochs: 3 },
    };
    assert.equal(featureSpecHash(featureSpec(other)), featureSpecHash(spec));
    const differentLookback = { ...example, model: { ...example.model, lookback: 3 } };
    assert.notEqual(featureSpecHash(featureSpec(differentLookback)), featureSpecHash(spec));
  });

  it('says when a range is too short for the split', () => {
    assert.equal(splitProblem(2000), null);
    assert.match(
      splitProblem(80) ?? '',
      /gives 80 labelled rows: 56 \/ 12 \/ 12 .* each needs at least 50 \/ 20 \/ 20; widen the range/,
    );
  });
});

describe('training (TensorFlow.js, seeded)', () => {
  const spec = featureSpec(example);
  const data = splitByTime(buildDataset(spec, example, bars));
  const settings = {
    epochs: 4,
    batchSize: 128,
    seed: 7,
    classWeights: balancedClassWeights(data.train.y),
  };

  it('is deterministic, reports every batch and epoch, and resumes from a checkpoint to the same result', async () => {
    const batches: string[] = [];
    const checkpoints: TrainingCheckpoint[] = [];
    const first = await trainModel(example, data, settings, {
      onBatch: (p) => batches.push(`${p.epoch}/${p.epochs}·${p.batch}/${p.batches}`),
      onCheckpoint: (cp) => checkpoints.push(cp),
    });
    const batchesPerEpoch = Math.ceil(data.train.rows / 128);
    assert.equal(batches.length, 4 * batchesPerEpoch);
    assert.equal(batches[0], `1/4·1/${batchesPerEpoch}`);
    assert.equal(first.history.length, 4);
    for (const m of first.history) {
      assert.ok(Number.isFinite(m.loss) && m.accuracy >= 0 && m.accuracy <= 1);
      assert.ok(m.val_loss !== null && Number.isFinite(m.val_loss));
      assert.equal(m.learning_rate, 0.001);
    }
    assert.equal(checkpoints.length, 3, 'after every epoch but the last');
    assert.ok(first.test && first.test.rows === data.test.rows);

    const second = await trainModel(example, data, settings);
    assert.deepEqual(
      second.history.map((m) => [m.loss, m.val_loss]),
      first.history.map((m) => [m.loss, m.val_loss]),
      'same seed, same numbers',
    );

    const resumed = await trainModel(example, data, settings, {
      resumeFrom: JSON.parse(JSON.stringify(checkpoints[1])) as TrainingCheckpoint,
    });
    assert.equal(resumed.history.length, 4);
    for (let e = 0; e < 4; e++) {
      assert.ok(
        Math.abs(resumed.history[e]!.loss - first.history[e]!.loss) < 1e-5,
        `epoch ${e + 1} loss`,
      );
      assert.ok(
        Math.abs(resumed.history[e]!.val_loss! - first.history[e]!.val_loss!) < 1e-5,
        `epoch ${e + 1} val_loss`,
      );
    }
    assert.ok(Math.abs(resumed.test!.accuracy - first.test.accuracy) < 1e-6);
  });

  it('stops within one batch when a hook throws', async () => {
    let calls = 0;
    await assert.rejects(
      trainModel(example, data, settings, {
        onBatch: () => {
          if (++calls === 5) throw new Error('cancelled');
        },
      }),
      /cancelled/,
    );
    assert.equal(calls, 5);
  });

  it('serializes the model with its features, and the loaded one predicts the same', async () => {
    const outcome = await trainModel(example, data, { ...settings, epochs: 2 });
    const doc = await serializeModel(outcome.model, {
      model_id: 'm1',
      feature_spec: spec,
      feature_spec_hash: featureSpecHash(spec),
      metadata: { seed: 7 },
    });
    const loaded = await loadModel(JSON.parse(JSON.stringify(doc)) as typeof doc);
    const a = predictProbabilities(outcome.model, spec, bars);
    const b = predictProbabilities(loaded, spec, bars);
    assert.deepEqual(Array.from(b), Array.from(a));
    const signals = neuroFuzzySignals(
      { ...example, decisions: { confidence_threshold: 0.34 } },
      spec,
      a,
      bars.time.length,
    );
    const entries = signals.entryLong.reduce((n, v) => n + v, 0);
    const exits = signals.exitLong.reduce((n, v) => n + v, 0);
    assert.ok(entries + exits > 0, 'a low threshold lets the network act');
  });
});
