import { readFileSync } from 'node:fs';
import type { RulesStrategyConfig } from '@ktrdr/shared';
import { parse as parseYaml } from 'yaml';
import { parseBarsCsv, parseRulesStrategy, type Bars } from '../src/index.js';

const assets = new URL('../../../apps/backend/assets/', import.meta.url);

/** The S&P 500 daily series the backend ships (5,105 bars from 2000). */
export function bundledSp500(): Bars {
  return parseBarsCsv(readFileSync(new URL('data/SP500-1d.csv', assets), 'utf8'), 'SP500', '1d');
}

/** The rules strategies the backend ships, by name. */
export const BUNDLED_RULES = ['sma_crossover', 'rsi_mean_reversion', 'macd_trend'] as const;

/** One bundled rules strategy, parsed as the backend parses it. */
export function bundledStrategy(name: (typeof BUNDLED_RULES)[number]): RulesStrategyConfig {
  return parseRulesStrategy(
    parseYaml(readFileSync(new URL(`strategies/${name}.yaml`, assets), 'utf8')),
  );
}
