import Type, { type TSchema, type TUnsafe } from 'typebox';

/**
 * A string restricted to a fixed set of values, emitted as a plain JSON Schema `enum`
 * so that validation errors read "must be one of: a, b" instead of one error per branch.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** `T | null`, the shape of every field that exists on the wire but may not be set yet. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** An ISO-8601 UTC timestamp such as `2026-11-28T15:45:06.123Z`. */
export const IsoDateTime = Type.String({
  description: 'ISO-8601 timestamp in UTC',
  examples: ['2026-11-28T15:45:06.123Z'],
});

/** A calendar date (`YYYY-MM-DD`) or a full ISO-8601 timestamp, as accepted by the start routes. */
export const DateInput = Type.String({
  minLength: 10,
  maxLength: 40,
  description: 'YYYY-MM-DD or an ISO-8601 timestamp (UTC unless an offset is given)',
  examples: ['2015-01-01'],
});

/** An arbitrary JSON object (`metadata`, `context`): kept open on purpose. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());
