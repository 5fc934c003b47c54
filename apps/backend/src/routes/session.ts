import { networkInterfaces } from 'node:os';
import {
  ClusterInfoSchema,
  Routes,
  SessionRequestSchema,
  SessionResponseSchema,
} from '@ktrdr/shared';
import {
  errorResponses,
  safeEqual,
  SESSION_COOKIE,
  sessionValue,
  type TypedServer,
} from '@ktrdr/server-kit';
import Type from 'typebox';
import type { BackendContext } from '../context.js';

function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** The web UI's session, the cluster's join information, and the (for now empty) model store. */
export function sessionRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    Routes.backend.session,
    {
      // public: this is where a browser proves it has the token
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Exchange the token for an HttpOnly, SameSite=Strict session cookie (the web UI)',
        body: SessionRequestSchema,
        response: { 200: SessionResponseSchema, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      // a sign-in with a wrong token is a guess like any other: slowed down the same way
      if (!safeEqual(request.body.token, ctx.token())) return app.rejectWrongToken(request, reply);
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${sessionValue(ctx.token())}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000${secure}`,
      );
      return { authenticated: true as const };
    },
  );

  app.delete(
    Routes.backend.session,
    {
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Forget the session cookie',
        response: { 204: Type.Null() },
      },
    },
    async (_request, reply) =>
      reply
        .header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`)
        .code(204)
        .send(null),
  );

  app.get(
    Routes.backend.cluster,
    {
      schema: {
        tags: ['system'],
        summary:
          'Where this backend listens and the command that joins a worker from another machine',
        response: { 200: ClusterInfoSchema },
      },
    },
    async () => {
      const { host } = ctx.config;
      const port = Number(new URL(ctx.url()).port);
      const allInterfaces = host === '0.0.0.0' || host === '::';
      const address = allInterfaces ? lanAddress() : undefined;
      const scheme = ctx.tlsFingerprint ? 'https' : 'http';
      const lanUrl = address ? `${scheme}://${address}:${port}` : null;
      // TLS mode: the worker trusts exactly this certificate
      const pin = ctx.tlsFingerprint ? ` KTRDR_BACKEND_FINGERPRINT=${ctx.tlsFingerprint}` : '';
      const dockerPin = ctx.tlsFingerprint
        ? ` -e KTRDR_BACKEND_FINGERPRINT=${ctx.tlsFingerprint}`
        : '';
      return {
        version: ctx.version,
        listening: { host, port },
        accepts_lan_workers: allInterfaces,
        lan_url: lanUrl,
        join_command: lanUrl
          ? `KTRDR_BACKEND_URL=${lanUrl}${pin} KTRDR_JOIN_TOKEN=${ctx.tokens.join()} npx ktrdr-worker --type backtesting`
          : null,
        // Linux hosts: host networking lets the backend call the container back on the host's
        // address; the image is built from this repository (docker build -t ktrdr-worker .)
        docker_command: lanUrl
          ? `docker run -d --restart unless-stopped --network host --stop-timeout 30 -e KTRDR_BACKEND_URL=${lanUrl}${dockerPin} -e KTRDR_JOIN_TOKEN=${ctx.tokens.join()} -e KTRDR_WORKER_TYPE=backtesting -e KTRDR_WORKER_PORT=0 ktrdr-worker`
          : null,
        join_hint: allInterfaces
          ? address
            ? null
            : 'this machine has no LAN address'
          : // the UI adds how to change it: a setting in the desktop app, KTRDR_HOST elsewhere
            `the backend listens on ${host} only, so other machines cannot reach it`,
        tls_fingerprint: ctx.tlsFingerprint,
        data_dir: ctx.config.dataDir,
      };
    },
  );
}
