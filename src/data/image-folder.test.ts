import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ConfigError } from '../core/errors.js';
import { MissingPackageError } from '../core/optional-package.js';
import { imageFolderClasses, importSharp, loadImageFolder } from './image-folder.js';
import { refusalOf } from './testing/files.js';

const root = mkdtempSync(join(tmpdir(), 'unforget-images-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A 2x3 RGB image: pixel (row, col) = (10 row + col + base, 100 + col, 200 - row). */
function pixels(base: number): Buffer {
  const out = Buffer.alloc(2 * 3 * 3);
  for (let row = 0; row < 2; row++) {
    for (let col = 0; col < 3; col++) {
      out.set([10 * row + col + base, 100 + col, 200 - row], (row * 3 + col) * 3);
    }
  }
  return out;
}

const raw = (data: Buffer, width: number, height: number, channels: 1 | 3 | 4) =>
  sharp(data, { raw: { width, height, channels } });

const dir = join(root, 'train');
before(async () => {
  mkdirSync(join(dir, 'dog'), { recursive: true });
  mkdirSync(join(dir, 'cat'));
  mkdirSync(join(dir, '.thumbnails'));
  await raw(pixels(0), 3, 2, 3)
    .png()
    .toFile(join(dir, 'cat', 'a.png'));
  await raw(pixels(50), 3, 2, 3)
    .webp({ lossless: true })
    .toFile(join(dir, 'cat', 'b.WEBP'));
  await raw(pixels(20), 3, 2, 3)
    .png()
    .toFile(join(dir, 'dog', 'x.png'));
  // A uniform JPEG (lossy, so checked to within a few levels).
  await raw(Buffer.alloc(18, 90), 3, 2, 3)
    .jpeg({ quality: 95 })
    .toFile(join(dir, 'dog', 'y.jpg'));
  writeFileSync(join(dir, 'dog', 'notes.txt'), 'not an image');
  writeFileSync(join(dir, 'dog', '.hidden.png'), 'not an image either');
  await raw(pixels(0), 3, 2, 3)
    .png()
    .toFile(join(dir, '.thumbnails', 'z.png'));
});

describe('loadImageFolder', () => {
  it('reads class folders (sorted) of PNG, WebP and JPEG files as [h, w, 3] in [0, 1]', async () => {
    assert.deepEqual(imageFolderClasses(dir), ['cat', 'dog']);
    const data = await loadImageFolder(dir, { shape: [2, 3, 3], cache: false, concurrency: 2 });
    assert.deepEqual(data.classNames, ['cat', 'dog']);
    assert.equal(data.numClasses, 2);
    assert.deepEqual(data.sampleShape, [2, 3, 3]);
    // cat/a.png, cat/b.WEBP, dog/x.png, dog/y.jpg.
    assert.deepEqual(Array.from(data.y), [0, 0, 1, 1]);
    const image = (k: number) =>
      Array.from(data.x.subarray(k * 18, (k + 1) * 18), (v) => Math.round(v * 255));
    assert.deepEqual(image(0), Array.from(pixels(0)));
    assert.deepEqual(image(1), Array.from(pixels(50)));
    assert.deepEqual(image(2), Array.from(pixels(20)));
    assert.ok(
      image(3).every((v) => Math.abs(v - 90) <= 3),
      `JPEG pixels ${image(3).join(',')}`,
    );
    assert.equal(data.x[0], Math.fround(0 / 255));
    assert.equal(data.x[1], Math.fround(100 / 255));
  });

  it('resizes to the shape, and gives grey (1) and RGBA (4) channels', async () => {
    const uniform = join(root, 'uniform');
    mkdirSync(join(uniform, 'only'), { recursive: true });
    await raw(Buffer.from([30, 60, 90, 30, 60, 90, 30, 60, 90, 30, 60, 90]), 2, 2, 3)
      .png()
      .toFile(join(uniform, 'only', 'rgb.png'));
    await raw(Buffer.alloc(4, 128), 2, 2, 1)
      .png()
      .toFile(join(uniform, 'only', 'grey.png'));
    const big = await loadImageFolder(uniform, { shape: [4, 5, 3], cache: false });
    assert.deepEqual(big.sampleShape, [4, 5, 3]);
    assert.equal(big.x.length, 2 * 4 * 5 * 3);
    // grey.png (sorted first) becomes RGB 128s, rgb.png stays (30, 60, 90) everywhere.
    assert.ok(big.x.subarray(0, 60).every((v) => v === Math.fround(128 / 255)));
    const second = Array.from(big.x.subarray(60), (v) => Math.round(v * 255));
    assert.deepEqual(second, new Array(20).fill([30, 60, 90]).flat());
    const grey = await loadImageFolder(uniform, { shape: [1, 1, 1], cache: false });
    assert.equal(Math.round(grey.x[0] * 255), 128);
    // The luminance of (30, 60, 90): 55.8 by Rec. 709 weights, 58 through libvips' colour conversion.
    const luminance = grey.x[1] * 255;
    assert.ok(luminance >= 54 && luminance <= 60, `luminance of (30, 60, 90): ${luminance}`);
    const rgba = await loadImageFolder(uniform, { shape: [1, 2, 4], cache: false });
    assert.deepEqual(
      Array.from(rgba.x.subarray(8), (v) => Math.round(v * 255)),
      [30, 60, 90, 255, 30, 60, 90, 255],
    );
  });

  it('takes a shared list of class names, so a test folder with fewer classes gets the same ids', async () => {
    const test = join(root, 'test');
    mkdirSync(join(test, 'dog'), { recursive: true });
    await raw(pixels(1), 3, 2, 3)
      .png()
      .toFile(join(test, 'dog', 'q.png'));
    const data = await loadImageFolder(test, { shape: [2, 3, 3], classNames: ['cat', 'dog'], cache: false });
    assert.deepEqual(Array.from(data.y), [1]);
    assert.equal(data.numClasses, 2);
    assert.match(
      await refusalOf(() => loadImageFolder(test, { shape: [2, 3, 3], classNames: ['cat'], cache: false })),
      /dog: expected a class folder among "cat", got "dog"$/,
    );
  });

  it('refuses a file that does not decode, an empty class and a missing folder, naming them', async () => {
    const bad = join(root, 'bad');
    mkdirSync(join(bad, 'a'), { recursive: true });
    await raw(pixels(0), 3, 2, 3)
      .png()
      .toFile(join(bad, 'a', 'good.png'));
    writeFileSync(join(bad, 'a', 'broken.png'), 'this is no PNG');
    assert.match(
      await refusalOf(() => loadImageFolder(bad, { shape: [2, 3, 3], cache: false })),
      new RegExp(
        `^${join(bad, 'a', 'broken.png')}: expected a PNG, JPEG or WebP image, got one sharp cannot decode \\(.+\\)$`,
      ),
    );
    rmSync(join(bad, 'a', 'broken.png'));
    mkdirSync(join(bad, 'empty'));
    assert.equal(
      await refusalOf(() => loadImageFolder(bad, { shape: [2, 3, 3], cache: false })),
      `${join(bad, 'empty')}: expected at least one .png/.jpg/.jpeg/.webp image, got none`,
    );
    assert.equal(
      await refusalOf(() => loadImageFolder(join(root, 'nowhere'), { shape: [2, 3, 3], cache: false })),
      `${join(root, 'nowhere')}: expected a readable folder, got ENOENT`,
    );
    await assert.rejects(
      loadImageFolder(dir, { shape: [2, 3, 2] as never, cache: false }),
      (error: unknown) => error instanceof ConfigError && error.field === 'shape',
    );
  });

  it('caches decoded images: a second load decodes nothing', async () => {
    const cached = join(root, 'cached');
    mkdirSync(join(cached, 'k'), { recursive: true });
    const image = join(cached, 'k', 'i.png');
    await raw(pixels(7), 3, 2, 3).png().toFile(image);
    utimesSync(image, 1_700_000_000, 1_700_000_000);
    const cache = join(root, 'cache');
    const first = await loadImageFolder(cached, { shape: [2, 3, 3], cache });
    assert.equal(readdirSync(join(cache, 'files')).filter((f) => f.startsWith('image-folder-')).length, 1);
    // Zeros of the same size and time: decoding them would fail, so the cache must answer.
    writeFileSync(image, Buffer.alloc(statSync(image).size));
    utimesSync(image, 1_700_000_000, 1_700_000_000);
    const second = await loadImageFolder(cached, { shape: [2, 3, 3], cache });
    assert.deepEqual(second.x, first.x);
    assert.deepEqual(second.y, first.y);
    assert.match(
      await refusalOf(() => loadImageFolder(cached, { shape: [2, 3, 3], cache: false })),
      /i\.png: expected a PNG/,
    );
  });
});

describe('importSharp', () => {
  it('loads sharp, and reports a missing package as a MissingPackageError naming npm install', async () => {
    assert.equal(typeof (await importSharp()), 'function');
    const name = 'sharp-not-installed-for-this-test';
    await assert.rejects(
      importSharp(name),
      (error: unknown) =>
        error instanceof MissingPackageError &&
        error.message === `${name}: not installed; image folders needs it: npm install ${name}`,
    );
    assert.equal(
      new MissingPackageError(['sharp'], 'image folders').message,
      'sharp: not installed; image folders needs it: npm install sharp',
    );
  });
});
