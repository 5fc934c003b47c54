// The JSON body parser's shortcut answers every body exactly as Fastify's own parser does:
// the same status, the same parsed value, the same refusal of poisoned keys.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installJsonBodyParser } from '../src/json-body-parser.js';

function echoApp(shortcut: boolean): FastifyInstance {
  const app = Fastify();
  if (shortcut) installJsonBodyParser(app);
  app.post('/echo', async (request) => ({
    body: request.body,
    // an own __proto__ key would show here; a polluted prototype would too
    keys: request.body && typeof request.body === 'object' ? Object.keys(request.body) : null,
    polluted: ({} as Record<string, unknown>).polluted ?? null,
  }));
  return app;
}

const BODIES = [
  '{"a":1,"b":[1,2,{"c":null}],"d":"text"}',
  '[1,2,3]',
  '42',
  '"a string"',
  'null',
  `{"artifacts":[{"name":"result-full.bin","base64":"${randomBytes(30_000).toString('base64')}"}]}`,
  '{"__proto__":{"polluted":true}}',
  '{"a":{"__proto__":{"polluted":true}}}',
  '{"\\u005f_proto__":{"polluted":true}}',
  '{"_\\u005Fproto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"c\\u006fnstructor":{"prototype":{"polluted":true}}}',
  '{"note":"the word constructor in a value"}',
  '{"note":"proto in a value"}',
  '{"é":"\\u00e9"}',
  '\uFEFF{"bom":true}',
  '',
  '{"unterminated":',
  '{bad json}',
  ' { "spaced" : true } ',
];

describe('installJsonBodyParser', () => {
  const plain = echoApp(false);
  const shortcut = echoApp(true);
  after(async () => {
    await plain.close();
    await shortcut.close();
  });

  for (const [i, body] of BODIES.entries()) {
    for (const contentType of ['application/json', 'application/json; charset=utf-8']) {
      it(`answers body #${i} (${contentType}) as Fastify's parser does`, async () => {
        const send = (app: FastifyInstance) =>
          app.inject({
            method: 'POST',
            url: '/echo',
            payload: body,
            headers: { 'content-type': contentType },
          });
        const [expected, got] = await Promise.all([send(plain), send(shortcut)]);
        assert.equal(got.statusCode, expected.statusCode);
        assert.deepEqual(JSON.parse(got.body), JSON.parse(expected.body));
      });
    }
  }

  it('refuses a poisoned key and an empty body, and parses a plain one', async () => {
    const send = (payload: string) =>
      shortcut.inject({
        method: 'POST',
        url: '/echo',
        payload,
        headers: { 'content-type': 'application/json' },
      });
    assert.equal((await send('{"__proto__":{"polluted":true}}')).statusCode, 400);
    assert.equal((await send('{"c\\u006fnstructor":{"prototype":{}}}')).statusCode, 400);
    assert.equal((await send('')).statusCode, 400);
    assert.deepEqual(JSON.parse((await send('{"a":[1]}')).body).body, { a: [1] });
  });
});
