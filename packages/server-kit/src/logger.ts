import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';

/**
 * The service logger (JSON lines on stdout). Request headers are never logged, so tokens
 * cannot leak into logs; `level: 'silent'` for tests.
 */
export function createLogger(level: string, name?: string): FastifyBaseLogger {
  return pino({ level, ...(name ? { name } : {}) });
}
