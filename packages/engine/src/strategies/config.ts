import { createHash } from 'node:crypto';
import {
  formatSchemaErrors,
  NeuroFuzzyStrategySchema,
  RulesStrategySchema,
  STRATEGY_TYPES,
  type FieldIssue,
  type IndicatorSpec,
  type RulesStrategyConfig,
  type StrategyConfig,
} from '@ktrdr/shared';
import { Compile } from 'typebox/compile';
import { indicatorDefinition, outputNames, type IndicatorParam } from '../indicators/registry.js';
import { checkCondition, isKnownOperand, unknownOperand } from './conditions.js';

const validators = {
  rules: Compile(RulesStrategySchema),
  neuro_fuzzy: Compile(NeuroFuzzyStrategySchema),
};

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

const ALL_PARAMS: readonly IndicatorParam[] = [
  'period',
  'fast',
  'slow',
  'signal',
  'stddev',
  'k_period',
  'd_period',
  'smoothing',
];

/** Per-type parameter rules the flat schema cannot express. */
function indicatorIssues(name: string, spec: IndicatorSpec): FieldIssue[] {
  const definition = indicatorDefinition(spec.type);
  if (!definition) return [];
  const issues: FieldIssue[] = [];
  const at = (p: string) => `indicators.${name}.${p}`;
  for (const param of ALL_PARAMS) {
    const rule = definition.params[param];
    const value = spec[param];
    if (!rule) {
      if (value !== undefined)
        issues.push({
          path: at(param),
          message: `is not a parameter of ${spec.type} (it takes: ${Object.keys(definition.params).join(', ')})`,
        });
      continue;
    }
    if (value === undefined) {
      if (rule.required) issues.push({ path: at(param), message: `is required for ${spec.type}` });
      continue;
    }
    if (value < rule.min) issues.push({ path: at(param), message: `must be ≥ ${rule.min}` });
  }
  if (spec.source !== undefined && !definition.takesSource) {
    issues.push({
      path: at('source'),
      message: `${spec.type} reads high, low and close; it takes no source`,
    });
  }
  if (issues.length === 0 && definition.check) {
    for (const { param, message } of definition.check(spec))
      issues.push({ path: at(param), message });
  }
  return issues;
}

/** Every name conditions and fuzzy sets may use for this strategy's indicator outputs. */
export function operandNames(indicators: Record<string, IndicatorSpec>): Set<string> {
  const names = new Set<string>();
  for (const [name, spec] of Object.entries(indicators)) {
    if (indicatorDefinition(spec.type)) for (const n of outputNames(name, spec)) names.add(n);
  }
  return names;
}

const MEMBERSHIP_ARITY = { triangular: 3, trapezoid: 4, gaussian: 2 } as const;

function membershipIssues(
  path: string,
  type: keyof typeof MEMBERSHIP_ARITY,
  parameters: number[],
): FieldIssue[] {
  const arity = MEMBERSHIP_ARITY[type];
  if (parameters.length !== arity) {
    const shape =
      type === 'triangular' ? '[a, b, c]' : type === 'trapezoid' ? '[a, b, c, d]' : '[mean, sigma]';
    return [
      {
        path: `${path}.parameters`,
        message: `a ${type} membership takes ${arity} numbers ${shape}, not ${parameters.length}`,
      },
    ];
  }
  if (type === 'gaussian') {
    return (parameters[1] as number) > 0
      ? []
      : [{ path: `${path}.parameters.1`, message: 'sigma must be > 0' }];
  }
  for (let i = 1; i < parameters.length; i++) {
    if ((parameters[i] as number) < (parameters[i - 1] as number)) {
      return [
        {
          path: `${path}.parameters`,
          message: `must be in increasing order (${parameters.join(', ')})`,
        },
      ];
    }
  }
  return parameters[0] === parameters[parameters.length - 1]
    ? [{ path: `${path}.parameters`, message: 'has zero width' }]
    : [];
}

function neuroFuzzyIssues(
  config: Record<string, unknown>,
  names: ReadonlySet<string>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const sets = config.fuzzy_sets;
  if (sets && typeof sets === 'object') {
    const inputs = Object.entries(sets as Record<string, unknown>);
    if (inputs.length === 0)
      issues.push({ path: 'fuzzy_sets', message: 'needs at least one input with fuzzy sets' });
    for (const [input, memberships] of inputs) {
      if (!isKnownOperand(input, names))
        issues.push({ path: `fuzzy_sets.${input}`, message: unknownOperand(input, names) });
      if (!memberships || typeof memberships !== 'object') continue;
      const entries = Object.entries(
        memberships as Record<string, { type?: string; parameters?: unknown }>,
      );
      if (entries.length === 0)
        issues.push({ path: `fuzzy_sets.${input}`, message: 'needs at least one fuzzy set' });
      for (const [set, m] of entries) {
        if (
          m &&
          typeof m.type === 'string' &&
          Object.hasOwn(MEMBERSHIP_ARITY, m.type) &&
          Array.isArray(m.parameters) &&
          m.parameters.every((x) => typeof x === 'number')
        ) {
          issues.push(
            ...membershipIssues(
              `fuzzy_sets.${input}.${set}`,
              m.type as keyof typeof MEMBERSHIP_ARITY,
              m.parameters,
            ),
          );
        }
      }
    }
  }
  const training = config.training as
    | { split?: { train: number; validation: number; test: number }; early_stopping?: unknown }
    | undefined;
  const split = training?.split;
  if (
    split &&
    typeof split.train === 'number' &&
    typeof split.validation === 'number' &&
    typeof split.test === 'number'
  ) {
    const sum = split.train + split.validation + split.test;
    if (Math.abs(sum - 1) > 1e-6)
      issues.push({
        path: 'training.split',
        message: `train + validation + test must be 1 (they add up to ${Number(sum.toFixed(6))})`,
      });
    if (training?.early_stopping && split.validation === 0) {
      issues.push({
        path: 'training.split.validation',
        message: 'must be > 0 when early_stopping watches the validation set',
      });
    }
  }
  return issues;
}

