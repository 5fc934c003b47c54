import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { NotFoundError, rawReply, type TypedServer } from '@ktrdr/server-kit';

/** The web UI's Content-Security-Policy: its own scripts only, API calls to itself only. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // the component library sets inline style attributes
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const API_PREFIXES = ['/api/', '/docs', '/metrics', '/health'];

/**
 * Serves the built web UI at `/` (public: static files hold no data; every API call the
 * UI makes needs the session cookie or the token). Paths that are not files get
 * `index.html`, so the UI's own routes survive a reload; unknown API paths stay 404s.
 */
export async function webRoutes(app: TypedServer, webDir: string): Promise<void> {
  await app.register(fastifyStatic, { root: webDir, serve: false });
  app.get(
    '/*',
    { config: { public: true }, schema: { hide: true } },
    async (request, typedReply) => {
      const reply = rawReply(typedReply);
      const path = decodeURIComponent(request.url.split('?')[0] ?? '/');
      if (API_PREFIXES.some((p) => path.startsWith(p)))
        throw new NotFoundError('route', `${request.method} ${path}`);
      const relative = normalize(path).replace(/^([/\\])+/, '');
      const file = join(webDir, relative);
      if (
        relative &&
        !relative.startsWith('..') &&
        file.startsWith(webDir + sep) &&
        existsSync(file) &&
        statSync(file).isFile()
      ) {
        // hashed asset names never change: cache them; the page itself always revalidates
        const immutable = relative.startsWith(`assets${sep}`);
        return reply
          .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
          .sendFile(relative);
      }
      return reply
        .header('content-security-policy', WEB_CSP)
        .header('cache-control', 'no-cache')
        .sendFile('index.html');
    },
  );
}
