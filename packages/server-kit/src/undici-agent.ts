/**
 * undici's `Agent` and `buildConnector` without the rest of undici. Its index loads
 * everything it offers (fetch, WebSocket, caches, mocks…) at import: about 20 MiB of RSS
 * in a bare process against 12 MiB for the Agent with its request API, and a worker needs
 * only those. This loads undici's own files the way its index does (the same files, and
 * the same `Object.assign(Dispatcher.prototype, api)` that gives every dispatcher
 * `request`, `stream`…). Should a later undici move them, the index is loaded instead:
 * more memory, never broken. The test holds the files to the index's exports.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

function load(): Pick<typeof Undici, 'Agent' | 'buildConnector'> {
  try {
    const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
    const buildConnector = require('undici/lib/core/connect.js') as typeof Undici.buildConnector;
    const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
    const api = require('undici/lib/api/index.js') as Record<string, unknown>;
    if (typeof Agent === 'function' && typeof buildConnector === 'function') {
      Object.assign(Dispatcher.prototype, api);
      return { Agent, buildConnector };
    }
  } catch {
    // moved in this undici: the index has them
  }
  return require('undici') as typeof Undici;
}

const loaded = load();
export const Agent = loaded.Agent;
export type Agent = Undici.Agent;
export const buildConnector = loaded.buildConnector;
