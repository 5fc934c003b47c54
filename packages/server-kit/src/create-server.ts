import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { UnauthorizedError } from './errors.js';
import { installErrorHandling } from './error-handler.js';
import type { Authenticator } from './auth.js';
import { createValidatorCompiler } from './validation.js';

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
  }
  interface FastifyInstance {
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
  /** Decides whether a request to a non-public route is allowed. */
  authenticate: Authenticator;
  /** The logger to use (see `createLogger`). */
  logger: FastifyBaseLogger;
  bodyLimit?: number;
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
  const app = Fastify({
    loggerInstance: options.logger,
    // one line per request would drown the heartbeats' signal; errors are still logged
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    forceCloseConnections: true,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as TypedServer;

  app.setValidatorCompiler(createValidatorCompiler());
  // bodies are JSON unless a route says otherwise (a route that takes CSV registers its own)
  app.removeContentTypeParser('text/plain');
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

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public === true) return;
    if (!options.authenticate(request)) throw new UnauthorizedError();
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
