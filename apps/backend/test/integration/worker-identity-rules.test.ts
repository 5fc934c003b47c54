// The rule that decides whether a registration may take a worker id someone already holds
// (docs/deployment.md, "Cloned machines"), fact by fact, without processes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  judgeIdClaim,
  workerIdInUse,
  type HolderFacts,
  type HolderProbe,
  type IdClaim,
} from '../../src/workers/worker-identity.js';
import type { WorkerRecord } from '../../src/workers/worker-registry.js';

const NOW = 1_000_000;
const SECRET_A = 'a'.repeat(43);
const SECRET_B = 'b'.repeat(43);

function holder(overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    worker_id: 'backtesting-trader-pc-5003',
    worker_type: 'backtesting',
    endpoint_url: 'http://198.18.5.11:5003',
    connection: 'direct',
    status: 'busy',
    capabilities: { gpu: false, cpu_cores: 4, memory_mb: 4096, version: 'test' },
    callback_token: SECRET_A,
    current_operation_id: 'op_backtest_20240101_000000_abcdef01',
    current_attempt: 1,
    registered_at: NOW - 60_000,
    last_heard_at: NOW - 400,
    last_heartbeat_at: NOW - 400,
    last_dispatched_at: 0,
    idle_mismatch_since: null,
    probing: false,
    ...overrides,
  };
}

function claim(overrides: Partial<IdClaim> = {}): IdClaim {
  return {
    worker_id: 'backtesting-trader-pc-5003',
    connection: 'direct',
    endpoint: 'http://198.18.5.12:5003',
    callback_token: SECRET_B,
    ownCredential: false,
    ...overrides,
  };
}

/** Facts with a probe that answers `answer` and counts its calls. */
function facts(answer: HolderProbe, overrides: Partial<HolderFacts> = {}) {
  const probes = { count: 0 };
  const f: HolderFacts = {
    now: NOW,
    silentAfterMs: 3000,
    channelOpen: false,
    channelClosedAt: undefined,
    probe: () => {
      probes.count++;
      return Promise.resolve(answer);
    },
    ...overrides,
  };
  return { f, probes };
}

