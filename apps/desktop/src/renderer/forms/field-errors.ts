import { ApiError } from '@ktrdr/shared';

/** The API's validation messages, split by the field they name. */
export interface FieldErrors {
  /**
   * The first message for each top-level field, as the form shows it: led by the field's
   * label when it has one (`{start_date: "Start date is before…"}`).
   */
  fields: Record<string, string>;
  /** What names no field (or the error itself when it is not a validation error). */
  general: string | null;
}

/** A field's label by its API name (`{start_date: 'Start date'}`). */
export type FieldLabels = Readonly<Record<string, string>>;

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * The message with every API field name it mentions spelled as the form labels it (the
 * trader never sees `start_date`): "is before start_date" → "is before start date".
 */
export function withLabels(message: string, labels: FieldLabels): string {
  const names = Object.keys(labels).filter((name) => name.includes('_'));
  if (names.length === 0) return message;
  // only snake_case names: a plain word ("symbol", "mode") reads the same either way
  const pattern = new RegExp(`\\b(${names.join('|')})\\b`, 'g');
  return message.replace(pattern, (name, _n, at: number) => {
    const label = labels[name] ?? name;
    return at === 0 ? label : lowerFirst(label);
  });
}

/** The top-level field an issue's path names: `parameters.training.epoch` and `parameters → training.epochs` both name `parameters`. */
function topField(path: string): string {
  return path.split(/[.\s]/)[0] ?? '';
}

/**
 * One issue as the form shows it beside its field: `Start date is in the future…` (or
 * `Symbol: no stored series…`) for a labelled top-level field, `indicators.fast.period.to: is below…` for a path below one
 * (the sub-path is what the trader typed), the message alone otherwise.
 */
export function issueText(issue: { path: string; message: string }, labels: FieldLabels): string {
  const key = topField(issue.path);
  const rest = issue.path.slice(key.length).replace(/^(\.|\s*→\s*)/, '');
  const message = withLabels(issue.message, labels);
  // a path below the field (an override's, a range's end): the field holds many
  if (rest) return `${rest}: ${message}`;
  const label = labels[key];
  if (!label) return message;
  // "Start date is in the future", but "Symbol: no stored series …" for a message that is
  // a sentence of its own
  return PREDICATE.test(message) ? `${label} ${message}` : `${label}: ${message}`;
}

/** How a message that goes on from its field's name starts ("is before …", "must be ≥ 1"). */
const PREDICATE =
  /^(is|are|must|has|have|needs?|should|cannot|can't|does|do|was|were|holds?|lies|falls?|names?)\b/;

/** The API's validation issues by field, plus what names no field. */
export function fieldErrors(error: unknown, labels: FieldLabels = {}): FieldErrors {
  if (!(error instanceof ApiError))
    return { fields: {}, general: error ? String((error as Error).message ?? error) : null };
  const issues = (error.details?.issues as { path: string; message: string }[] | undefined) ?? [];
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = topField(issue.path);
    if (key && !(key in fields)) fields[key] = issueText(issue, labels);
  }
  return {
    fields,
    general:
      issues.length === 0 || Object.keys(fields).length === 0
        ? withLabels(error.message, labels)
        : null,
  };
}

/**
 * The general message plus every field message that no input of the form shows (`Mode
 * must be…`, or `name: …` for a field with no label), so that nothing the API said goes
 * unseen.
 */
export function unshownErrors(
  errors: FieldErrors,
  shown: ReadonlySet<string>,
  labels: FieldLabels = {},
): string {
  const elsewhere = Object.entries(errors.fields)
    .filter(([field]) => !shown.has(field))
    .map(([field, message]) => (labels[field] ? message : `${field}: ${message}`));
  return [errors.general, ...elsewhere].filter(Boolean).join('; ');
}
