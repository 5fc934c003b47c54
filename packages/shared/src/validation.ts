/** One problem with a value, located by a dotted path (`indicators.fast.period`). */
export interface FieldIssue {
  /** Dotted path of the offending field; empty for the value as a whole. */
  path: string;
  /** What is wrong and, where it helps, what to do. */
  message: string;
}

/** The common shape of a JSON Schema validation error (Ajv and TypeBox both produce it). */
export interface SchemaErrorLike {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

/** `/indicators/fast/period` → `indicators.fast.period` (JSON Pointer escapes decoded). */
export function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/** A field name someone sent, quoted unless it is a plain name (`" "`, `"a.b"`, `""`). */
function sentName(name: string): string {
  return /^[A-Za-z0-9_$-]+$/.test(name) ? name : JSON.stringify(name);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(text);
  return value === undefined ? [] : [text(value)];
}

/**
 * Turns schema errors into readable issues: one per field, naming the path, with the
 * allowed values spelled out. Noise (the `false` schema behind an unknown field, the
 * generic "must match a schema in anyOf" when a specific error exists) is dropped.
 */
export function formatSchemaErrors(errors: Iterable<SchemaErrorLike>, prefix = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const full = prefix ? join(prefix, path) : path;
    if (seen.has(full)) return;
    seen.add(full);
    issues.push({ path: full, message });
  };
  const all = [...errors];
  for (const error of all) {
    const path = pointerToPath(error.instancePath);
    switch (error.keyword) {
      case 'boolean':
        break; // the unknown field is reported by its parent's additionalProperties error
      case 'required':
        for (const name of [
          ...asStrings(error.params.requiredProperties),
          ...asStrings(error.params.missingProperty),
        ]) {
          add(join(path, name), 'is required');
        }
        break;
      case 'additionalProperties':
        for (const name of [
          ...asStrings(error.params.additionalProperties),
          ...asStrings(error.params.additionalProperty),
        ]) {
          add(
            join(path, sentName(name)),
            'is not a known field (check its spelling, or remove it)',
          );
        }
        break;
      case 'enum':
        add(path, `must be one of: ${asStrings(error.params.allowedValues).join(', ')}`);
        break;
      case 'anyOf':
      case 'oneOf':
        if (
          !all.some(
            (e) =>
              e !== error && e.instancePath.startsWith(error.instancePath) && e.keyword !== 'anyOf',
          )
        ) {
          add(path, 'does not match any allowed form');
        }
        break;
      case 'type':
        add(path, `must be ${asStrings(error.params.type).join(' or ') || 'of another type'}`);
        break;
      default:
        add(path, error.message ?? `is invalid (${error.keyword})`);
    }
  }
  return issues;
}

/** `a.b: msg; c: msg` — a one-line summary of issues for an error message. */
export function summarizeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
