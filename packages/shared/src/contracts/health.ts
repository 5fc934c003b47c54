import Type, { type Static } from 'typebox';

/** The backend's `GET /health` answer (open, no token). */
export const BackendHealthSchema = Type.Object({
  status: Type.Literal('ok'),
  service: Type.Literal('backend'),
  version: Type.String(),
  uptime_seconds: Type.Number(),
  workers: Type.Integer({ minimum: 0 }),
});
/** See {@link BackendHealthSchema}. */
export type BackendHealth = Static<typeof BackendHealthSchema>;
