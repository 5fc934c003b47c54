import { ApiError } from '@ktrdr/shared';

/** The API's validation messages, split by the field they name. */
export interface FieldErrors {
  /** The first message for each top-level field (`{start_date: "is before…"}`). */
  fields: Record<string, string>;
  /** What names no field (or the error itself when it is not a validation error). */
  general: string | null;
}

/** The API's validation issues by field, plus what names no field. */
export function fieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError))
    return { fields: {}, general: error ? String((error as Error).message ?? error) : null };
  const issues = (error.details?.issues as { path: string; message: string }[] | undefined) ?? [];
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    // `parameters.training.epoch` and `parameters → training.epochs` both name `parameters`
    const key = issue.path.split(/[.\s]/)[0] ?? '';
    const rest = issue.path.slice(key.length).replace(/^(\.|\s*→\s*)/, '');
    // an override's message names its path: the field holds many
    const message = key === 'parameters' && rest ? `${rest}: ${issue.message}` : issue.message;
    if (key && !(key in fields)) fields[key] = message;
  }
  return {
    fields,
    general: issues.length === 0 || Object.keys(fields).length === 0 ? error.message : null,
  };
}

/**
 * The general message plus every field message that no input of the form shows (`mode:
 * …`), so that nothing the API said goes unseen.
 */
export function unshownErrors(errors: FieldErrors, shown: ReadonlySet<string>): string {
  const elsewhere = Object.entries(errors.fields)
    .filter(([field]) => !shown.has(field))
    .map(([field, message]) => `${field}: ${message}`);
  return [errors.general, ...elsewhere].filter(Boolean).join('; ');
}
