import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { optionRows } from '../core/validation.js';
import { CIFAR10_CLASS_NAMES } from './cifar.js';
import {
  fileDatasetOptions,
  holdOut,
  loadFileDataset,
  type FileDatasetContext,
  type FileDatasetOptions,
} from './file-dataset.js';
import { cifarRecord, npyBytes, refusalOf } from './testing/files.js';

const base = mkdtempSync(join(tmpdir(), 'unforget-file-dataset-'));
after(() => rmSync(base, { recursive: true, force: true }));
const context: FileDatasetContext = { baseDir: base, cache: false };

function write(name: string, content: string | Buffer): string {
  const path = join(base, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** The field a ConfigError from `loadFileDataset(options)` names, and its message. */
async function configRefusal(options: unknown, extra: Partial<FileDatasetContext> = {}): Promise<string> {
  try {
    await loadFileDataset(options as FileDatasetOptions, { ...context, ...extra });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a ConfigError, got none');
}

describe('fileDatasetOptions', () => {
  it('describes every field of every format in one line', () => {
    const formats = fileDatasetOptions.options.map((o) => o.shape.format.value);
    assert.deepEqual(formats, ['csv', 'tsv', 'jsonl', 'json', 'npy', 'images', 'cifar10', 'cifar100']);
    for (const branch of fileDatasetOptions.options) {
      for (const row of optionRows(branch as z.ZodObject)) {
        assert.ok(
          row.description.length > 10 && !row.description.includes('\n'),
          `${branch.shape.format.value}.${row.key}`,
        );
      }
    }
  });
});

describe('loadFileDataset', () => {
  it('reads CSV train and test files with string labels mapped the same in both, and groups', async () => {
    write('t/train.csv', 'x1,x2,label,site\n1,2,dog,a\n3,4,cat,b\n5,6,dog,a\n');
    // The test file's columns in another order: features are matched by name.
    write('t/test.csv', 'site,label,x2,x1\nc,cat,20,10\nc,bird,40,30\n');
    const data = await loadFileDataset(
      { format: 'csv', train: 't/train.csv', test: 't/test.csv', group: 'site' },
      context,
    );
    assert.deepEqual(data.classNames, ['bird', 'cat', 'dog']);
    const { train, test } = data.split;
    assert.deepEqual(Array.from(train.x), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(train.y), [2, 1, 2]);
    assert.deepEqual(Array.from(test.x), [10, 20, 30, 40]);
    assert.deepEqual(Array.from(test.y), [1, 0]);
    assert.deepEqual(train.sampleShape, [2]);
    assert.equal(train.numClasses, 3);
    assert.deepEqual(test.classNames, ['bird', 'cat', 'dog']);
    assert.deepEqual(data.groups, { train: ['a', 'b', 'a'], test: ['c', 'c'] });
    // No group asked for: no groups, and the site column is a feature (refused here: not a number).
    assert.match(
      await refusalOf(() =>
        loadFileDataset({ format: 'csv', train: 't/train.csv', test: 't/test.csv' }, context),
      ),
      /train\.csv: line 2, column "site": expected a number, got "a"$/,
    );
    // The benchmark's group (context) does the same as the option.
    const grouped = await loadFileDataset(
      { format: 'csv', train: 't/train.csv', test: 't/test.csv' },
      { ...context, group: 'site' },
    );
    assert.deepEqual(grouped.groups?.test, ['c', 'c']);
  });

  it('reads TSV files without a header row, digit labels as class ids', async () => {
    write('t/train.tsv', '0.5\t1\t2\n1.5\t0\t4\n');
    write('t/test.tsv', '2.5\t3\t6\n');
    const data = await loadFileDataset(
      { format: 'tsv', train: 't/train.tsv', test: 't/test.tsv', header: false, label: 1 },
      context,
    );
    assert.deepEqual(data.classNames, ['0', '1', '2', '3']);
    assert.deepEqual(Array.from(data.split.train.y), [1, 0]);
    assert.deepEqual(Array.from(data.split.test.y), [3]);
    assert.deepEqual(Array.from(data.split.train.x), [0.5, 2, 1.5, 4]);
    assert.deepEqual(Array.from(data.split.test.x), [2.5, 6]);
  });

  it('refuses a test file without a train feature, naming it', async () => {
    write('t/a.csv', 'f,g,label\n1,2,x\n');
    write('t/b.csv', 'f,label\n1,x\n');
    assert.match(
      await refusalOf(() => loadFileDataset({ format: 'csv', train: 't/a.csv', test: 't/b.csv' }, context)),
      /b\.csv: features\[1\]: expected a column of the header row, got "g" \(columns: "f", "label"\)$/,
    );
  });

  it('reads JSON Lines and JSON arrays, and refuses train and test of other sample shapes, naming both', async () => {
    write('j/train.jsonl', '{"x": [[1, 2]], "y": "b"}\n{"x": [[3, 4]], "y": "a"}\n');
    write('j/test.json', '[{"x": [[5, 6]], "y": "b"}]');
    const lines = await loadFileDataset(
      { format: 'jsonl', train: 'j/train.jsonl', test: 'j/train.jsonl' },
      context,
    );
    assert.deepEqual(lines.split.train.sampleShape, [1, 2]);
    assert.deepEqual(Array.from(lines.split.train.y), [1, 0]);
    assert.deepEqual(lines.classNames, ['a', 'b']);
    write('j/train.json', '[{"x": [[1, 2]], "y": 0}, {"x": [[3, 4]], "y": 2}]');
    const array = await loadFileDataset(
      { format: 'json', train: 'j/train.json', test: 'j/test.json' },
      context,
    );
    // 0, 2 and "b": not all integers, so every label is a string.
    assert.deepEqual(array.classNames, ['0', '2', 'b']);
    assert.deepEqual(Array.from(array.split.test.y), [2]);
    assert.deepEqual(Array.from(array.split.test.x), [5, 6]);
    write('j/flat.json', '[{"x": [5, 6], "y": 0}]');
    assert.match(
      await refusalOf(() =>
        loadFileDataset({ format: 'json', train: 'j/train.json', test: 'j/flat.json' }, context),
      ),
      /flat\.json: expected samples of shape \[1, 2\] as in .*train\.json, got \[2\]$/,
    );
  });

  it('reads .npy pairs, scaled', async () => {
    write('n/x.npy', npyBytes('|u1', [3, 2], new Uint8Array([0, 255, 51, 102, 255, 255])));
    write('n/y.npy', npyBytes('<i4', [3], new Int32Array([2, 0, 2])));
    write('n/tx.npy', npyBytes('<f4', [1, 2], new Float32Array([255, 0])));
    write('n/ty.npy', npyBytes('<f8', [1], new Float64Array([1])));
    const data = await loadFileDataset(
      {
        format: 'npy',
        train: { x: 'n/x.npy', y: 'n/y.npy' },
        test: { x: 'n/tx.npy', y: 'n/ty.npy' },
        scale: 1 / 255,
      },
      context,
    );
    assert.deepEqual(data.classNames, ['0', '1', '2']);
    assert.deepEqual(Array.from(data.split.train.y), [2, 0, 2]);
    assert.deepEqual(Array.from(data.split.train.x), [0, 1, 0.2, 0.4, 1, 1].map(Math.fround));
    assert.deepEqual(Array.from(data.split.test.x), [1, 0]);
    assert.deepEqual(Array.from(data.split.test.y), [1]);
    assert.equal(data.split.test.numClasses, 3);
    write('n/tx3.npy', npyBytes('<f4', [1, 3], new Float32Array([1, 2, 3])));
    assert.match(
      await refusalOf(() =>
        loadFileDataset(
          { format: 'npy', train: { x: 'n/x.npy', y: 'n/y.npy' }, test: { x: 'n/tx3.npy', y: 'n/ty.npy' } },
          context,
        ),
      ),
      /tx3\.npy: expected samples of shape \[2\] as in .*x\.npy, got \[3\]$/,
    );
  });

  it('reads image folders, a test folder with fewer classes keeping the ids', async () => {
    const png = (value: number) =>
      sharp(Buffer.alloc(4, value), { raw: { width: 2, height: 2, channels: 1 } }).png();
    for (const [path, value] of [
      ['im/train/b/1.png', 10],
      ['im/train/a/1.png', 20],
      ['im/train/a/2.png', 30],
      ['im/test/b/1.png', 40],
    ] as const) {
      mkdirSync(join(base, path, '..'), { recursive: true });
      await png(value).toFile(join(base, path));
    }
    const data = await loadFileDataset(
      { format: 'images', train: 'im/train', test: 'im/test', shape: [2, 2, 1] },
      context,
    );
    assert.deepEqual(data.classNames, ['a', 'b']);
    assert.deepEqual(Array.from(data.split.train.y), [0, 0, 1]);
    assert.deepEqual(Array.from(data.split.test.y), [1]);
    assert.deepEqual(
      Array.from(data.split.test.x, (v) => Math.round(v * 255)),
      [40, 40, 40, 40],
    );
    assert.deepEqual(data.split.train.sampleShape, [2, 2, 1]);
    assert.equal(data.groups, undefined);
  });

  it('reads CIFAR-10 and CIFAR-100 folders', async () => {
    const batches = [
      'data_batch_1.bin',
      'data_batch_2.bin',
      'data_batch_3.bin',
      'data_batch_4.bin',
      'data_batch_5.bin',
      'test_batch.bin',
    ];
    batches.forEach((file, f) =>
      write(`c10/${file}`, Buffer.concat([cifarRecord([f], f), cifarRecord([9], 50 + f)])),
    );
    const ten = await loadFileDataset({ format: 'cifar10', dir: 'c10' }, context);
    assert.deepEqual(ten.classNames, CIFAR10_CLASS_NAMES);
    assert.deepEqual(Array.from(ten.split.train.y), [0, 9, 1, 9, 2, 9, 3, 9, 4, 9]);
    assert.deepEqual(Array.from(ten.split.test.y), [5, 9]);
    assert.deepEqual(ten.split.test.sampleShape, [32, 32, 3]);
    write('c100/train.bin', Buffer.concat([cifarRecord([3, 42], 0), cifarRecord([19, 99], 1)]));
    write('c100/test.bin', cifarRecord([0, 7], 2));
    const coarse = await loadFileDataset({ format: 'cifar100', dir: 'c100', labels: 'coarse' }, context);
    assert.equal(coarse.classNames.length, 20);
    assert.deepEqual(Array.from(coarse.split.train.y), [3, 19]);
    const fine = await loadFileDataset({ format: 'cifar100', dir: 'c100' }, context);
    assert.deepEqual(Array.from(fine.split.train.y), [42, 99]);
    assert.deepEqual(Array.from(fine.split.test.y), [7]);
  });

  it('normalizes each channel of CIFAR images as (x - mean) / std, and refuses a wrong channel count', async () => {
    ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'].forEach(
      (file, f) => write(`c10n/${file}.bin`, cifarRecord([f], 3 * f + 1)),
    );
    const plain = await loadFileDataset({ format: 'cifar10', dir: 'c10n' }, context);
    const mean = [0.5, 0.25, 0];
    const std = [0.5, 0.25, 2];
    const normalized = await loadFileDataset(
      { format: 'cifar10', dir: 'c10n', normalize: { mean, std } },
      context,
    );
    for (const part of ['train', 'test'] as const) {
      const raw = plain.split[part].x;
      const got = normalized.split[part].x;
      assert.equal(got.length, raw.length);
      for (const i of [0, 1, 2, 3 * 33 + 1, raw.length - 1]) {
        const c = i % 3;
        assert.ok(Math.abs(got[i] - (raw[i] - mean[c]) / std[c]) < 1e-6, `${part} value ${i}`);
      }
    }
    // The unnormalized dataset is untouched (new arrays): its first pixel is still byte 1 / 255.
    assert.equal(plain.split.train.x[0], Math.fround(1 / 255));
    await assert.rejects(
      loadFileDataset(
        { format: 'cifar10', dir: 'c10n', normalize: { mean: [0.5], std: [0.5, 0.5, 0.5] } },
        context,
      ),
      (e: Error) => e.message === 'normalize.mean: expected 3 values (one per channel of the images), got 1',
    );
  });

  it('holds out a class-stratified, seeded testFraction, groups following their rows', async () => {
    // 10 of class "a", 20 of "b", 1 of "c"; group = the row number.
    const rows = Array.from({ length: 31 }, (_, i) => `${i},${i < 10 ? 'a' : i < 30 ? 'b' : 'c'},g${i}`);
    write('h/all.csv', ['v,label,row', ...rows].join('\n'));
    const options: FileDatasetOptions = {
      format: 'csv',
      train: 'h/all.csv',
      testFraction: 0.2,
      group: 'row',
    };
    const first = await loadFileDataset(options, { ...context, seed: 7 });
    const { train, test } = first.split;
    const counts = (y: Int32Array) => [0, 1, 2].map((c) => y.filter((v) => v === c).length);
    assert.deepEqual(counts(test.y), [2, 4, 0]);
    assert.deepEqual(counts(train.y), [8, 16, 1]);
    assert.deepEqual(first.classNames, ['a', 'b', 'c']);
    assert.equal(test.numClasses, 3);
    // Every row once, each with its own group and label.
    const all = [...Array.from(train.x), ...Array.from(test.x)].sort((p, q) => p - q);
    assert.deepEqual(
      all,
      Array.from({ length: 31 }, (_, i) => i),
    );
    assert.deepEqual(
      first.groups?.test,
      Array.from(test.x, (v) => `g${v}`),
    );
    assert.deepEqual(
      first.groups?.train,
      Array.from(train.x, (v) => `g${v}`),
    );
    const again = await loadFileDataset(options, { ...context, seed: 7 });
    assert.deepEqual(Array.from(again.split.test.x), Array.from(test.x));
    const other = await loadFileDataset(options, { ...context, seed: 8 });
    assert.notDeepEqual(Array.from(other.split.test.x), Array.from(test.x));
    assert.deepEqual(counts(other.split.test.y), [2, 4, 0]);
  });

  it('holds out part of a JSON, .npy or image train set too', async () => {
    write('h/s.jsonl', Array.from({ length: 8 }, (_, i) => JSON.stringify({ x: [i], y: i % 2 })).join('\n'));
    const data = await loadFileDataset({ format: 'jsonl', train: 'h/s.jsonl', testFraction: 0.25 }, context);
    assert.equal(data.split.test.y.length, 2);
    assert.deepEqual(Array.from(data.split.test.y).sort(), [0, 1]);
    const images = await loadFileDataset(
      { format: 'images', train: 'im/train', testFraction: 0.5, shape: [1, 1, 1] },
      context,
    );
    // Class a (2 images) gives 1; class b (1 image) stays in train.
    assert.deepEqual(Array.from(images.split.test.y), [0]);
    assert.deepEqual(Array.from(images.split.train.y).sort(), [0, 1]);
  });

  it('refuses bad options with the field and what it expects', async () => {
    assert.equal(
      await configRefusal({ format: 'xls', train: 'a' }),
      'format: expected one of "csv", "tsv", "jsonl", "json", "npy", "images", "cifar10", "cifar100", got "xls"',
    );
    assert.equal(
      await configRefusal({ format: 'csv', test: 'a.csv' }),
      'train: required (a non-empty string)',
    );
    assert.match(
      await configRefusal({ format: 'csv', train: 'a.csv', tset: 'b.csv' }),
      /^tset: unknown key; did you mean test\?$/,
    );
    assert.equal(
      await configRefusal({ format: 'csv', train: 'a.csv' }),
      'test: required (the test file), or testFraction to hold out part of train',
    );
    assert.equal(
      await configRefusal({ format: 'csv', train: 'a.csv', test: 'b.csv', testFraction: 0.2 }),
      'testFraction: expected either test or testFraction, got both (test and 0.2)',
    );
    assert.equal(
      await configRefusal({ format: 'csv', train: 'a.csv', testFraction: 1 }),
      'testFraction: expected a number in (0, 1), got 1',
    );
    assert.equal(
      await configRefusal({ format: 'images', train: 'im/train', testFraction: 0.5, shape: [2, 2, 2] }),
      'shape[2]: expected 1 (grey), 3 (RGB) or 4 (RGBA) channels, got 2',
    );
    assert.equal(
      await configRefusal({ format: 'images', train: 'im/train', testFraction: 0.5, shape: [2, 2] }),
      'shape: expected [height, width, channels], got [2,2]',
    );
    assert.equal(
      await configRefusal({ format: 'images', train: 'im/train', testFraction: 0.5, shape: [0, 2, 1] }),
      'shape[0]: expected a positive integer, got 0',
    );
    assert.equal(
      await configRefusal({ format: 'cifar10', dir: 'c10' }, { group: 'site', field: 'benchmark.dataset' }),
      'benchmark.dataset.group: expected no group column for format "cifar10" (only csv and tsv have columns), got "site"',
    );
    assert.equal(
      await configRefusal({ format: 'npy', train: { x: 'a' } }, { field: 'benchmark.dataset' }),
      'benchmark.dataset.train.y: required (a non-empty string)',
    );
    assert.match(
      await configRefusal({ format: 'cifar10', dir: 'c10', testFraction: 0.1 }),
      /^testFraction: unknown key/,
    );
  });
});

describe('holdOut', () => {
  it('keeps a class of one in train, holds at least one of each larger class, and sorts both', () => {
    const y = Int32Array.from([0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    const [kept, held] = holdOut({ y }, 0.1, createRng(1));
    assert.deepEqual(
      held.map((i) => y[i]),
      [1, 2],
    );
    assert.equal(kept.length, 11);
    assert.deepEqual(
      [...kept, ...held].sort((a, b) => a - b),
      Array.from({ length: 13 }, (_, i) => i),
    );
    assert.deepEqual(
      kept,
      [...kept].sort((a, b) => a - b),
    );
    assert.throws(
      () => holdOut({ y: Int32Array.from([0, 1]) }, 0.5, createRng(1)),
      /testFraction: expected a train set/,
    );
  });
});
