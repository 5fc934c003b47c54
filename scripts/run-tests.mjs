#!/usr/bin/env node
// Runs every test file of the repository in one `node --test` run (one summary at the
// end). Tests import the TypeScript sources (the `ktrdr-source` export condition,
// through tsx); processes they spawn run the compiled bins, so build first (`npm test`
// does). Pass file paths or substrings to run only those: `npm run test:only -- cluster`.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['packages', 'apps', 'test'];

function* testFiles(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* testFiles(path);
    else if (entry.endsWith('.test.ts')) yield relative(root, path);
  }
}

// The longest files first (about 30–60 s each on a 2-core machine): two run at a time, so
// one of them starting last would leave a slot idle at the end (alphabetical order ran the
// CLI's 56 s file among the last, about a minute of wall time lost in CI).
const LONGEST_FIRST = [
  'apps/cli/test/cli.test.ts',
  'apps/backend/test/integration/chaos.test.ts',
  'apps/ib-host/test/download-through-backend.test.ts',
  'apps/backend/test/integration/failover.test.ts',
  'apps/backend/test/integration/sweeps.test.ts',
  'apps/backend/test/integration/worker-identity.test.ts',
  'apps/backend/test/integration/lan.test.ts',
  'apps/backend/test/integration/training.test.ts',
  'apps/backend/test/integration/worker-identity-lan.test.ts',
  'apps/desktop/test/npm-start.test.ts',
];
const rank = (f) => {
  const at = LONGEST_FIRST.indexOf(f);
  return at < 0 ? LONGEST_FIRST.length : at;
};

const filters = process.argv.slice(2);
const files = roots
  .flatMap((r) => [...testFiles(join(root, r))])
  .filter((f) => /(^|\/)test\//.test(f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .sort((a, b) => rank(a) - rank(b));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(2);
}

const child = spawn(
  process.execPath,
  [
    '--conditions=ktrdr-source',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=180000',
    '--test-reporter=spec',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
