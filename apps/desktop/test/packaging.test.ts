import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT, tempDir } from '@ktrdr/testkit';
import { forkHost } from '../src/main/fork-host.js';
import type { HostMessage } from '../src/main/host-protocol.js';

const NODE24 = process.env.KTRDR_NODE24 ?? `${REPO_ROOT}.cache/node24/bin/node`;

interface BuilderConfig {
  electronVersion: string;
  directories: { app: string; output: string };
  npmRebuild: boolean;
  extraResources: { from: string; to: string }[];
}

// electron-builder itself needs internet (it downloads Electron per target): what can be
// checked here is its config, the bundle it packs, and that bundle's backend on a Node
// with node:sqlite and no better-sqlite3 anywhere near it.
describe('packaging (electron-builder.yml at the repository root)', () => {
  const config = parse(readFileSync(`${REPO_ROOT}electron-builder.yml`, 'utf8')) as BuilderConfig;
  const bundle = `${REPO_ROOT}${config.directories.app}`;

  it('pins the Electron that apps/desktop installs, and points at folders that exist', () => {
    const desktop = JSON.parse(readFileSync(`${REPO_ROOT}apps/desktop/package.json`, 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    assert.equal(config.electronVersion, desktop.devDependencies.electron);
    for (const resource of config.extraResources)
      assert.ok(existsSync(`${REPO_ROOT}${resource.from}`), `${resource.from} (run npm run build)`);
  });

  it(
    'bundles an app with no native addon built for a Node ABI, whose backend runs on node:sqlite',
    { timeout: 120_000 },
    async (t) => {
      execFileSync(process.execPath, [`${REPO_ROOT}apps/desktop/scripts/bundle.mjs`], {
        stdio: 'pipe',
      });
      const manifest = JSON.parse(readFileSync(join(bundle, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
        optionalDependencies: Record<string, string>;
      };
      const shipped = [
        ...Object.keys(manifest.dependencies),
        ...Object.keys(manifest.optionalDependencies),
      ];
      assert.ok(!shipped.includes('better-sqlite3'), `shipped: ${shipped.join(', ')}`);
      for (const file of [
        'main.js',
        'backend-host.js',
        'worker/bin.js',
        'ib-host/bin.js',
        'preload/preload.cjs',
      ])
        assert.ok(existsSync(join(bundle, file)), file);
      if (!existsSync(NODE24))
        return t.skip(`no Node 24 at ${NODE24} (node scripts/node24.mjs fetches it)`);
      // the bundled backend host, started the way Electron's utility process starts it
      const dir = tempDir();
      const host = forkHost(
        join(bundle, 'backend-host.js'),
        {
          KTRDR_DATA_DIR: dir.path,
          KTRDR_PORT: '0',
          KTRDR_SQLITE_DRIVER: 'node-sqlite',
          KTRDR_LOG_LEVEL: 'warn',
          // what the packaged app's main sets from its resources folder
          KTRDR_ASSETS_DIR: `${REPO_ROOT}apps/backend/assets`,
          KTRDR_WEB_DIR: `${REPO_ROOT}apps/desktop/dist/renderer`,
        },
        NODE24,
      );
      try {
        const message = await new Promise<HostMessage>((resolve, reject) => {
          host.onMessage(resolve);
          host.onExit((code) => reject(new Error(`the bundled host exited (${code})`)));
        });
        assert.equal(message.type, 'ready', JSON.stringify(message));
        if (message.type === 'ready') {
          const health = await fetch(`${message.url}/health`);
          assert.equal(health.status, 200);
        }
        host.send({ type: 'stop' });
      } finally {
        host.kill();
        dir.remove();
      }
    },
  );
});
