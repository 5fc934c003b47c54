import type { IndicatorSpec } from '@ktrdr/shared';
import type { Bars } from '../data/bars.js';
import { INDICATORS, indicatorDefinition, param, type IndicatorParam } from './registry.js';

/**
 * The canonical identity of an indicator's values: its type, every parameter it takes
 * (defaults applied, in the registry's order) and, when it reads one, its price source.
 * Two specs with the same key compute the same arrays over the same bars, whatever they
 * spelled out: `{type: 'macd'}` and `{type: 'macd', fast: 12, slow: 26, signal: 9,
 * source: 'close'}` share `macd(fast=12,slow=26,signal=9)@close`.
 */
export function indicatorKey(spec: IndicatorSpec): string {
  const definition = indicatorDefinition(spec.type);
  if (!definition) throw new Error(`unknown indicator type "${String(spec.type)}"`);
  const params = (Object.keys(definition.params) as IndicatorParam[])
    .map((name) => `${name}=${String(param(spec, name))}`)
    .join(',');
  // an indicator over candles ignores `source`, so it takes no part in its identity
  const source = definition.takesSource ? `@${spec.source ?? 'close'}` : '';
  return `${spec.type}(${params})${source}`;
}

/**
 * Indicator outputs over one series, each distinct indicator computed once: a sweep shard
 * runs many parameter sets over the same bars, and most sets share most indicators.
 *
 * The arrays handed out are shared by every caller of the same key. They are read-only
 * by contract (typed arrays cannot be frozen): the engine never writes to them, and a
 * caller that wants to change values must copy first.
 */
export class IndicatorCache {
  readonly #entries = new Map<string, Readonly<Record<string, Float64Array>>>();
  readonly #reference: boolean;

  constructor(
    /** The series every output is computed over. */
    readonly bars: Bars,
    options: {
      /**
       * Compute with `trading-signals`' streaming classes rather than the batch kernels:
       * the same values, slower; for checking that a result is the library's.
       */
      reference?: boolean;
    } = {},
  ) {
    this.#reference = options.reference ?? false;
  }

  /** One array per output of the indicator (`NaN` during warm-up), computed on first use. */
  outputs(spec: IndicatorSpec): Readonly<Record<string, Float64Array>> {
    const key = indicatorKey(spec);
    let entry = this.#entries.get(key);
    if (!entry) {
      const definition = INDICATORS[spec.type];
      entry = this.#reference
        ? definition.reference(spec, this.bars)
        : definition.compute(spec, this.bars);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Whether the indicator's outputs have been computed (and are held) already. */
  has(spec: IndicatorSpec): boolean {
    return this.#entries.has(indicatorKey(spec));
  }

  /** How many distinct indicators have been computed. */
  get size(): number {
    return this.#entries.size;
  }
}
