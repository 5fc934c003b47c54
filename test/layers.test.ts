import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
// @ts-expect-error -- plain JS config module without type declarations
import { layerRules } from '../eslint.layers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
    ...(layerRules as Linter.Config[]),
  ],
});

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath: `${root}${file}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the dependency rules of DESIGN.md §1 are enforced by lint', () => {
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

  it('the real lint configuration carries these rules', async () => {
    const config = (await new ESLint({ cwd: root }).calculateConfigForFile(
      `${root}apps/backend/src/app.ts`,
    )) as Linter.Config;
    assert.match(JSON.stringify(config.rules?.['no-restricted-imports']), /never executes/);
  });
});
