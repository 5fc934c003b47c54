import { ErrorResponseSchema } from '@ktrdr/shared';

/** Error responses for a route schema, so the OpenAPI document shows what can go wrong. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponseSchema> {
  const out: Record<number, typeof ErrorResponseSchema> = { 401: ErrorResponseSchema };
  for (const status of statuses) out[status] = ErrorResponseSchema;
  return out;
}
