// A short job's result files in the artifact packs: appended, found again after a reopen,
// rolled into a new pack when one is full, and refused by name when the bytes on disk are
// not the ones stored — over real files and a real SQLite database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { AppError } from '@ktrdr/server-kit';
import { tempDir } from '@ktrdr/testkit';
import { ArtifactStore } from '../../src/artifacts/artifact-store.js';
import { PackDamagedError, PackFiles } from '../../src/artifacts/pack-files.js';
import { openDatabase } from '../../src/storage/database.js';

const dir = tempDir('ktrdr-artifact-packs-');
after(() => dir.remove());
const fresh = (name: string) => {
  const path = join(dir.path, `${name}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path);
  return path;
};

describe('artifact packs', () => {
  it('reads back every appended artifact, and appends after them once reopened', () => {
    const path = fresh('packs');
    const packs = new PackFiles(path);
    const first = [randomBytes(22_768), randomBytes(1), randomBytes(5_000)];
    const refs = first.map((bytes) => packs.append(bytes));
    assert.deepEqual(
      refs.map((r) => [r.pack, r.offset, r.length]),
      [
        [1, 0, 22_768],
        [1, 22_768, 1],
        [1, 22_769, 5_000],
      ],
    );
    refs.forEach((ref, i) => assert.ok(packs.read(ref).equals(first[i]!)));
    packs.close();

    const again = new PackFiles(path);
    const more = again.append(Buffer.from('after the reopen'));
    assert.equal(more.offset, 27_769);
    assert.equal(again.read(more).toString(), 'after the reopen');
    assert.ok(again.read(refs[0]!).equals(first[0]!));
    again.close();
  });

  it('starts a new pack when the next artifact would pass the pack size, and reads both', () => {
    const path = fresh('roll');
    const packs = new PackFiles(path, 100);
    const a = packs.append(Buffer.alloc(60, 1));
    const b = packs.append(Buffer.alloc(60, 2));
    // larger than a whole pack: it still goes in, alone in a new one
    const c = packs.append(Buffer.alloc(250, 3));
    assert.deepEqual(
      [a, b, c].map((r) => [r.pack, r.offset]),
      [
        [1, 0],
        [2, 0],
        [3, 0],
      ],
    );
    packs.close();
    assert.deepEqual(readdirSync(path).sort(), [
      'pack-000001.bin',
      'pack-000002.bin',
      'pack-000003.bin',
    ]);
    const reopened = new PackFiles(path, 100);
    assert.equal(reopened.read(a)[0], 1);
    assert.equal(reopened.read(b)[59], 2);
    assert.equal(reopened.read(c).length, 250);
    reopened.close();
  });

  it('refuses bytes cut short, changed or gone, saying which', () => {
    const path = fresh('damaged');
    const packs = new PackFiles(path);
    const a = packs.append(randomBytes(1_000));
    const b = packs.append(randomBytes(1_000));
    packs.close();
    const file = join(path, 'pack-000001.bin');
    truncateSync(file, 1_500);
    const reader = new PackFiles(path);
    assert.throws(
      () => reader.read(b),
      (e: unknown) =>
        e instanceof PackDamagedError &&
        /pack-000001\.bin at 1000: 500 of 1000 bytes/.test(e.message),
    );
    writeFileSync(file, Buffer.alloc(2_000));
    assert.throws(
      () => new PackFiles(path).read(a),
      (e: unknown) => e instanceof PackDamagedError && /CRC-32 differs/.test(e.message),
    );
    rmSync(file);
    assert.throws(
      () => new PackFiles(path).read(a),
      (e: unknown) =>
        e instanceof PackDamagedError && /pack-000001\.bin is missing/.test(e.message),
    );
    reader.close();
  });
});

describe('ArtifactStore with packs', () => {
  const setup = () => {
    const root = fresh('artifacts');
    const db = openDatabase(join(root, 'ktrdr.db'));
    return { root, db, store: new ArtifactStore(join(root, 'artifacts'), db) };
  };

  it('keeps a short job result in a pack and its place in a row, across a reopen', () => {
    const { root, db, store } = setup();
    const bytes = randomBytes(22_768);
    store.writeSmall('op_1', [{ name: 'result-full.bin', bytes }]);
    store.close();
    db.close();
    const db2 = openDatabase(join(root, 'ktrdr.db'));
    const store2 = new ArtifactStore(join(root, 'artifacts'), db2);
    const body = store2.read('op_1', 'result-full.bin');
    assert.ok(body && 'bytes' in body && body.bytes.equals(bytes));
    // the database holds the place, not the bytes
    const row = db2.prepare('SELECT pack, length FROM artifact_packed').get();
    assert.deepEqual(row, { pack: 1, length: 22_768 });
    assert.equal(store2.read('op_1', 'other.bin'), undefined);
    store2.close();
    db2.close();
  });

  it('reads rows stored before the packs, and a new write or an upload replaces them', async () => {
    const { db, store } = setup();
    db.prepare('INSERT INTO artifact_blobs (operation_id, name, bytes) VALUES (?, ?, ?)').run(
      'op_old',
      'result-full.bin',
      Buffer.from('stored as a row'),
    );
    const old = store.read('op_old', 'result-full.bin');
    assert.ok(old && 'bytes' in old && old.bytes.toString() === 'stored as a row');

    store.writeSmall('op_old', [{ name: 'result-full.bin', bytes: Buffer.from('packed') }]);
    const packed = store.read('op_old', 'result-full.bin');
    assert.ok(packed && 'bytes' in packed && packed.bytes.toString() === 'packed');
    assert.equal(
      (db.prepare('SELECT COUNT(*) AS n FROM artifact_blobs').get() as { n: number }).n,
      0,
    );

    // a streamed upload of the same name (a later attempt's) is what reads find then
    await store.write('op_old', 'result-full.bin', Readable.from([Buffer.from('uploaded')]));
    const uploaded = store.read('op_old', 'result-full.bin');
    assert.ok(uploaded && 'path' in uploaded);
    assert.equal(await store.readText('op_old', 'result-full.bin'), 'uploaded');
    store.close();
    db.close();
  });

  it('answers a clear error naming the operation when its packed bytes are damaged', () => {
    const { root, db, store } = setup();
    store.writeSmall('op_2', [{ name: 'result-full.bin', bytes: randomBytes(4_000) }]);
    store.close();
    truncateSync(join(root, 'artifacts', '.packs', 'pack-000001.bin'), 10);
    assert.throws(
      () => store.read('op_2', 'result-full.bin'),
      (e: unknown) =>
        e instanceof AppError &&
        /the stored result-full\.bin of operation op_2 is damaged \(pack-000001\.bin at 0: 10 of 4000 bytes/.test(
          e.message,
        ) &&
        /run the operation again/.test(e.message),
    );
    store.close();
    db.close();
  });
});