/**
 * An entry the cash can never pay for, known before any bar: a fraction of equity above the
 * leverage (1 unless `risk.leverage` says otherwise). Fixed units depend on prices, so the
 * engine checks those at each entry and counts the ones it skips.
 */
function sizingIssues(config: Record<string, unknown>): FieldIssue[] {
  const position = config.position as { sizing?: unknown; value?: unknown } | undefined;
  const risk = config.risk as { leverage?: unknown } | undefined;
  const leverage = typeof risk?.leverage === 'number' ? risk.leverage : 1;
  if (position?.sizing !== 'fraction_of_equity' || typeof position.value !== 'number') return [];
  if (position.value <= leverage) return [];
  return [
    {
      path: 'position.value',
      message: `${position.value} of equity is more than the cash can pay for at leverage ${leverage}: use at most ${leverage}, or set risk.leverage`,
    },
  ];
}

/** All problems of a strategy configuration (empty when it is valid). */
export function strategyIssues(raw: unknown): FieldIssue[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return [{ path: '', message: 'a strategy must be a mapping (name, type, indicators, entry…)' }];
  }
  const config = raw as Record<string, unknown>;
  const type = config.type;
  if (typeof type !== 'string' || !(STRATEGY_TYPES as readonly string[]).includes(type)) {
    return [
      {
        path: 'type',
        message:
          type === undefined
            ? `is required (${STRATEGY_TYPES.join(' or ')})`
            : `unknown strategy type ${JSON.stringify(type)}; use ${STRATEGY_TYPES.join(' or ')}`,
      },
    ];
  }
  const validator = validators[type as keyof typeof validators];
  const issues = formatSchemaErrors(validator.Errors(raw))
    .filter((i) => !isConditionPath(i.path))
    .map((i) =>
      // a key of the indicators (or a fuzzy input's sets) that breaks the naming rule
      /^(indicators|fuzzy_sets\.[^.]+)\.[^.]+$/.test(i.path) &&
      i.message.startsWith('is not a known field')
        ? {
            path: i.path,
            message:
              'is not a valid name: use lower-case letters, digits and _, starting with a letter',
          }
        : i,
    );
  const indicators =
    config.indicators && typeof config.indicators === 'object'
      ? (config.indicators as Record<string, IndicatorSpec>)
      : {};
  for (const [name, spec] of Object.entries(indicators)) {
    if (spec && typeof spec === 'object' && typeof spec.type === 'string') {
      // one message per field: the schema's own check (if any) speaks first
      const seen = new Set(issues.map((i) => i.path));
      issues.push(...indicatorIssues(name, spec).filter((i) => !seen.has(i.path)));
    }
  }
  const names = operandNames(indicators);
  issues.push(...sizingIssues(config));
  if (type === 'neuro_fuzzy') return [...issues, ...neuroFuzzyIssues(config, names)];

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
 * Each path must name a value that exists (a typo must not silently do nothing); the
 * result is validated again.
 */
export function applyOverrides(
  config: StrategyConfig,
  overrides: Record<string, number | string | boolean>,
): { config: StrategyConfig; issues: FieldIssue[] } {
  // nothing to change: the config was validated when it was parsed, and nothing here mutates
  // it (every start request without overrides came through a copy and a full re-validation)
  if (Object.keys(overrides).length === 0) return { config, issues: [] };
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const [path, value] of Object.entries(overrides)) {
    const parts = path.split('.');
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) {
      node =
        node && typeof node === 'object' && Object.hasOwn(node, part)
          ? (node as Record<string, unknown>)[part]
          : undefined;
    }
    const last = parts[parts.length - 1] as string;
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, last)) {
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

/** Validates a `rules` strategy (the kind the backtest engine runs by itself). */
export function parseRulesStrategy(raw: unknown): RulesStrategyConfig {
  const config = parseStrategyConfig(raw);
  if (config.type !== 'rules') {
    throw new StrategyValidationError([
      {
        path: 'type',
        message: `"${config.name}" is a ${config.type} strategy: it runs with a trained model, not as rules`,
      },
    ]);
  }
  return config;
}
