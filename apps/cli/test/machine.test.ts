import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { electronBinaryStatus, PART_IDS, type DoctorReport } from '@ktrdr/doctor';
import { freePort } from '@ktrdr/testkit';
import { ktrdr } from './ktrdr-process.js';

const base = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' });

// `ktrdr doctor` and `ktrdr setup`: they look at this machine and never need a backend
describe('ktrdr doctor and ktrdr setup (the real binary, no backend)', () => {
  it('doctor prints one line per optional part and the summary; --json has the same parts', async () => {
    const port = await freePort();
    const env = { ...base(), IB_GATEWAY_PORT: String(port) };
    const text = await ktrdr(['doctor'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`missing\\s+IB Gateway / TWS\\s+nothing answers at 127\\.0\\.0\\.1:${port}`),
    );
    assert.match(text.stdout, /\n\s+fix: start IB Gateway or TWS/);
    assert.match(
      text.stdout,
      /\ndoctor: \d+ of \d+ optional parts ready here; missing: .*IB Gateway \/ TWS/,
    );
    const json = await ktrdr(['--json', 'doctor'], env);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as DoctorReport;
    assert.deepEqual(
      report.parts.map((p) => p.id),
      [...PART_IDS],
    );
    const electron = report.parts.find((p) => p.id === 'electron');
    if (!electronBinaryStatus().installed)
      assert.deepEqual([electron?.state, electron?.fix], ['missing', 'npx ktrdr setup desktop']);
  });

  it('setup desktop says why the download failed and how to retry, with exit code 1', async (t) => {
    if (electronBinaryStatus().installed) return t.skip('the Electron binary is installed here');
    const port = await freePort();
    const run = await ktrdr(['setup', 'desktop', '--timeout', '30'], {
      ...base(),
      ELECTRON_MIRROR: `http://127.0.0.1:${port}/`,
    });
    assert.equal(run.code, 1, run.stdout);
    assert.match(
      run.stderr,
      new RegExp(
        `ktrdr: the Electron download failed: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}; retry with: npx ktrdr setup desktop`,
      ),
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  it('setup gpu refuses where no NVIDIA driver is loaded, with exit code 2', async (t) => {
    const drivers = await ktrdr(['--json', 'doctor'], base());
    const driver = (JSON.parse(drivers.stdout) as DoctorReport).parts.find(
      (p) => p.id === 'nvidia-driver',
    );
    if (driver?.state === 'ok') return t.skip('this machine has an NVIDIA driver');
    const run = await ktrdr(['setup', 'gpu'], base());
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /ktrdr: not set up: no NVIDIA (GPU and )?driver/);
  });

  it('a bad part or timeout is named', async () => {
    const part = await ktrdr(['setup', 'cuda'], base());
    assert.equal(part.code, 2);
    assert.match(part.stderr, /must be one of desktop, gpu/);
    const timeout = await ktrdr(['setup', 'desktop', '--timeout', '-3'], base());
    assert.equal(timeout.code, 2);
    assert.match(timeout.stderr, /--timeout must be a number of seconds > 0, got "-3"/);
  });
});
