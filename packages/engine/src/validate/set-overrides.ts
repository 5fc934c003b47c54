import type { FieldIssue, StrategyConfig } from '@ktrdr/shared';
import { INDICATORS } from '../indicators/registry.js';

type Value = number | string | boolean;

/**
 * The configuration of one set: `base` (parsed once per shard) with each swept path set,
 * copying only the objects along those paths — everything else is shared with `base`, so
 * a set costs a few small copies instead of a deep clone and a schema check (sweeps check
 * each swept value once with `applyOverrides`, and each set with {@link setIssues}). A
 * path the base lacks is refused, naming it. Equal to `parseStrategyConfig(applyOverrides(
 * raw, parameters).config)` when the base is `parseStrategyConfig(raw)` (tested).
 */
export function withOverrides(
  base: StrategyConfig,
  parameters: Readonly<Record<string, Value>>,
): StrategyConfig {
  const root: Record<string, unknown> = { ...(base as unknown as Record<string, unknown>) };
  for (const [path, value] of Object.entries(parameters)) {
    const parts = path.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      const child = node[part];
      if (!child || typeof child !== 'object' || !Object.hasOwn(node, part))
        throw new Error(`the strategy has no value at "${path}"`);
      // copy the containers on the path (only those): the rest stays shared with the base
      const copy = Array.isArray(child) ? [...(child as unknown[])] : { ...child };
      node[part] = copy;
      node = copy;
    }
    const last = parts.at(-1)!;
    if (!Object.hasOwn(node, last)) throw new Error(`the strategy has no value at "${path}"`);
    node[last] = value;
  }
  return root as unknown as StrategyConfig;
}

/** The indicators a set of swept paths touches (`indicators.<name>.…`). */
export function sweptIndicators(paths: readonly string[]): string[] {
  return [
    ...new Set(
      paths.flatMap((path) => {
        const name = /^indicators\.([^.]+)\./.exec(path)?.[1];
        return name ? [name] : [];
      }),
    ),
  ];
}

/**
 * What a set can break that no single value can, once each swept value passed the full
 * check on its own: the consistency checks of the indicators it touches (MACD's fast below
 * slow) — as the full check words them.
 */
export function setIssues(config: StrategyConfig, indicators: readonly string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const name of indicators) {
    const spec = config.indicators[name];
    if (!spec) continue;
    for (const { param, message } of INDICATORS[spec.type].check?.(spec) ?? [])
      issues.push({ path: `parameters → indicators.${name}.${param}`, message });
  }
  return issues;
}
