import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@ktrdr/testkit';
import { resultArtifact } from '../src/runtime/result-artifact.js';

describe('resultArtifact', () => {
  it('keeps a small result in memory, byte for byte, and writes no file', async () => {
    const dir = tempDir();
    let asked = false;
    const artifact = await resultArtifact(
      'result.json',
      ['{"a":', new Uint8Array([49]), '}'],
      () => {
        asked = true;
        return Promise.resolve(join(dir.path, 'never.json'));
      },
    );
    assert.ok('bytes' in artifact);
    assert.equal(Buffer.from(artifact.bytes).toString(), '{"a":1}');
    assert.equal(asked, false, 'no path was asked for');
    assert.equal(existsSync(join(dir.path, 'never.json')), false);
    dir.remove();
  });

  it('writes a result past the limit to the file, the chunks gathered before it first', async () => {
    const dir = tempDir();
    const chunks = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(9, '0')}\n`);
    const artifact = await resultArtifact(
      'result-full.json',
      chunks,
      () => Promise.resolve(join(dir.path, 'full.json')),
      250,
    );
    assert.ok('path' in artifact);
    assert.equal(readFileSync(artifact.path, 'utf8'), chunks.join(''));
    dir.remove();
  });
});
