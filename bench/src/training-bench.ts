import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { featureSpec } from '@ktrdr/engine/features';
import { parseBarsCsv } from '@ktrdr/engine/data';
import { parseStrategyConfig } from '@ktrdr/engine/strategies';
import {
  balancedClassWeights,
  buildDataset,
  splitByTime,
  trainModel,
} from '@ktrdr/engine/training';
import type { NeuroFuzzyStrategyConfig } from '@ktrdr/shared';
import { loadTrainingBackend, TRAINING_BACKENDS, type TrainingBackendName } from '@ktrdr/worker';
import { BenchCluster } from './cluster.js';

const ASSETS = fileURLToPath(new URL('../../apps/backend/assets/', import.meta.url));

/** Training speed of the bundled example's MLP on one backend, or why it did not load. */
export interface TrainingRow {
  backend: TrainingBackendName;
  loaded: boolean;
  reason: string;
  trainRows?: number;
  epochMs?: number;
  samplesPerSecond?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Trains `neuro_fuzzy_example` (8 fuzzy inputs × lookback 5 → 32 → 16 → 3) on the bundled
 * S&P 500 series for `epochs` epochs on every backend that loads here, in this process,
 * and reports the median epoch (the first, which compiles kernels, is left out).
 */
export async function trainingThroughput(epochs = 6): Promise<TrainingRow[]> {
  const bars = parseBarsCsv(readFileSync(`${ASSETS}data/SP500-1d.csv`, 'utf8'), 'SP500', '1d');
  const strategy = parseStrategyConfig(
    parse(readFileSync(`${ASSETS}strategies/neuro_fuzzy_example.yaml`, 'utf8')),
  ) as NeuroFuzzyStrategyConfig;
  // the same number of epochs everywhere: no early stop
  const { early_stopping: _unused, ...training } = strategy.training;
  const config = { ...strategy, training };
  const data = splitByTime(buildDataset(featureSpec(config), config, bars));
  const settings = {
    epochs,
    batchSize: config.training.batch_size ?? 32,
    seed: 42,
    classWeights: balancedClassWeights(data.train.y),
  };
  const rows: TrainingRow[] = [];
  for (const backend of [...TRAINING_BACKENDS].reverse()) {
    try {
      await loadTrainingBackend(backend);
    } catch (error) {
      const reason = (error as Error).message
        .replace(/^no TensorFlow\.js backend could be loaded \(\w+: /, '')
        .replace(/\)$/, '');
      rows.push({ backend, loaded: false, reason });
      continue;
    }
    const outcome = await trainModel(config, data, settings);
    outcome.model.dispose();
    const epochMs = median(outcome.history.slice(1).map((m) => m.duration_ms));
    rows.push({
      backend,
      loaded: true,
      reason: 'loaded',
      trainRows: data.train.rows,
      epochMs,
      samplesPerSecond: data.train.rows / (epochMs / 1000),
    });
  }
  return rows;
}

/** The round trip through the backend: train on a CPU training worker, then backtest the model. */
export async function trainingRoundTrip(
  epochs = 5,
): Promise<{ trainSeconds: number; backtestSeconds: number; epochs: number; backend: string }> {
  const cluster = await new BenchCluster().start();
  try {
    await cluster.addWorkers(1);
    await cluster.addWorkers(1, { KTRDR_WORKER_TYPE: 'training', KTRDR_TRAINING_BACKEND: 'wasm' });
    const t0 = performance.now();
    const training = await cluster.client.startTraining({
      strategy_name: 'neuro_fuzzy_example',
      epochs,
    });
    const status = await cluster.settle(training.operation_id, 300_000);
    if (status !== 'completed') throw new Error(`training ${status}`);
    const trainSeconds = (performance.now() - t0) / 1000;
    const op = await cluster.client.getOperation(training.operation_id);
    const t1 = performance.now();
    const backtest = await cluster.client.startBacktest({
      strategy_name: 'neuro_fuzzy_example',
      model_id: String(op.metadata.model_id),
    });
    const backtestStatus = await cluster.settle(backtest.operation_id, 300_000);
    if (backtestStatus !== 'completed') throw new Error(`backtest ${backtestStatus}`);
    return {
      trainSeconds,
      backtestSeconds: (performance.now() - t1) / 1000,
      epochs,
      backend: op.provenance.training_backend ?? '?',
    };
  } finally {
    await cluster.close();
  }
}
