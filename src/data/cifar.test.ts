import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CIFAR10_CLASS_NAMES, loadCifar10, loadCifar100 } from './cifar.js';
import { cifarRecord, refusal } from './testing/files.js';

const root = mkdtempSync(join(tmpdir(), 'unforget-cifar-'));
after(() => rmSync(root, { recursive: true, force: true }));

const PER_FILE = 20;

/** A CIFAR-10 folder: 5 train batches and a test batch of PER_FILE records; record r of file f has label (f + r) % 10 and seed 100 f + r. */
function cifar10Dir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const files = [
    'data_batch_1.bin',
    'data_batch_2.bin',
    'data_batch_3.bin',
    'data_batch_4.bin',
    'data_batch_5.bin',
    'test_batch.bin',
  ];
  files.forEach((file, f) => {
    const records = Array.from({ length: PER_FILE }, (_, r) => cifarRecord([(f + r) % 10], 100 * f + r));
    writeFileSync(join(dir, file), Buffer.concat(records));
  });
  return dir;
}

/** The value of pixel (row, col), channel c of the record written with `seed`. */
function pixel(seed: number, row: number, col: number, c: number): number {
  return Math.fround([(seed + row) % 256, col, (seed * 7) % 256][c] / 255);
}

describe('loadCifar10', () => {
  it('reads the five train batches in order and the test batch, as [32, 32, 3] HWC in [0, 1]', () => {
    const { train, test } = loadCifar10(cifar10Dir('ten'), { cache: false });
    assert.equal(train.y.length, 5 * PER_FILE);
    assert.equal(test.y.length, PER_FILE);
    assert.equal(train.x.length, 5 * PER_FILE * 3072);
    assert.deepEqual(train.sampleShape, [32, 32, 3]);
    assert.equal(train.numClasses, 10);
    assert.deepEqual(train.classNames, CIFAR10_CLASS_NAMES);
    assert.deepEqual(test.classNames, CIFAR10_CLASS_NAMES);
    // Batch 2's record 3 is train sample 23: label (1 + 3) % 10, seed 103.
    assert.equal(train.y[23], 4);
    assert.deepEqual(Array.from(train.y.subarray(0, 3)), [0, 1, 2]);
    assert.deepEqual(Array.from(test.y.subarray(0, 2)), [5, 6]);
    const at = (k: number, row: number, col: number, c: number) =>
      train.x[k * 3072 + (row * 32 + col) * 3 + c];
    for (const [row, col] of [
      [0, 0],
      [5, 17],
      [31, 31],
    ]) {
      for (let c = 0; c < 3; c++)
        assert.equal(at(23, row, col, c), pixel(103, row, col, c), `(${row}, ${col}, ${c})`);
    }
    // Test sample 7: seed 507.
    assert.equal(test.x[7 * 3072 + (2 * 32 + 9) * 3 + 0], pixel(507, 2, 9, 0));
    let max = 0;
    for (const v of train.x) max = Math.max(max, v);
    assert.ok(max <= 1 && max > 0.9);
  });

  it('takes class names from batches.meta.txt, and finds the archive folder inside the one given', () => {
    const parent = join(root, 'download');
    const dir = cifar10Dir(join('download', 'cifar-10-batches-bin'));
    const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
    writeFileSync(join(dir, 'batches.meta.txt'), names.join('\n') + '\n\n');
    assert.deepEqual(loadCifar10(parent, { cache: false }).train.classNames, names);
    writeFileSync(join(dir, 'batches.meta.txt'), 'a\nb\n');
    assert.equal(
      refusal(() => loadCifar10(parent, { cache: false })),
      `${join(dir, 'batches.meta.txt')}: expected 10 class names, one a line, got 2`,
    );
  });

  it('refuses a missing file, a partial record and a label out of range, naming the file', () => {
    const dir = cifar10Dir('bad');
    rmSync(join(dir, 'data_batch_4.bin'));
    assert.match(
      refusal(() => loadCifar10(dir, { cache: false })),
      new RegExp(
        `^${join(dir, 'data_batch_4.bin')}: expected a CIFAR-10 batch file, got none \\(the binary version's folder holds data_batch_1\\.bin, .*test_batch\\.bin\\)$`,
      ),
    );
    writeFileSync(join(dir, 'data_batch_4.bin'), Buffer.concat([cifarRecord([1], 0), Buffer.alloc(100)]));
    assert.equal(
      refusal(() => loadCifar10(dir, { cache: false })),
      `${join(dir, 'data_batch_4.bin')}: expected whole CIFAR-10 records of 3073 bytes (1 label byte + 3072 pixel bytes), got 3173 bytes (1 records and 100 bytes over)`,
    );
    writeFileSync(join(dir, 'data_batch_4.bin'), Buffer.concat([cifarRecord([1], 0), cifarRecord([10], 1)]));
    assert.equal(
      refusal(() => loadCifar10(dir, { cache: false })),
      `${join(dir, 'data_batch_4.bin')}: record 1 (0-based): expected a label in [0, 9], got 10`,
    );
  });

  it('caches the re-ordered pixels, keyed by the files', () => {
    const dir = cifar10Dir('cached');
    const cache = join(root, 'cache');
    const files = readdirSync(dir).map((f) => join(dir, f));
    for (const f of files) utimesSync(f, 1_700_000_000, 1_700_000_000);
    const first = loadCifar10(dir, { cache });
    assert.equal(readdirSync(join(cache, 'files')).filter((f) => f.startsWith('cifar-')).length, 1);
    // The same size and time, other bytes: the cache answers.
    const test = join(dir, 'test_batch.bin');
    writeFileSync(test, Buffer.concat(Array.from({ length: PER_FILE }, (_, r) => cifarRecord([9], 200 + r))));
    utimesSync(test, 1_700_000_000, 1_700_000_000);
    const second = loadCifar10(dir, { cache });
    assert.deepEqual(second.test.y, first.test.y);
    assert.ok(Buffer.from(second.train.x.buffer).equals(Buffer.from(first.train.x.buffer)));
    assert.ok(Buffer.from(second.test.x.buffer).equals(Buffer.from(first.test.x.buffer)));
    assert.deepEqual(Array.from(loadCifar10(dir, { cache: false }).test.y), new Array(PER_FILE).fill(9));
  });
});

