// The Agent and connector loaded from undici's own files are the index's (so nothing
// differs but the memory), those files are where this module looks (if a new undici moves
// them, this fails; the module would still work, loading the whole index), and a process
// that loads only them makes requests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import * as undici from 'undici';
import { Agent, buildConnector } from '../src/undici-agent.js';

const require = createRequire(import.meta.url);

/** In a fresh process: a request through the Agent to a loopback server, and whether undici's index was loaded. */
const CHILD = `
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
const { Agent } = await import(${JSON.stringify(new URL('../src/undici-agent.ts', import.meta.url).href)});
const server = createServer((_, res) => res.end('pong')).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const agent = new Agent();
const answer = await agent.request({ origin: 'http://127.0.0.1:' + server.address().port, path: '/', method: 'GET' });
const text = await answer.body.text();
const index = createRequire(import.meta.url).resolve('undici');
console.log(JSON.stringify({ status: answer.statusCode, text, indexLoaded: index in createRequire(import.meta.url).cache }));
await agent.close();
server.close();
`;

describe("undici's Agent without its index", () => {
  it('is the same Agent and buildConnector the index exports', () => {
    assert.equal(Agent, undici.Agent);
    assert.equal(buildConnector, undici.buildConnector);
  });

  it("comes from undici's files, not from the index", () => {
    assert.equal(require('undici/lib/dispatcher/agent.js'), undici.Agent);
    assert.equal(require('undici/lib/core/connect.js'), undici.buildConnector);
  });

  it('makes requests in a process that never loads the index', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').at(-1)!), {
      status: 200,
      text: 'pong',
      indexLoaded: false,
    });
  });
});
