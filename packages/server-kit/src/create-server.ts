import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { ForbiddenError, UnauthorizedError } from './errors.js';
import { AuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottleOptions } from './auth-throttle.js';
import {
  clientErrorHandler,
  frameworkErrorHandler,
  installErrorHandling,
  MAX_PARAM_LENGTH,
} from './error-handler.js';
import { bearerToken, type Authenticator, type GrantableRole, type Principal } from './auth.js';
import { createValidatorCompiler } from './validation.js';
import { installJsonBodyParser } from './json-body-parser.js';

/**
 * In a bundle (the desktop app, the worker image; the bundler defines KTRDR_BUNDLED) the
 * API docs UI's files sit beside the bundle file: swagger-ui would otherwise look for them
 * one folder up from its own code, which the bundle has moved.
 */
function bundledSwaggerUiFiles(): { baseDir?: string } {
  return process.env.KTRDR_BUNDLED === '1'
    ? { baseDir: fileURLToPath(new URL('./static', import.meta.url)) }
    : {};
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a token (only `GET /health` and the web UI's static files). */
    public?: boolean;
    /** Roles besides admin that may call this route (handlers check whose resource it is). */
    access?: readonly GrantableRole[];
  }
  interface FastifyRequest {
    /** Who sent the request (set for every non-public route once authenticated). */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /**
     * Answers a wrong token with 401 — after the delay repeated wrong tokens from this
     * address have earned (for routes that check a token themselves, like a sign-in).
     */
    rejectWrongToken(request: FastifyRequest, reply: FastifyReply): Promise<never>;
    /** Every route registered on this server, for tests that must cover them all. */
    routeTable: RouteEntry[];
  }
}

/** One registered route. */
export interface RouteEntry {
  method: string;
  url: string;
  public: boolean;
}

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Shown in the OpenAPI document. */
  title: string;
  version: string;
  description?: string;
  /** Decides who a request to a non-public route comes from (none: 401). */
  authenticate: Authenticator;
  /** How wrong tokens are slowed down (default: {@link DEFAULT_AUTH_THROTTLE}). */
  authThrottle?: AuthThrottleOptions;
  /** The logger to use (see `createLogger`). */
  logger: FastifyBaseLogger;
  bodyLimit?: number;
  /** Serve HTTPS with this key pair (PEM). */
  https?: { key: string; cert: string };
}

/** A Fastify instance typed with TypeBox. */
export type TypedServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * Builds the Fastify plumbing every service shares: TypeBox validation with readable
 * errors, one error handler, bearer auth on every route not marked `public`, the
 * OpenAPI document at `/docs/json` and its UI at `/docs` (both behind the token), and a
 * table of routes. Register routes on the result; it never listens by itself.
 */
export async function createServer(options: ServerOptions): Promise<TypedServer> {
  const app: TypedServer = Fastify({
    loggerInstance: options.logger,
    // one line per request would drown the heartbeats' signal; errors are still logged
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ...(options.https ? { https: options.https } : {}),
    forceCloseConnections: true,
    return503OnClosing: true,
    // long ids reach the route's schema, which names the field (the default, 100, answers 414)
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(createValidatorCompiler());
  // bodies are JSON unless a route says otherwise (a route that takes CSV registers its own)
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);
  installErrorHandling(app);

  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' && route.url !== '/health') continue;
      routeTable.push({ method, url: route.url, public: route.config?.public === true });
    }
  });

  const throttle = new AuthThrottle(options.authThrottle ?? DEFAULT_AUTH_THROTTLE);
  const rejectWrongToken = async (request: FastifyRequest, reply: FastifyReply) => {
    const delay = throttle.failed(request.ip);
    if (delay > 0) {
      reply.header('retry-after', String(Math.ceil(delay / 1000)));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    throw new UnauthorizedError();
  };
  app.decorate('rejectWrongToken', rejectWrongToken);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config?.public === true) return;
    const principal = options.authenticate(request);
    if (!principal) {
      // a wrong guess (not a missing token) costs time once there have been too many
      if (bearerToken(request) !== undefined) await rejectWrongToken(request, reply);
      throw new UnauthorizedError();
    }
    request.principal = principal;
    if (principal.role !== 'admin' && !(config?.access ?? []).includes(principal.role)) {
      throw new ForbiddenError(
        principal.role === 'join'
          ? `a join token can only register a worker (POST /api/v1/workers/register); ${request.method} ${request.routeOptions.url ?? request.url} needs the admin token`
          : `a worker's credential is good only for that worker's heartbeats, reports, artifacts and the data and models its jobs need; ${request.method} ${request.routeOptions.url ?? request.url} needs the admin token`,
      );
    }
  });

  await app.register(swagger, {
    openapi: {
      info: { title: options.title, version: options.version, description: options.description },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', ...bundledSwaggerUiFiles() });
  return app;
}
