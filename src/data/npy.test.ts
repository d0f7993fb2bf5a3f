import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadNpySamples, parseNpy, readNpy } from './npy.js';
import { npyBytes, refusal } from './testing/files.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-npy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(bytes: Buffer): string {
  const path = join(dir, `a${count++}.npy`);
  writeFileSync(path, bytes);
  return path;
}

describe('parseNpy', () => {
  it('reads versions 1.0, 2.0 and 3.0 and every accepted dtype', () => {
    const f4 = parseNpy(npyBytes('<f4', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6.5])), 'a.npy');
    assert.deepEqual(f4.shape, [2, 3]);
    assert.equal(f4.dtype, '<f4');
    assert.deepEqual(Array.from(f4.data, Number), [1, 2, 3, 4, 5, 6.5]);
    for (const major of [2, 3]) {
      const v = parseNpy(npyBytes('<i2', [3], new Int16Array([-1, 0, 300]), { major }), 'a.npy');
      assert.deepEqual(Array.from(v.data, Number), [-1, 0, 300]);
    }
    const cases: [string, ArrayBufferView, number[]][] = [
      ['<f8', new Float64Array([0.25, -2]), [0.25, -2]],
      ['<i1', new Int8Array([-5, 7]), [-5, 7]],
      ['|i1', new Int8Array([-5, 7]), [-5, 7]],
      ['<i4', new Int32Array([-70000, 3]), [-70000, 3]],
      ['<i8', new BigInt64Array([-2n, 5n]), [-2, 5]],
      ['<u1', new Uint8Array([0, 255]), [0, 255]],
      ['|u1', new Uint8Array([0, 255]), [0, 255]],
      ['<u2', new Uint16Array([65535, 1]), [65535, 1]],
      ['<u4', new Uint32Array([4294967295, 1]), [4294967295, 1]],
      ['|b1', new Uint8Array([1, 0]), [1, 0]],
    ];
    for (const [descr, data, expected] of cases) {
      const parsed = parseNpy(npyBytes(descr, [2], data), 'a.npy');
      assert.deepEqual(Array.from(parsed.data, Number), expected, descr);
    }
    // A header numpy 1.x wrote in Python 2: long integers.
    const old = parseNpy(
      npyBytes('<u1', [1, 2], new Uint8Array([3, 4]), {
        header: "{'descr': '|u1', 'fortran_order': False, 'shape': (1L, 2L), }",
      }),
      'a.npy',
    );
    assert.deepEqual(old.shape, [1, 2]);
  });

  it('refuses other dtypes, Fortran order, other versions and wrong sizes, saying what it found', () => {
    const one = new Float32Array([1]);
    assert.match(
      refusal(() => parseNpy(npyBytes('>f4', [1], one), 'a.npy')),
      /^a\.npy: expected a little-endian dtype \(one of <f4 .* \|b1\), got '>f4' \(big-endian/,
    );
    assert.match(
      refusal(() => parseNpy(npyBytes('<u8', [1], new BigUint64Array([1n])), 'a.npy')),
      /got '<u8'$/,
    );
    assert.match(
      refusal(() => parseNpy(npyBytes('<f2', [1], new Uint16Array([1])), 'a.npy')),
      /got '<f2'$/,
    );
    assert.equal(
      refusal(() => parseNpy(npyBytes('<f4', [1], one, { fortran: 'True' }), 'a.npy')),
      'a.npy: expected fortran_order False (C order), got True (save np.ascontiguousarray(arr))',
    );
    assert.equal(
      refusal(() =>
        parseNpy(
          npyBytes('', [1], one, {
            header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
          }),
          'a.npy',
        ),
      ),
      "a.npy: expected a plain dtype, got a structured dtype (('a', '<f4'))",
    );
    assert.equal(
      refusal(() => parseNpy(npyBytes('<f4', [1], one, { major: 4 }), 'a.npy')),
      'a.npy: expected .npy format version 1.0, 2.0 or 3.0, got 4.0',
    );
    assert.equal(
      refusal(() => parseNpy(npyBytes('<f4', [2], one), 'a.npy')),
      "a.npy: expected 8 data bytes for shape (2) of '<f4', got 4 (truncated file)",
    );
    assert.equal(
      refusal(() => parseNpy(npyBytes('<f4', [1], new Float32Array([1, 2])), 'a.npy')),
      "a.npy: expected 4 data bytes for shape (1) of '<f4', got 8 (trailing bytes)",
    );
    assert.equal(
      refusal(() => parseNpy(Buffer.from('PK\x03\x04 not npy'), 'a.npy')),
      'a.npy: expected a .npy file (starting with \\x93NUMPY), got other bytes',
    );
    assert.match(
      refusal(() => parseNpy(npyBytes('', [1], one, { header: "{'descr': '<f4', 'shape': (1,)}" }), 'a.npy')),
      /expected the header to have 'fortran_order', got keys descr, shape/,
    );
    assert.equal(
      refusal(() => readNpy(join(dir, 'none.npy'))),
      `${join(dir, 'none.npy')}: expected a readable .npy file, got ENOENT`,
    );
  });
});

