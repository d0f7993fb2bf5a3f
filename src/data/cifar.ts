/**
 * CIFAR-10 and CIFAR-100 (Krizhevsky 2009) from their binary distribution ("CIFAR-10 binary
 * version", "CIFAR-100 binary version"), in a folder the user downloaded:
 *
 * - CIFAR-10: `data_batch_1.bin`..`data_batch_5.bin` (train, in that order) and `test_batch.bin`;
 *   each record is 1 label byte (0-9) then 3072 pixel bytes: 1024 red, 1024 green, 1024 blue,
 *   each plane 32x32 row-major. Class names from `batches.meta.txt` (one a line) when present,
 *   else the standard ten.
 * - CIFAR-100: `train.bin` and `test.bin`; each record is a coarse label byte (0-19), a fine label
 *   byte (0-99), then the same 3072 pixel bytes. `labels: 'fine'` (default) or `'coarse'`; class
 *   names from `fine_label_names.txt` / `coarse_label_names.txt` when present, else `class-<i>`.
 *
 * The folder may also be the one holding the archive's own folder (`cifar-10-batches-bin/`,
 * `cifar-100-binary/`). Samples come out as [32, 32, 3] (height, width, channel), values in
 * [0, 1]. The re-ordered bytes are cached (dataset-cache.ts), keyed by the files' paths, sizes
 * and modification times.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataFormatError } from '../core/errors.js';
import type { Dataset, DatasetSplit } from './dataset.js';
import { cachedDecodeSync, fileStamp, type CacheOption } from './file-cache.js';

export const CIFAR10_CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

export interface CifarOptions {
  /** The decoded-data cache: a folder, default `cacheDir()`, or false for none. */
  cache?: CacheOption;
}

export interface Cifar100Options extends CifarOptions {
  /** Which of the two labels each record carries: the 100 fine classes (default) or the 20 coarse ones. */
  labels?: 'fine' | 'coarse';
}

const SIDE = 32;
const PIXELS = SIDE * SIDE;
const IMAGE_BYTES = 3 * PIXELS;
const CIFAR10_TRAIN = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
/** Bump when the conversion changes, so old caches are decoded again. */
const CIFAR_VERSION = 1;

export function loadCifar10(dir: string, options: CifarOptions = {}): DatasetSplit {
  const root = datasetDir(dir, 'cifar-10-batches-bin', 'data_batch_1.bin');
  const spec: Spec = {
    labelBytes: 1,
    labelIndex: 0,
    numClasses: 10,
    what: 'CIFAR-10',
    train: CIFAR10_TRAIN.map((f) => join(root, f)),
    test: [join(root, 'test_batch.bin')],
  };
  const names = readNames(join(root, 'batches.meta.txt'), 10) ?? [...CIFAR10_CLASS_NAMES];
  return load(spec, names, options.cache);
}

export function loadCifar100(dir: string, options: Cifar100Options = {}): DatasetSplit {
  const root = datasetDir(dir, 'cifar-100-binary', 'train.bin');
  const fine = (options.labels ?? 'fine') === 'fine';
  const numClasses = fine ? 100 : 20;
  const spec: Spec = {
    labelBytes: 2,
    labelIndex: fine ? 1 : 0,
    numClasses,
    what: `CIFAR-100 (${fine ? 'fine' : 'coarse'} labels)`,
    train: [join(root, 'train.bin')],
    test: [join(root, 'test.bin')],
  };
  const namesFile = join(root, fine ? 'fine_label_names.txt' : 'coarse_label_names.txt');
  const names =
    readNames(namesFile, numClasses) ?? Array.from({ length: numClasses }, (_, i) => `class-${i}`);
  return load(spec, names, options.cache);
}

interface Spec {
  /** Label bytes before the pixels of each record. */
  labelBytes: number;
  /** Which of them is the label. */
  labelIndex: number;
  numClasses: number;
  what: string;
  train: string[];
  test: string[];
}

