import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IB_PACING_RULES } from '../../src/pacing/pacer.js';
import { IbHostConfigError, loadIbHostConfig } from '../../src/config.js';

const TOKEN = { KTRDR_CLUSTER_TOKEN: 'secret' };

describe('IB host configuration', () => {
  it('has the documented defaults', () => {
    const config = loadIbHostConfig(TOKEN);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 5001);
    assert.deepEqual(config.gateway, { host: '127.0.0.1', port: 4002, clientId: 17 });
    assert.equal(config.pacing, IB_PACING_RULES);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.connectWaitMs, 60_000);
  });

  it('reads the environment, and flags override it', () => {
    const config = loadIbHostConfig(
      {
        ...TOKEN,
        KTRDR_IB_HOST_PORT: '0',
        IB_GATEWAY_HOST: 'gw.local',
        IB_GATEWAY_PORT: '7497',
        IB_CLIENT_ID: '3',
        KTRDR_IB_PACING: 'off',
        KTRDR_IB_CONNECT_WAIT_MS: '500',
      },
      ['--gateway-port', '4001', '--client-id=9'],
    );
    assert.equal(config.port, 0);
    assert.deepEqual(config.gateway, { host: 'gw.local', port: 4001, clientId: 9 });
    assert.equal(config.pacing, undefined);
    assert.equal(config.connectWaitMs, 500);
  });

  it('stops on a bad value with one line naming the variable', () => {
    const fails = (env: Record<string, string>, pattern: RegExp, argv: string[] = []) =>
      assert.throws(
        () => loadIbHostConfig({ ...TOKEN, ...env }, argv),
        (error: unknown) =>
          error instanceof IbHostConfigError &&
          pattern.test(error.message) &&
          !error.message.includes('\n'),
      );
    fails({ KTRDR_CLUSTER_TOKEN: '' }, /^KTRDR_CLUSTER_TOKEN \(--token\) is required/);
    fails({ KTRDR_IB_HOST_PORT: 'http' }, /^KTRDR_IB_HOST_PORT="http" is not a port number/);
    fails({ IB_GATEWAY_PORT: '0' }, /^IB_GATEWAY_PORT="0" must be a whole number from 1 to 65535/);
    fails({ IB_CLIENT_ID: '-1' }, /^IB_CLIENT_ID="-1"/);
    fails({ KTRDR_IB_PACING: 'sometimes' }, /^KTRDR_IB_PACING="sometimes" must be true or false/);
    fails({ KTRDR_LOG_LEVEL: 'loud' }, /^KTRDR_LOG_LEVEL="loud"/);
    fails({}, /^unknown option "--gateway"/, ['--gateway', 'x']);
  });
});