describe('loadNpySamples', () => {
  it('reads x (first axis the samples, scaled) and integer labels of several dtypes', () => {
    const x = file(npyBytes('|u1', [2, 2, 2], new Uint8Array([0, 51, 102, 255, 255, 0, 0, 0])));
    const y = file(npyBytes('<i8', [2], new BigInt64Array([1n, 0n])));
    const samples = loadNpySamples({ x, y }, { scale: 1 / 255 });
    assert.deepEqual(samples.sampleShape, [2, 2]);
    assert.deepEqual(Array.from(samples.x), [0, 0.2, 0.4, 1, 1, 0, 0, 0].map(Math.fround));
    assert.deepEqual(samples.labels, [1, 0]);
    // Float labels holding integers, one column, and a 1-D x (one value a sample).
    const x1 = file(npyBytes('<f8', [3], new Float64Array([0.5, 1.5, 2.5])));
    const yf = file(npyBytes('<f4', [3, 1], new Float32Array([2, 0, 2])));
    const flat = loadNpySamples({ x: x1, y: yf });
    assert.deepEqual(flat.sampleShape, [1]);
    assert.deepEqual(Array.from(flat.x), [0.5, 1.5, 2.5]);
    assert.deepEqual(flat.labels, [2, 0, 2]);
    const yb = file(npyBytes('|b1', [3], new Uint8Array([1, 0, 1])));
    assert.deepEqual(loadNpySamples({ x: x1, y: yb }).labels, [1, 0, 1]);
  });

  it('refuses labels that are not integers, of another count or shape, and x that is not finite', () => {
    const x = file(npyBytes('<f4', [2, 1], new Float32Array([1, 2])));
    const half = file(npyBytes('<f4', [2], new Float32Array([1, 0.5])));
    assert.equal(
      refusal(() => loadNpySamples({ x, y: half })),
      `${half}: element 1: expected an integer label, got 0.5`,
    );
    const three = file(npyBytes('<i4', [3], new Int32Array([0, 1, 2])));
    assert.equal(
      refusal(() => loadNpySamples({ x, y: three })),
      `${three}: expected 2 labels, one per sample of ${x} (shape (2, 1)), got 3`,
    );
    const square = file(npyBytes('<i4', [2, 2], new Int32Array([0, 1, 2, 3])));
    assert.equal(
      refusal(() => loadNpySamples({ x, y: square })),
      `${square}: expected a 1-D array of labels, got shape (2, 2)`,
    );
    const nan = file(npyBytes('<f4', [2, 2], new Float32Array([1, 2, 3, NaN])));
    const y = file(npyBytes('<i4', [2], new Int32Array([0, 1])));
    assert.equal(
      refusal(() => loadNpySamples({ x: nan, y })),
      `${nan}: element 3 (sample 1): expected a finite number, got NaN`,
    );
    const empty = file(npyBytes('<f4', [0, 2], new Float32Array([])));
    assert.equal(
      refusal(() => loadNpySamples({ x: empty, y })),
      `${empty}: expected at least one sample, got shape (0, 2)`,
    );
  });
});
