import { ApiError } from '@ktrdr/shared';

/** The API's validation issues by field (`{start_date: "is before…"}`), plus what names no field. */
export function fieldErrors(error: unknown): {
  fields: Record<string, string>;
  general: string | null;
} {
  if (!(error instanceof ApiError))
    return { fields: {}, general: error ? String((error as Error).message ?? error) : null };
  const issues = (error.details?.issues as { path: string; message: string }[] | undefined) ?? [];
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.split('.')[0] ?? '';
    if (key && !(key in fields)) fields[key] = issue.message;
  }
  return {
    fields,
    general: issues.length === 0 || Object.keys(fields).length === 0 ? error.message : null,
  };
}
