import { COMPARISON_KEYS, PRICE_SOURCES, type FieldIssue } from '@ktrdr/shared';

const COMBINATORS = ['all', 'any'] as const;
const KNOWN_KEYS = [...COMPARISON_KEYS, ...COMBINATORS].join(', ');
const PRICE_NAMES = new Set<string>(PRICE_SOURCES);

/** The message for an operand that names nothing this strategy has. */
export function unknownOperand(operand: string, known: ReadonlySet<string>): string {
  const names = [...known, ...PRICE_SOURCES].join(', ');
  return `"${operand}" is not an indicator output of this strategy or a price field (known: ${names})`;
}

/** True when `operand` names a price field or one of `known`. */
export function isKnownOperand(operand: string, known: ReadonlySet<string>): boolean {
  return known.has(operand) || PRICE_NAMES.has(operand);
}

/**
 * Checks a condition tree by hand so that a trader's typo gets a precise message
 * (`entry.long.crosses_abov: unknown condition …`) rather than a schema's "anyOf" noise.
 */
export function checkCondition(
  node: unknown,
  path: string,
  indicatorNames: ReadonlySet<string>,
  depth = 0,
): FieldIssue[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    return [{ path, message: `must be a condition object such as {crosses_above: [fast, slow]}` }];
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    return [
      {
        path,
        message: `must have exactly one key (one of: ${KNOWN_KEYS}); combine several with all or any`,
      },
    ];
  }
  const key = keys[0] as string;
  const value = (node as Record<string, unknown>)[key];
  const here = `${path}.${key}`;
  if ((COMBINATORS as readonly string[]).includes(key)) {
    if (depth >= 2) return [{ path: here, message: 'conditions nest at most three levels deep' }];
    if (!Array.isArray(value) || value.length === 0) {
      return [{ path: here, message: 'must be a non-empty list of conditions' }];
    }
    return value.flatMap((child, i) =>
      checkCondition(child, `${here}.${i}`, indicatorNames, depth + 1),
    );
  }
  if (!(COMPARISON_KEYS as readonly string[]).includes(key)) {
    return [{ path: here, message: `unknown condition "${key}"; use one of: ${KNOWN_KEYS}` }];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    return [
      { path: here, message: 'must be a pair [a, b] of indicator names, price fields or numbers' },
    ];
  }
  const issues: FieldIssue[] = [];
  value.forEach((operand: unknown, i) => {
    if (typeof operand === 'number') {
      if (!Number.isFinite(operand))
        issues.push({ path: `${here}.${i}`, message: 'must be a finite number' });
    } else if (typeof operand === 'string') {
      if (!isKnownOperand(operand, indicatorNames)) {
        issues.push({ path: `${here}.${i}`, message: unknownOperand(operand, indicatorNames) });
      }
    } else {
      issues.push({
        path: `${here}.${i}`,
        message: 'must be an indicator name, a price field or a number',
      });
    }
  });
  if (issues.length === 0 && typeof value[0] === 'number' && typeof value[1] === 'number') {
    issues.push({
      path: here,
      message: 'compares two constants; at least one side must be an indicator or a price field',
    });
  }
  return issues;
}
