import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const workspaces = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }
).workspaces;

const bins = workspaces.flatMap((workspace) => {
  const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as {
    bin?: Record<string, string>;
  };
  return Object.entries(manifest.bin ?? {}).map(([name, path]) => ({ workspace, name, path }));
});

// The README's `npx ktrdr …` and `npx ktrdr-worker …` work only if npm links the bins at
// install time, which it skips for a file that does not exist yet (dist/ before a build).
describe('the commands npm links (npx ktrdr, ktrdr-worker, ktrdr-backend, ktrdr-ib-host, ktrdr-desktop)', () => {
  it('point at committed, executable files, not at build output', () => {
    assert.deepEqual(bins.map((b) => b.name).sort(), [
      'ktrdr',
      'ktrdr-backend',
      'ktrdr-desktop',
      'ktrdr-ib-host',
      'ktrdr-worker',
    ]);
    for (const bin of bins) {
      assert.ok(!bin.path.includes('dist/'), `${bin.name} → ${bin.path} is build output`);
      const file = join(root, bin.workspace, bin.path);
      accessSync(file, constants.X_OK);
      assert.match(readFileSync(file, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    }
  });

  it('run from node_modules/.bin after install and build, each answering --help', async () => {
    for (const bin of bins) {
      const { stdout } = await run(join(root, 'node_modules', '.bin', bin.name), ['--help'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KTRDR_HEADLESS: '1' },
      });
      // the desktop launcher's help is the backend's, with its own first line
      const usage = bin.name === 'ktrdr-desktop' ? 'ktrdr-backend' : bin.name;
      assert.match(stdout, new RegExp(`^Usage: ${usage} `, 'm'), `${bin.name} --help`);
    }
  });
});
