import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseStrategyConfig } from '@ktrdr/engine/strategies';
import { applyOverrides } from '@ktrdr/engine/validate';
import { parse } from 'yaml';
import { withOverrides } from '../src/validate/set-overrides.js';

const strategy = (name: string) =>
  parse(
    readFileSync(
      new URL(`../../../apps/backend/assets/strategies/${name}.yaml`, import.meta.url),
      'utf8',
    ),
  ) as never;

describe('a sweep set’s configuration', () => {
  const cases: [string, Record<string, number>][] = [
    ['sma_crossover', { 'indicators.fast.period': 7, 'indicators.slow.period': 120 }],
    ['sma_crossover', { 'position.value': 0.5 }],
    ['macd_trend', { 'indicators.macd.fast': 8, 'indicators.macd.slow': 30 }],
    ['rsi_mean_reversion', { 'indicators.rsi.period': 9 }],
  ];
  for (const [name, set] of cases)
    it(`${name} ${JSON.stringify(set)}: the same configuration as the full check makes`, () => {
      const raw = strategy(name);
      const base = parseStrategyConfig(raw);
      const before = JSON.stringify(base);
      const full = applyOverrides(raw, set);
      assert.deepEqual(full.issues, []);
      assert.deepEqual(withOverrides(base, set), parseStrategyConfig(full.config));
      assert.equal(JSON.stringify(base), before, 'the base is not changed');
    });

  it('refuses a path the strategy lacks, naming it', () => {
    const base = parseStrategyConfig(strategy('sma_crossover'));
    assert.throws(() => withOverrides(base, { 'indicators.medium.period': 3 }), {
      message: 'the strategy has no value at "indicators.medium.period"',
    });
    assert.throws(() => withOverrides(base, { 'indicators.fast.length': 3 }), {
      message: 'the strategy has no value at "indicators.fast.length"',
    });
  });
});
