import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackendClient } from '@ktrdr/shared';
import { strategyHash } from '@ktrdr/engine/validate';
import { StrategyCache } from '../src/data/strategy-cache.js';

// inline configurations never reach the backend: a client to a closed port proves it
const backend = new BackendClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' });

const config = {
  name: 'sma_crossover',
  type: 'rules',
  indicators: { fast: { type: 'sma', period: 20 }, slow: { type: 'sma', period: 50 } },
  entry: { long: { crosses_above: ['fast', 'slow'] } },
  exit: { long: { crosses_below: ['fast', 'slow'] } },
};

describe('StrategyCache.validConfigOf', () => {
  it('validates a configuration once and hands back-to-back jobs the same object', async () => {
    const cache = new StrategyCache();
    const hash = strategyHash(config);
    const first = await cache.validConfigOf({ name: 'sma_crossover', hash, config }, backend);
    const second = await cache.validConfigOf(
      { name: 'sma_crossover', hash, config: structuredClone(config) },
      backend,
    );
    assert.equal(second, first, 'the second job reuses the validated configuration');
    assert.equal(first.name, 'sma_crossover');
  });

  it('never takes a job’s claimed hash for its configuration', async () => {
    const cache = new StrategyCache();
    const hash = strategyHash(config);
    await cache.validConfigOf({ name: 'sma_crossover', hash, config }, backend);
    const other = {
      ...config,
      indicators: { ...config.indicators, fast: { type: 'sma', period: 5 } },
    };
    const got = await cache.validConfigOf({ name: 'sma_crossover', hash, config: other }, backend);
    assert.deepEqual(
      got.indicators.fast,
      { type: 'sma', period: 5 },
      'the job’s own configuration',
    );
    const bad = { ...config, indicators: { fast: { type: 'sma', period: -3 } } };
    await assert.rejects(
      cache.validConfigOf({ name: 'sma_crossover', hash, config: bad }, backend),
      /indicators\.fast\.period/,
    );
  });

  it('refuses an invalid configuration, naming the path, and remembers nothing for it', async () => {
    const cache = new StrategyCache();
    const bad = { ...config, indicators: { fast: { type: 'sma', period: -3 } } };
    const job = { name: 'sma_crossover', hash: strategyHash(bad), config: bad };
    await assert.rejects(cache.validConfigOf(job, backend), /indicators\.fast\.period/);
    await assert.rejects(cache.validConfigOf(job, backend), /indicators\.fast\.period/);
  });
});
