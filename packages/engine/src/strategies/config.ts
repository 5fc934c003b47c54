import { createHash } from 'node:crypto';
import {
  formatSchemaErrors,
  RulesStrategySchema,
  type FieldIssue,
  type StrategyConfig,
} from '@ktrdr/shared';
import { Compile } from 'typebox/compile';
import { checkCondition } from './conditions.js';

const validator = Compile(RulesStrategySchema);

/** A strategy configuration failed validation; `issues` name each bad path. */
export class StrategyValidationError extends Error {
  override readonly name = 'StrategyValidationError';
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
  }
}

function isConditionPath(path: string): boolean {
  return /^(entry|exit)\.(long|short)(\.|$)/.test(path);
}

/** All problems of a strategy configuration (empty when it is valid). */
export function strategyIssues(raw: unknown): FieldIssue[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return [{ path: '', message: 'a strategy must be a mapping (name, type, indicators, entry…)' }];
  }
  const config = raw as Record<string, unknown>;
  if (config.type !== undefined && config.type !== 'rules') {
    return [
      {
        path: 'type',
        message: `unknown strategy type ${JSON.stringify(config.type)}; this version runs "rules" strategies`,
      },
    ];
  }
  const issues = formatSchemaErrors(validator.Errors(raw)).filter((i) => !isConditionPath(i.path));
  const indicators =
    config.indicators && typeof config.indicators === 'object'
      ? Object.keys(config.indicators)
      : [];
  const names = new Set(indicators);
  let hasEntry = false;
  for (const part of ['entry', 'exit'] as const) {
    const rules = config[part];
    if (!rules || typeof rules !== 'object') continue;
    for (const side of ['long', 'short'] as const) {
      const condition = (rules as Record<string, unknown>)[side];
      if (condition === undefined) continue;
      if (part === 'entry') hasEntry = true;
      issues.push(...checkCondition(condition, `${part}.${side}`, names));
    }
  }
  if (!hasEntry && config.entry && typeof config.entry === 'object') {
    issues.push({
      path: 'entry',
      message: 'needs a long or a short condition, or the strategy never trades',
    });
  }
  return issues;
}

/** Validates a parsed strategy document and returns it typed; throws {@link StrategyValidationError}. */
export function parseStrategyConfig(raw: unknown): StrategyConfig {
  const issues = strategyIssues(raw);
  if (issues.length > 0) throw new StrategyValidationError(issues);
  return raw as StrategyConfig;
}

/** JSON with object keys sorted, so equal configurations hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0,
        ),
      );
    }
    return v;
  });
}

/** A short content hash of a configuration (16 hex digits of SHA-256 over canonical JSON). */
export function strategyHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/**
 * Applies `{"indicators.fast.period": 10}`-style overrides to a copy of `config`.
 * Each path must name a value that exists (a typo must not silently do nothing).
 */
export function applyOverrides(
  config: StrategyConfig,
  overrides: Record<string, number | string | boolean>,
): { config: StrategyConfig; issues: FieldIssue[] } {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const [path, value] of Object.entries(overrides)) {
    const parts = path.split('.');
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) {
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    }
    const last = parts[parts.length - 1] as string;
    if (
      !node ||
      typeof node !== 'object' ||
      !(last in node) ||
      ['__proto__', 'constructor', 'prototype'].includes(last)
    ) {
      issues.push({
        path: `parameters.${path}`,
        message: `the strategy has no value at "${path}"`,
      });
      continue;
    }
    (node as Record<string, unknown>)[last] = value;
  }
  if (issues.length > 0) return { config, issues };
  const after = strategyIssues(copy).map((i) => ({
    path: `parameters → ${i.path}`,
    message: i.message,
  }));
  return { config: copy as unknown as StrategyConfig, issues: after };
}
