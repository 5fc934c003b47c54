import {
  Routes,
  TokenRotateRequestSchema,
  TokenRotateResponseSchema,
  type TokenRotateResponse,
} from '@ktrdr/shared';
import { errorResponses, SESSION_COOKIE, sessionValue, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';

/** Token rotation (admin only): nothing restarts, workers included. */
export function tokenRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    Routes.backend.tokensRotate,
    {
      schema: {
        tags: ['system'],
        summary:
          "Replace the admin or the join token, or revoke every worker's credential; the old secret stops working at once",
        body: TokenRotateRequestSchema,
        response: { 200: TokenRotateResponseSchema, ...errorResponses(400) },
      },
    },
    async (request, reply): Promise<TokenRotateResponse> => {
      const { kind } = request.body;
      request.log.info({ kind }, 'token rotated');
      if (kind === 'workers') {
        const revoked = ctx.credentials.revokeAll();
        return {
          kind,
          token: null,
          persisted_to: null,
          revoked,
          note: `${revoked} worker credential(s) revoked; each worker registers again with the join token at its next heartbeat and gets a new one`,
        };
      }
      const { token, persisted_to } = ctx.tokens.rotate(kind);
      if (kind === 'admin') {
        // this UI keeps its session: the cookie is re-issued for the new token
        const secure = request.protocol === 'https' ? '; Secure' : '';
        reply.header(
          'set-cookie',
          `${SESSION_COOKIE}=${sessionValue(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000${secure}`,
        );
      }
      const where = persisted_to
        ? `written to ${persisted_to}`
        : `from the environment, so it lasts until the backend restarts: update ${kind === 'admin' ? 'KTRDR_CLUSTER_TOKEN' : 'KTRDR_JOIN_TOKEN'} too`;
      return {
        kind,
        token,
        persisted_to,
        revoked: 0,
        note:
          kind === 'admin'
            ? `new admin token ${where}; other UIs and CLIs must use it now (the CLI on this machine reads the file); workers are not affected`
            : `new join token ${where}; running workers keep working with their own credentials; new workers need the new token`,
      };
    },
  );
}
