import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cacheDir, readCache, writeCache, type CacheEntry } from './dataset-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const entry: CacheEntry = {
  key: 'toy-v1',
  meta: { classNames: ['a', 'b'], shape: [2, 2] },
  arrays: {
    pixels: new Uint8Array([0, 7, 255]),
    labels: new Int32Array([1, -2, 300000]),
    weights: new Float32Array([0.5, -1.25]),
  },
};

describe('dataset cache', () => {
  it('round-trips arrays and metadata, leaving no temporary file', () => {
    const path = join(dir, 'nested', 'toy.bin');
    writeCache(path, entry);
    const back = readCache(path, 'toy-v1');
    assert.ok(back);
    assert.deepEqual(back.meta, entry.meta);
    assert.deepEqual(back.arrays, entry.arrays);
    assert.ok(back.arrays.labels instanceof Int32Array);
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['toy.bin']);
  });

  it('treats a missing, stale, truncated, extended or foreign file as absent', () => {
    const path = join(dir, 'toy.bin');
    assert.equal(readCache(path, 'toy-v1'), undefined);
    writeCache(path, entry);
    assert.equal(readCache(path, 'toy-v2'), undefined);
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length - 1));
    assert.equal(readCache(path, 'toy-v1'), undefined);
    writeFileSync(path, Buffer.concat([good, Buffer.from([0])]));
    assert.equal(readCache(path, 'toy-v1'), undefined);
    const oldVersion = Buffer.from(good);
    oldVersion.writeUInt32LE(0, 4);
    writeFileSync(path, oldVersion);
    assert.equal(readCache(path, 'toy-v1'), undefined);
    writeFileSync(path, 'not a cache at all');
    assert.equal(readCache(path, 'toy-v1'), undefined);
    writeCache(path, entry);
    assert.deepEqual(readCache(path, 'toy-v1')?.arrays.pixels, entry.arrays.pixels);
    assert.ok(existsSync(path));
  });

  it('picks UNFORGET_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    assert.equal(cacheDir({ UNFORGET_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }), '/c');
    assert.equal(cacheDir({ XDG_CACHE_HOME: '/x' }), join('/x', 'unforget'));
    assert.match(cacheDir({}), /\.cache[/\\]unforget$/);
  });
});
