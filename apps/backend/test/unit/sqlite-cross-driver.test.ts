// One data dir, both SQLite drivers: what better-sqlite3 writes (Node 20) opens and reads
// the same with node:sqlite (Node 24, in a child process), and the other way round. Both
// sides write and read through the real stores (sqlite-fixtures.ts) and must read back
// exactly the same. Run on Node 20, the child is the Node 24 binary (KTRDR_NODE24, or
// .cache/node24/bin/node from `node scripts/node24.mjs`); run on Node 24 (the CI's second
// pass), the child is Node 20 (KTRDR_NODE20, or the `node` on PATH).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { tempDir } from '@ktrdr/testkit';
import { resolveSqliteDriver } from '../../src/storage/sqlite.js';
import { readDataset, writeDataset } from './sqlite-fixtures.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const child = fileURLToPath(new URL('./sqlite-cross-child.ts', import.meta.url));
const here = resolveSqliteDriver('auto').name;

function nodeVersion(binary: string): string | undefined {
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** The other Node to run the child on, or why there is none. */
function otherNode(): { binary: string } | { skip: string } {
  if (here === 'better-sqlite3') {
    const binary = process.env.KTRDR_NODE24 || join(root, '.cache/node24/bin/node');
    if (!existsSync(binary) || !nodeVersion(binary))
      return {
        skip: `no Node 24 binary at ${binary}: fetch it with \`node scripts/node24.mjs\` (or point KTRDR_NODE24 at one)`,
      };
    return { binary };
  }
  const binary = process.env.KTRDR_NODE20 || 'node';
  const version = nodeVersion(binary);
  if (!version || version === process.version)
    return {
      skip: `this process runs node:sqlite on Node ${process.version}; the other side needs a Node 20 with better-sqlite3 (KTRDR_NODE20, or a Node 20 \`node\` on PATH)`,
    };
  return { binary };
}

function runChild(binary: string, args: string[]) {
  const run = spawnSync(binary, ['--conditions=ktrdr-source', '--import', 'tsx', child, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `child ${binary} ${args.join(' ')} failed:\n${run.stderr}`);
  // only the SQLite warning is hidden: anything else the child prints on stderr is shown
  assert.doesNotMatch(run.stderr, /SQLite is an experimental feature/);
  const line = run.stdout.trim().split('\n').at(-1) as string;
  return JSON.parse(line) as {
    node: string;
    driver: string;
    credential?: string;
    snapshot?: Record<string, unknown>;
  };
}

const other = otherNode();

describe(
  'one data dir, both SQLite drivers',
  { skip: 'skip' in other ? other.skip : false },
  () => {
    const binary = 'binary' in other ? other.binary : '';

    it(`what ${here} writes here, the other driver reads the same in a child on another Node`, (t) => {
      const dir = tempDir('ktrdr-cross-');
      try {
        const data = join(dir.path, 'written-here');
        const { credential } = writeDataset(data);
        const mine = readDataset(data, credential);
        const theirs = runChild(binary, ['read', data, credential]);
        if (theirs.driver === here) {
          t.skip(`the child (${theirs.node}) also runs ${here}: nothing to compare`);
          return;
        }
        assert.equal(mine.driver, here);
        assert.deepEqual(theirs.snapshot, mine.snapshot);
        assert.equal(mine.snapshot.credential, 'backtesting-a');
      } finally {
        dir.remove();
      }
    });

    it(`what the other driver writes in the child, ${here} reads the same here`, (t) => {
      const dir = tempDir('ktrdr-cross-');
      try {
        const data = join(dir.path, 'written-there');
        const written = runChild(binary, ['write', data]);
        if (written.driver === here) {
          t.skip(`the child (${written.node}) also runs ${here}: nothing to compare`);
          return;
        }
        const mine = readDataset(data, written.credential as string);
        const theirs = runChild(binary, ['read', data, written.credential as string]);
        assert.deepEqual(mine.snapshot, theirs.snapshot);
        // and the same as a data set written on this side
        const reference = join(dir.path, 'reference');
        const { credential } = writeDataset(reference);
        const ours = readDataset(reference, credential).snapshot;
        assert.deepEqual(mine.snapshot, ours);
        assert.equal(mine.snapshot.credential, 'backtesting-a');
      } finally {
        dir.remove();
      }
    });
  },
);