describe('worker identity: who may take an id that is held', () => {
  it('the same worker always may, without calling the holder: its credential, its secret', async () => {
    for (const [what, c] of [
      ['own credential', claim({ ownCredential: true })],
      [
        'same secret (same process, e.g. after a credential rotation)',
        claim({ callback_token: SECRET_A }),
      ],
    ] as const) {
      const { f, probes } = facts('proven');
      const verdict = await judgeIdClaim(holder(), c, f);
      assert.equal(verdict.replace, true, what);
      assert.equal(probes.count, 0, `${what}: no probe`);
    }
  });

  it('the same endpoint is a restart, unless the holder still accepts its own secret there', async () => {
    const restart = claim({ endpoint: 'http://198.18.5.11:5003' });
    // the process there now refuses the old secret (a new process), or it just died
    for (const answer of ['other', 'refused', 'silent', 'same'] as const)
      assert.equal((await judgeIdClaim(holder(), restart, facts(answer).f)).replace, true, answer);
    // a clone that advertises the live worker's URL (KTRDR_WORKER_PUBLIC_URL baked into an image)
    const impostor = await judgeIdClaim(holder(), restart, facts('proven').f);
    assert.equal(impostor.replace, false);
    // a holder that gave no secret cannot be told apart: a restart, as before
    const { f, probes } = facts('proven');
    assert.equal((await judgeIdClaim(holder({ callback_token: null }), restart, f)).replace, true);
    assert.equal(probes.count, 0);
  });

  it('another direct worker: refused while the holder answers as itself, even when silent', async () => {
    for (const h of [
      holder(),
      holder({ status: 'temporarily_unavailable', last_heard_at: NOW - 10_000 }),
    ]) {
      for (const answer of ['proven', 'same'] as const) {
        const { f, probes } = facts(answer);
        const verdict = await judgeIdClaim(h, claim(), f);
        assert.deepEqual(verdict, { replace: false, why: 'it answers at its endpoint' });
        assert.equal(probes.count, 1);
      }
    }
  });

  it('another direct worker takes the id of one that is gone: refused connection, or its address now another process', async () => {
    // heard from a moment ago, but killed since: the probe tells
    assert.equal((await judgeIdClaim(holder(), claim(), facts('refused').f)).replace, true);
    assert.equal((await judgeIdClaim(holder(), claim(), facts('other').f)).replace, true);
  });

  it('no answer from the holder: refused while it heartbeats, replaced once it is silent', async () => {
    assert.equal((await judgeIdClaim(holder(), claim(), facts('silent').f)).replace, false);
    const silent = holder({ status: 'temporarily_unavailable', last_heard_at: NOW - 4000 });
    assert.equal((await judgeIdClaim(silent, claim(), facts('silent').f)).replace, true);
    // past the missed heartbeats, before the sweep marked it
    const quiet = holder({ last_heard_at: NOW - 3500 });
    assert.equal((await judgeIdClaim(quiet, claim(), facts('silent').f)).replace, true);
  });

  it('a reverse holder: live while its channel is open and it heartbeats; open but silent, only if it answers down it', async () => {
    const reverse = holder({
      connection: 'reverse',
      endpoint_url: 'channel:backtesting-trader-pc-5003',
    });
    const c = claim({ connection: 'reverse', endpoint: 'channel:backtesting-trader-pc-5003' });
    const open = facts('silent', { channelOpen: true });
    assert.equal((await judgeIdClaim(reverse, c, open.f)).replace, false);
    assert.equal(open.probes.count, 0, 'heartbeating over an open channel: no probe needed');
    const quiet = {
      ...reverse,
      status: 'temporarily_unavailable' as const,
      last_heard_at: NOW - 5000,
    };
    assert.equal(
      (await judgeIdClaim(quiet, c, facts('same', { channelOpen: true }).f)).replace,
      false,
    );
    assert.equal(
      (await judgeIdClaim(quiet, c, facts('silent', { channelOpen: true }).f)).replace,
      true,
    );
    // the same endpoint means nothing for reverse workers: every one of them is `channel:<id>`
    assert.equal((await judgeIdClaim(reverse, c, open.f)).replace, false);
  });

  it('a reverse holder whose channel closed: gone, unless it was heard since (its channel reconnecting)', async () => {
    const reverse = holder({
      connection: 'reverse',
      endpoint_url: 'channel:x',
      last_heard_at: NOW - 800,
    });
    const c = claim({ connection: 'reverse', endpoint: 'channel:x' });
    // killed: its connections closed at once and it has not been heard since
    const died = facts('same', { channelClosedAt: NOW - 300 });
    assert.equal((await judgeIdClaim(reverse, c, died.f)).replace, true);
    assert.equal(died.probes.count, 0);
    // a blip: the channel dropped but heartbeats go on
    assert.equal(
      (await judgeIdClaim(reverse, c, facts('same', { channelClosedAt: NOW - 900 }).f)).replace,
      false,
    );
    // registered a moment ago, its channel not open yet
    assert.equal((await judgeIdClaim(reverse, c, facts('same').f)).replace, false);
    // and the same process (after a rotation of credentials) keeps its id
    assert.equal(
      (await judgeIdClaim(reverse, claim({ ...c, callback_token: SECRET_A }), facts('same').f))
        .replace,
      true,
    );
  });

  it("the 409 names the live worker's endpoint and KTRDR_WORKER_ID", () => {
    const error = workerIdInUse('backtesting-trader-pc-5003', holder());
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'WORKER_ID_IN_USE');
    assert.equal(
      error.message,
      'worker id "backtesting-trader-pc-5003" is in use by a live worker at http://198.18.5.11:5003; give this worker its own id with KTRDR_WORKER_ID (or stop the other one)',
    );
    assert.deepEqual(error.details, {
      worker_id: 'backtesting-trader-pc-5003',
      live_endpoint: 'http://198.18.5.11:5003',
      live_connection: 'direct',
    });
    assert.match(
      workerIdInUse('w', holder(), true).message,
      /\(or stop the other one\); this worker advertises that same address, which is not its own \(check KTRDR_WORKER_PUBLIC_URL\)$/,
    );
    const reverse = workerIdInUse(
      'w',
      holder({ connection: 'reverse', endpoint_url: 'channel:w' }),
    );
    assert.match(reverse.message, /in use by a live worker connected over its channel/);
    assert.equal(reverse.details?.live_endpoint, null);
  });
});