describe('loadCifar100', () => {
  const dir = join(root, 'hundred');
  mkdirSync(dir);
  // Record r: coarse label r % 20, fine label (3 r) % 100.
  const write = (file: string, n: number, seed: number) =>
    writeFileSync(
      join(dir, file),
      Buffer.concat(Array.from({ length: n }, (_, r) => cifarRecord([r % 20, (3 * r) % 100], seed + r))),
    );
  write('train.bin', 25, 0);
  write('test.bin', 10, 50);

  it('reads fine labels by default and coarse ones on request, with class-<i> names', () => {
    const fine = loadCifar100(dir, { cache: false });
    assert.equal(fine.train.y.length, 25);
    assert.equal(fine.test.y.length, 10);
    assert.equal(fine.train.numClasses, 100);
    assert.deepEqual(Array.from(fine.train.y.subarray(0, 4)), [0, 3, 6, 9]);
    assert.equal(fine.train.y[24], 72);
    assert.equal(fine.train.classNames?.length, 100);
    assert.equal(fine.train.classNames?.[42], 'class-42');
    // Pixels follow the two label bytes.
    assert.equal(fine.test.x[4 * 3072 + (3 * 32 + 1) * 3 + 2], pixel(54, 3, 1, 2));
    assert.equal(fine.test.x[4 * 3072 + (3 * 32 + 1) * 3 + 0], pixel(54, 3, 1, 0));
    const coarse = loadCifar100(dir, { labels: 'coarse', cache: false });
    assert.equal(coarse.train.numClasses, 20);
    assert.deepEqual(Array.from(coarse.train.y.subarray(19, 22)), [19, 0, 1]);
    assert.deepEqual(coarse.train.x, fine.train.x);
  });

  it('takes names from fine_label_names.txt / coarse_label_names.txt, and refuses a partial record', () => {
    writeFileSync(
      join(dir, 'coarse_label_names.txt'),
      Array.from({ length: 20 }, (_, i) => `group ${i}`).join('\n'),
    );
    assert.equal(loadCifar100(dir, { labels: 'coarse', cache: false }).train.classNames?.[3], 'group 3');
    assert.equal(loadCifar100(dir, { cache: false }).train.classNames?.[3], 'class-3');
    writeFileSync(join(dir, 'test.bin'), Buffer.alloc(3073));
    assert.equal(
      refusal(() => loadCifar100(dir, { cache: false })),
      `${join(dir, 'test.bin')}: expected whole CIFAR-100 (fine labels) records of 3074 bytes (2 label bytes + 3072 pixel bytes), got 3073 bytes (0 records and 3073 bytes over)`,
    );
  });
});
