/**
 * The typed client's cost per request over loopback, through Node's own `fetch` and through
 * `undiciFetch` (undici's `request`): `node --expose-gc bench/dist/one.js httpClient 2000`.
 * One small JSON POST at a time to an HTTP server in this process (a report's shape and
 * size); CPU is this process's, so it counts the client and the server together.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { undiciFetch } from '@ktrdr/server-kit/undici-fetch';
import { BackendClient } from '@ktrdr/shared';
import { Agent } from 'undici';
import { median } from './proc-stats.js';

/** µs per request, median of the rounds, per transport. */
export interface HttpClientCost {
  requests: number;
  rounds: number;
  fetch: { wallUs: number; cpuUs: number };
  undiciRequest: { wallUs: number; cpuUs: number };
}

export async function httpClientCost(requests = 2000, rounds = 3): Promise<HttpClientCost> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"accepted":true,"status":"running"}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const clients = {
    fetch: new BackendClient({ baseUrl, token: 't', dispatcher: agent }),
    undiciRequest: new BackendClient({ baseUrl, token: 't', fetch: undiciFetch(agent) }),
  };
  const body = {
    worker_id: 'w',
    attempt: 1,
    status: 'running',
    progress: { pad: 'x'.repeat(300) },
  };
  const samples = {
    fetch: { wall: [] as number[], cpu: [] as number[] },
    undiciRequest: { wall: [] as number[], cpu: [] as number[] },
  };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [name, client] of Object.entries(clients) as [
        keyof typeof clients,
        BackendClient,
      ][]) {
        for (let i = 0; i < 200; i++) await client.http.request('POST', '/r', { body });
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < requests; i++) await client.http.request('POST', '/r', { body });
        const cpu = process.cpuUsage(cpu0);
        samples[name].wall.push(((performance.now() - t0) * 1000) / requests);
        samples[name].cpu.push((cpu.user + cpu.system) / requests);
      }
    }
  } finally {
    server.close();
    await agent.close();
  }
  const of = (s: { wall: number[]; cpu: number[] }) => ({
    wallUs: Math.round(median(s.wall)),
    cpuUs: Math.round(median(s.cpu)),
  });
  return { requests, rounds, fetch: of(samples.fetch), undiciRequest: of(samples.undiciRequest) };
}
