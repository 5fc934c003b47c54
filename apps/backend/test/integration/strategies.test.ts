import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '@ktrdr/shared';
import { waitFor } from '@ktrdr/testkit';
import { startCluster, TEST_TOKEN, type Cluster } from './cluster-fixture.js';

const yaml = (fast: number) => `name: my_cross
description: my own crossover
type: rules
data: { symbol: SP500, timeframe: 1d, start_date: '2010-01-01', end_date: '2020-12-31' }
indicators:
  fast: { type: ema, period: ${fast} }
  slow: { type: sma, period: 60 }
entry:
  long: { crosses_above: [fast, slow] }
exit:
  long: { crosses_below: [fast, slow] }
risk: { stop_loss: 0.1 }
`;

describe('strategies: YAML, validation that names the path, a version per change', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ workerCount: 1 });
  });
  after(async () => cluster.close());

  const put = (name: string, body: string, contentType = 'application/yaml') =>
    fetch(`${cluster.backend.url}/api/v1/strategies/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': contentType },
      body,
    });

  it('bundles four examples, each valid', async () => {
    const { strategies } = await cluster.client.listStrategies();
    assert.deepEqual(
      strategies.map((s) => `${s.name}:${s.type}`),
      [
        'macd_trend:rules',
        'neuro_fuzzy_example:neuro_fuzzy',
        'rsi_mean_reversion:rules',
        'sma_crossover:rules',
      ],
    );
    for (const s of strategies) assert.equal(s.version, 1);
  });

  it('writes a strategy as a new version each time it changes, and serves any version by hash', async () => {
    const created = await put('my_cross', yaml(10));
    assert.equal(created.status, 201);
    const v1 = (await created.json()) as { version: number; hash: string };
    assert.equal(v1.version, 1);

    const changed = await cluster.client.putStrategy('my_cross', yaml(15));
    assert.equal(changed.version, 2);
    assert.notEqual(changed.hash, v1.hash);
    assert.equal(
      (changed.config as { indicators: { fast: { period: number } } }).indicators.fast.period,
      15,
    );
    const same = await cluster.client.putStrategy('my_cross', yaml(15));
    assert.equal(same.version, 2, 'writing the same content again is not a new version');

    const old = await cluster.client.getStrategy('my_cross', v1.hash);
    assert.equal(old.version, 1);
    assert.match(old.yaml, /period: 10 }/);
    assert.equal((await cluster.client.getStrategy('my_cross')).version, 2);
  });

  it('rejects invalid YAML and invalid strategies with the path, and keeps what was stored', async () => {
    const problem = async (response: Response) => {
      assert.equal(response.status, 400);
      return ((await response.json()) as { error: { message: string } }).error.message;
    };
    assert.match(
      await problem(await put('my_cross', 'name: my_cross\nindicators: [unclosed\n')),
      /^yaml: line \d+: /,
    );
    assert.match(
      await problem(
        await put('my_cross', yaml(10).replace('[fast, slow] }\nexit', '[fast, medium] }\nexit')),
      ),
      /^entry\.long\.crosses_above\.1: "medium" is not an indicator output/,
    );
    assert.match(
      await problem(await put('my_cross', yaml(0))),
      /^indicators\.fast\.period: must be >= 1/,
    );
    assert.match(
      await problem(await put('other_name', yaml(10))),
      /^name: is "my_cross" but the strategy is written as "other_name"/,
    );
    assert.match(
      await problem(await put('Bad%20Name', yaml(10))),
      /^path\.name: must match pattern/,
    );
    const current = await cluster.client.getStrategy('my_cross');
    assert.equal(current.version, 2);
    assert.match(current.yaml, /period: 15 }/);
  });

  it('validates YAML without storing it, and says whether saving it would be a new version', async () => {
    const stored = await cluster.client.getStrategy('my_cross');
    const same = await cluster.client.validateStrategy(stored.yaml);
    assert.deepEqual(same, {
      valid: true,
      name: 'my_cross',
      type: 'rules',
      hash: stored.hash,
      indicators: ['fast', 'slow'],
      stored_hash: stored.hash,
    });
    const fresh = await cluster.client.validateStrategy(yaml(33).replace('my_cross', 'unsaved'));
    assert.equal(fresh.stored_hash, null);
    await assert.rejects(
      cluster.client.validateStrategy(yaml(0)),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status === 400 &&
        /^indicators\.fast\.period: must be >= 1/.test(e.message),
    );
    await assert.rejects(
      cluster.client.validateStrategy('  \n'),
      (e: unknown) =>
        e instanceof ApiError && e.status === 400 && /^yaml: is empty/.test(e.message),
    );
    const { strategies } = await cluster.client.listStrategies();
    assert.ok(!strategies.some((s) => s.name === 'unsaved'), 'validation stores nothing');
    assert.equal((await cluster.client.getStrategy('my_cross')).version, stored.version);
  });

  it('records on each operation the hash of the version it ran', async () => {
    const { operation_id } = await cluster.client.startBacktest({ strategy_name: 'my_cross' });
    const v2 = await cluster.client.getStrategy('my_cross');
    await waitFor(
      'completed',
      async () => (await cluster.client.getOperation(operation_id)).status === 'completed',
      { timeoutMs: 15_000 },
    );
    await cluster.client.putStrategy('my_cross', yaml(20));
    const op = await cluster.client.getOperation(operation_id);
    assert.equal(op.provenance.strategy_hash, v2.hash);
    const ran = await cluster.client.getStrategy('my_cross', op.provenance.strategy_hash);
    assert.match(ran.yaml, /period: 15 }/, 'the version that ran can still be read');
    const withOverride = await cluster.client.startBacktest({
      strategy_name: 'my_cross',
      parameters: { 'indicators.fast.period': 7 },
    });
    const overridden = await cluster.client.getOperation(withOverride.operation_id);
    assert.notEqual(
      overridden.provenance.strategy_hash,
      (await cluster.client.getStrategy('my_cross')).hash,
      'overrides hash what actually runs',
    );
    assert.deepEqual(overridden.metadata.parameters, { 'indicators.fast.period': 7 });
    await assert.rejects(
      cluster.client.getStrategy('my_cross', '0123456789abcdef'),
      (e: unknown) => e instanceof ApiError && e.status === 404,
    );
  });
});