/** `dir`, or its `inner` folder when `dir` lacks `probe` and the folder holds it. */
function datasetDir(dir: string, inner: string, probe: string): string {
  if (!existsSync(join(dir, probe)) && existsSync(join(dir, inner, probe))) return join(dir, inner);
  return dir;
}

function load(spec: Spec, classNames: string[], cache: CacheOption): DatasetSplit {
  const files = [...spec.train, ...spec.test];
  for (const file of files) {
    if (!existsSync(file)) {
      throw new DataFormatError(
        file,
        `expected a ${spec.what} batch file, got none (the binary version's folder holds ${files.map((f) => basename(f)).join(', ')})`,
      );
    }
  }
  const decoded = cachedDecodeSync(
    cache,
    'cifar',
    CIFAR_VERSION,
    files.map(fileStamp),
    { labelBytes: spec.labelBytes, labelIndex: spec.labelIndex },
    () => {
      const train = decodeFiles(spec.train, spec);
      const test = decodeFiles(spec.test, spec);
      return {
        meta: {},
        arrays: {
          trainPixels: train.pixels,
          trainLabels: train.labels,
          testPixels: test.pixels,
          testLabels: test.labels,
        },
      };
    },
  );
  const a = decoded.arrays;
  const dataset = (pixels: Uint8Array, y: Int32Array): Dataset => {
    const x = new Float32Array(pixels.length);
    for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
    return { x, y, sampleShape: [SIDE, SIDE, 3], numClasses: spec.numClasses, classNames };
  };
  return {
    train: dataset(a.trainPixels as Uint8Array, a.trainLabels as Int32Array),
    test: dataset(a.testPixels as Uint8Array, a.testLabels as Int32Array),
  };
}

/** The records of `files`, concatenated: pixels re-ordered to HWC bytes, and labels. */
function decodeFiles(files: readonly string[], spec: Spec): { pixels: Uint8Array; labels: Int32Array } {
  const record = spec.labelBytes + IMAGE_BYTES;
  const contents = files.map((file) => {
    const bytes = readFileSync(file);
    if (bytes.length === 0 || bytes.length % record !== 0) {
      throw new DataFormatError(
        file,
        `expected whole ${spec.what} records of ${record} bytes (${spec.labelBytes} label byte${spec.labelBytes > 1 ? 's' : ''} + 3072 pixel bytes), got ${bytes.length} bytes (${Math.floor(bytes.length / record)} records and ${bytes.length % record} bytes over)`,
      );
    }
    return bytes;
  });
  const total = contents.reduce((n, bytes) => n + bytes.length / record, 0);
  const pixels = new Uint8Array(total * IMAGE_BYTES);
  const labels = new Int32Array(total);
  let k = 0;
  contents.forEach((bytes, f) => {
    for (let r = 0; r < bytes.length / record; r++, k++) {
      const base = r * record;
      const label = bytes[base + spec.labelIndex];
      if (label >= spec.numClasses) {
        throw new DataFormatError(
          files[f],
          `record ${r} (0-based): expected a label in [0, ${spec.numClasses - 1}], got ${label}`,
        );
      }
      labels[k] = label;
      const from = base + spec.labelBytes;
      const out = k * IMAGE_BYTES;
      for (let p = 0; p < PIXELS; p++) {
        pixels[out + 3 * p] = bytes[from + p];
        pixels[out + 3 * p + 1] = bytes[from + PIXELS + p];
        pixels[out + 3 * p + 2] = bytes[from + 2 * PIXELS + p];
      }
    }
  });
  return { pixels, labels };
}

/** The class names in `file`, one a line (blank lines dropped), or undefined when there is no such file. */
function readNames(file: string, count: number): string[] | undefined {
  if (!existsSync(file)) return undefined;
  const names = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (names.length !== count) {
    throw new DataFormatError(file, `expected ${count} class names, one a line, got ${names.length}`);
  }
  return names;
}
