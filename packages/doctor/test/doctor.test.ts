import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, tempDir } from '@ktrdr/testkit';
import { PART_IDS, runDoctor, setupGpu, summarize, type PartReport } from '../src/index.js';

const part = (parts: PartReport[], id: string) => {
  const found = parts.find((p) => p.id === id);
  assert.ok(found, `no part ${id}`);
  return found;
};

describe('ktrdr doctor', () => {
  it('reports every optional part once, in order, each with a state and a fix when missing', async () => {
    const port = await freePort();
    const report = await runDoctor({ ibGateway: { host: '127.0.0.1', port }, skipWebGpu: true });
    assert.deepEqual(
      report.parts.map((p) => p.id),
      [...PART_IDS],
    );
    for (const p of report.parts) {
      assert.ok(['ok', 'missing', 'not_applicable'].includes(p.state), p.id);
      if (p.state === 'missing') assert.ok(p.fix, `${p.id} is missing but has no fix`);
    }
    const ib = part(report.parts, 'ib-gateway');
    assert.equal(ib.state, 'missing');
    assert.match(
      ib.detail,
      new RegExp(`nothing answers at 127\\.0\\.0\\.1:${port} \\(connection refused\\)`),
    );
    assert.match(ib.fix ?? '', new RegExp(`API enabled on port ${port}`));
  });

  it('finds IB Gateway when something listens at its address', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const report = await runDoctor({ ibGateway: { host: '127.0.0.1', port }, skipWebGpu: true });
      const ib = part(report.parts, 'ib-gateway');
      assert.equal(ib.state, 'ok');
      assert.equal(ib.detail, `listening at 127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  });

  it('a GPU without a driver is told to install one; no GPU at all makes the CUDA parts not applicable', async () => {
    const withCard = await runDoctor({ nvidia: { device: true }, skipWebGpu: true });
    assert.equal(part(withCard.parts, 'nvidia-driver').state, 'missing');
    assert.match(part(withCard.parts, 'nvidia-driver').fix ?? '', /NVIDIA's driver/);
    assert.equal(part(withCard.parts, 'cuda-libraries').state, 'not_applicable');
    const none = await runDoctor({ nvidia: { device: false }, skipWebGpu: true });
    for (const id of ['nvidia-driver', 'cuda-libraries', 'tfjs-node-gpu'])
      assert.equal(part(none.parts, id).state, 'not_applicable', id);
    // with a driver, the binding that npm ci cannot fetch is missing and `setup gpu` fixes it
    const driver = await runDoctor({
      nvidia: { device: true, driver: 'NVIDIA driver 580.1' },
      skipWebGpu: true,
    });
    const binding = part(driver.parts, 'tfjs-node-gpu');
    assert.equal(binding.state, 'missing');
    assert.equal(binding.fix, 'npx ktrdr setup gpu');
    assert.equal(part(driver.parts, 'cuda-libraries').state === 'not_applicable', false);
  });

  it('checks the Chromium the e2e specs use (KTRDR_E2E_CHROMIUM)', async () => {
    const dir = tempDir();
    const fake = join(dir.path, 'chromium');
    writeFileSync(fake, '#!/bin/sh\necho "Chromium 156.0.1 built for tests"\n');
    chmodSync(fake, 0o755);
    const found = await runDoctor({ env: { KTRDR_E2E_CHROMIUM: fake }, skipWebGpu: true });
    assert.deepEqual(
      { state: part(found.parts, 'chromium').state, detail: part(found.parts, 'chromium').detail },
      { state: 'ok', detail: `Chromium 156.0.1 built for tests at ${fake}` },
    );
    const missing = await runDoctor({
      env: { KTRDR_E2E_CHROMIUM: join(dir.path, 'none') },
      skipWebGpu: true,
    });
    assert.equal(part(missing.parts, 'chromium').state, 'missing');
    assert.match(part(missing.parts, 'chromium').fix ?? '', /apt-get install chromium/);
  });

  it('tells a Docker client without an engine from no Docker at all', async () => {
    const report = await runDoctor({ skipWebGpu: true });
    const docker = part(report.parts, 'docker');
    const client = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      encoding: 'utf8',
    });
    if (client.error) assert.equal(docker.detail, 'no docker command on the PATH');
    else if (client.status !== 0) {
      assert.equal(docker.state, 'missing');
      assert.match(docker.detail, /found, but no engine answers/);
    } else assert.equal(docker.state, 'ok');
  });

  it('the summary names what is missing and where the fixes are', () => {
    const parts: PartReport[] = [
      {
        id: 'electron',
        name: 'Electron binary',
        state: 'missing',
        detail: '',
        fix: 'x',
        needed_for: '',
      },
      { id: 'docker', name: 'Docker', state: 'ok', detail: '', needed_for: '' },
      {
        id: 'nvidia-driver',
        name: 'NVIDIA driver',
        state: 'not_applicable',
        detail: '',
        needed_for: '',
      },
    ];
    assert.equal(
      summarize(parts),
      'doctor: 1 of 2 optional parts ready here; missing: Electron binary (how to fix each: npx ktrdr doctor)',
    );
    assert.equal(summarize([parts[1]!]), 'doctor: all 1 optional parts that apply here are ready');
  });

  it('setup gpu refuses without an NVIDIA driver, saying why', async () => {
    assert.deepEqual(await setupGpu({ nvidia: { device: false } }), {
      ok: false,
      refused: true,
      reason:
        'no NVIDIA GPU and driver on this machine, so tfjs-node-gpu cannot run here; training uses WebGPU where an adapter loads, else the CPU (see npx ktrdr doctor)',
    });
    const card = await setupGpu({ nvidia: { device: true } });
    assert.equal(card.ok, false);
    assert.match(
      card.ok ? '' : card.reason,
      /no NVIDIA driver is loaded: install the driver first/,
    );
  });
});
