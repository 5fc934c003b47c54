import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
// @ts-expect-error -- plain JS config module without type declarations
import { importCycleRules, layerRules } from '../eslint.layers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const typescript: Linter.Config = {
  files: ['**/*.{ts,tsx}'],
  languageOptions: { parser: tseslint.parser },
};
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [typescript, ...(layerRules as Linter.Config[])],
});

/** Lints real files under `cwd` with the cycle rule only; the messages, per file. */
async function cycles(cwd: string, patterns: string[]): Promise<Map<string, string[]>> {
  const results = await new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [typescript, ...(importCycleRules as Linter.Config[])],
  }).lintFiles(patterns);
  return new Map(
    results.map((r) => [
      relative(cwd, r.filePath),
      r.messages.map((m) => `${m.ruleId}: ${m.message}`),
    ]),
  );
}

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath: `${root}${file}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the dependency rules (docs/architecture.md, Layer rules) are enforced by lint', () => {
  it("the backend may use the engine's data and validate entry points, never its backtest code", async () => {
    assert.deepEqual(
      await problems(
        'apps/backend/src/probe.ts',
        "import '@ktrdr/engine/data';\nimport '@ktrdr/engine/validate';",
      ),
      [],
    );
    for (const forbidden of [
      '@ktrdr/engine',
      '@ktrdr/engine/backtest',
      '@ktrdr/engine/strategies',
      '@ktrdr/worker',
      '../../../packages/engine/src/backtest/engine.js',
    ]) {
      const found = await problems('apps/backend/src/probe.ts', `import '${forbidden}';`);
      assert.equal(found.length, 1, `${forbidden}: ${found.join()}`);
      assert.match(found[0]!, /^no-restricted-imports: /);
    }
  });

  it('shared imports nothing of the project and no node:* module', async () => {
    for (const forbidden of ['node:fs', 'fs', '@ktrdr/engine', 'fastify', 'undici']) {
      assert.equal(
        (await problems('packages/shared/src/probe.ts', `import '${forbidden}';`)).length,
        1,
        forbidden,
      );
    }
    assert.deepEqual(await problems('packages/shared/src/probe.ts', "import 'typebox';"), []);
  });

  it('the engine imports at most shared, and does no networking', async () => {
    assert.deepEqual(
      await problems(
        'packages/engine/src/probe.ts',
        "import '@ktrdr/shared';\nimport 'trading-signals';",
      ),
      [],
    );
    for (const forbidden of ['@ktrdr/backend', '@ktrdr/server-kit', 'node:http', 'fastify']) {
      assert.equal(
        (await problems('packages/engine/src/probe.ts', `import '${forbidden}';`)).length,
        1,
        forbidden,
      );
    }
  });

  it('doctor imports nothing of the project; the CLI may use it, but not the backend', async () => {
    assert.deepEqual(
      await problems('packages/doctor/src/probe.ts', "import 'node:child_process';"),
      [],
    );
    for (const forbidden of ['@ktrdr/shared', '@ktrdr/worker'])
      assert.equal(
        (await problems('packages/doctor/src/probe.ts', `import '${forbidden}';`)).length,
        1,
        forbidden,
      );
    assert.deepEqual(await problems('apps/cli/src/probe.ts', "import '@ktrdr/doctor';"), []);
    assert.equal((await problems('apps/cli/src/probe.ts', "import '@ktrdr/backend';")).length, 1);
  });

  it('the renderer imports only shared, its UI libraries and its own code, in .tsx files too', async () => {
    const view = 'apps/desktop/src/renderer/views/probe-view.tsx';
    const jsx = 'export const Probe = () => <div />;';
    assert.deepEqual(
      await problems(
        view,
        [
          "import '@ktrdr/shared';",
          "import '@ktrdr/shared/desktop-api';",
          "import 'react';",
          "import '@mantine/core';",
          "import '../api/queries';",
          "import './data-view';",
          jsx,
        ].join('\n'),
      ),
      [],
    );
    for (const forbidden of [
      '@ktrdr/backend',
      '@ktrdr/worker',
      '@ktrdr/engine/data',
      '@ktrdr/testkit',
      'node:fs',
      'fs',
      'electron',
      'undici',
      '../../main/settings.js',
      '../../../../backend/src/app.js',
    ]) {
      const found = await problems(view, `import '${forbidden}';\n${jsx}`);
      assert.equal(found.length, 1, `${forbidden}: ${found.join()}`);
      assert.match(found[0]!, /^no-restricted-imports: .*renderer/);
    }
    // one folder deeper may climb one more, but still not out of the renderer
    const deeper = 'apps/desktop/src/renderer/forms/fields/probe.tsx';
    assert.deepEqual(await problems(deeper, "import '../../format';"), []);
    assert.equal((await problems(deeper, "import '../../../main/settings.js';")).length, 1);
    assert.equal(
      (await problems('apps/desktop/src/renderer/probe.ts', "import '../start.js';")).length,
      1,
    );
    // the desktop main process, outside the renderer, still embeds the backend
    assert.deepEqual(
      await problems('apps/desktop/src/main/probe.ts', "import '@ktrdr/backend';"),
      [],
    );
  });

  it('every layer rule covers .tsx files as well as .ts', async () => {
    for (const [file, forbidden] of [
      ['packages/shared/src/probe.tsx', 'node:fs'],
      ['packages/engine/src/probe.tsx', 'fastify'],
      ['packages/server-kit/src/probe.tsx', '@ktrdr/engine'],
      ['packages/doctor/src/probe.tsx', '@ktrdr/shared'],
      ['apps/backend/src/probe.tsx', '@ktrdr/engine/backtest'],
      ['apps/worker/src/probe.tsx', '@ktrdr/backend'],
      ['apps/ib-host/src/probe.tsx', '@ktrdr/engine'],
      ['apps/cli/src/probe.tsx', '@ktrdr/backend'],
      ['apps/desktop/src/main/probe.tsx', '@ktrdr/engine'],
    ] as const) {
      const found = await problems(file, `import '${forbidden}';`);
      assert.equal(found.length, 1, `${file} importing ${forbidden}: ${found.join()}`);
    }
  });

  it('the real lint configuration carries these rules', async () => {
    const real = new ESLint({ cwd: root });
    const config = (await real.calculateConfigForFile(
      `${root}apps/backend/src/app.ts`,
    )) as Linter.Config;
    assert.match(JSON.stringify(config.rules?.['no-restricted-imports']), /never executes/);
    assert.ok(config.rules?.['import-x/no-cycle'], 'the cycle rule is on');
    const renderer = (await real.calculateConfigForFile(
      `${root}apps/desktop/src/renderer/app.tsx`,
    )) as Linter.Config;
    assert.match(
      JSON.stringify(renderer.rules?.['no-restricted-imports']),
      /renderer imports only @ktrdr\/shared/,
    );
    assert.ok(renderer.rules?.['import-x/no-cycle'], 'the cycle rule is on in .tsx files');
  });
});

describe('no import graph has a cycle', () => {
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function project(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ktrdr-cycle-probe-'));
    dirs.push(dir);
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    for (const [name, source] of Object.entries(files)) await writeFile(join(dir, name), source);
    return dir;
  }

  it('the cycle rule fires on two modules that import each other (.ts and .tsx, with and without .js)', async () => {
    const dir = await project({
      'a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'b.tsx': "import { a } from './a';\nexport const b = () => a;\n",
      'c.ts': "import { a } from './a.js';\nexport const c = a;\n",
    });
    const found = await cycles(dir, ['.']);
    assert.deepEqual(found.get('a.ts'), ['import-x/no-cycle: Dependency cycle detected']);
    assert.deepEqual(found.get('b.tsx'), ['import-x/no-cycle: Dependency cycle detected']);
    assert.deepEqual(found.get('c.ts'), [], 'importing a cycle is not being in one');
  });

  it('a type-only import back does not count: it is erased at compile time', async () => {
    const dir = await project({
      'a.ts': "import { b } from './b.js';\nexport type A = string;\nexport const a = b;\n",
      'b.ts': "import type { A } from './a.js';\nexport const b: A = 'b';\n",
    });
    assert.deepEqual([...(await cycles(dir, ['.'])).values()].flat(), []);
  });

  it('the CLI has none (its commands import their kit, not the program that imports them)', async () => {
    const found = await cycles(root, ['apps/cli/src']);
    assert.ok(found.has('apps/cli/src/program.ts'), [...found.keys()].join());
    assert.ok(found.size > 10, `linted ${found.size} files`);
    assert.deepEqual(
      [...found].filter(([, messages]) => messages.length > 0),
      [],
    );
  });
});
