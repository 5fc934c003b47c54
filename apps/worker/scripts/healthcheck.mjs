#!/usr/bin/env node
// The container's HEALTHCHECK: a worker started with KTRDR_WORKER_PORT=0 picks its own port
// and writes the URL it bound to <cache dir>/worker.url; ask that URL's /health.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const cacheDir = process.env.KTRDR_CACHE_DIR || '/var/cache/ktrdr';
try {
  const url = readFileSync(join(cacheDir, 'worker.url'), 'utf8').trim();
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2500) });
  const body = await response.json();
  process.exit(response.ok && body.status === 'ok' ? 0 : 1);
} catch {
  process.exit(1);
}
