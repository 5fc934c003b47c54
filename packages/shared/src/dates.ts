const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses `YYYY-MM-DD` (as 00:00 UTC) or an ISO-8601 timestamp (UTC unless it names an
 * offset) into epoch ms. Returns `undefined` for anything else, including impossible
 * dates such as 2021-02-30, so callers can name the bad field.
 */
export function parseDateInput(value: string): number | undefined {
  const text = value.trim();
  if (DATE_ONLY.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
    return ms;
  }
  if (!ISO_LIKE.test(text)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const ms = Date.parse(hasZone ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) return undefined;
  const day = text.slice(0, 10);
  if (!hasZone && new Date(ms).toISOString().slice(0, 10) !== day) return undefined;
  return ms;
}

/** Epoch ms → ISO-8601 UTC string. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
