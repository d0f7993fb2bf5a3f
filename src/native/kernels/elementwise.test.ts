/**
 * Native elementwise kernels against the tfjs cpu kernels.
 *
 * Error bounds (what the assertions allow):
 * - binary ops, Relu, Relu6, LeakyRelu, Step, Neg, Sqrt, Square, Abs, Rsqrt, Reciprocal and
 *   the casts: bit-exact, -0 and NaN included;
 * - Exp, Log, Tanh, Sigmoid: at most 1 ulp of float32 (none was seen over 4M random inputs);
 * - Elu: absolute 1e-12 (below 0 the cpu kernel loses digits in Math.exp(x) - 1 when x is
 *   near 0; the native one is closer to the exact value there);
 * - gradients of a composite: 1e-6 relative.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu, randomTensor } from '../testing/compare-with-cpu.js';
import type { NativeBackend } from '../native-backend.js';
import { A_IS_ONE_VALUE, B_IS_ONE_VALUE, BroadcastPlan, SAME_SHAPE } from './elementwise-broadcast.js';

type Compare = 'exact' | 'ulp1' | { abs: number };

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0];

/** Seeded values in [-scale, scale], every 7th-ish one replaced by a special value. */
function values(n: number, seed: number, scale = 3, specials = true): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    const u = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    out[i] = specials && u < 0.15 ? SPECIALS[Math.floor(u * 100) % SPECIALS.length] : (2 * u - 1) * scale;
  }
  return out;
}

function tensor(shape: number[], seed: number, scale = 3, specials = true): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
      scale,
      specials,
    ),
    shape,
  );
}

function nativeBackend(): NativeBackend {
  return tf.findBackend('native') as NativeBackend;
}

function ulpDistance(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const key = (x: number) => (x < 0 ? -0x80000000 - x : x); // monotonic in the float order
  return Math.abs(key(i[0]) - key(i[1]));
}

function sameValue(expected: number, actual: number, compare: Compare): boolean {
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) && Number.isNaN(actual);
  if (Object.is(expected, actual)) return true;
  if (compare === 'exact') return false;
  if (compare === 'ulp1') return ulpDistance(expected, actual) <= 1;
  return Math.abs(expected - actual) <= compare.abs;
}

async function run(backend: string, f: () => tf.Tensor) {
  await tf.setBackend(backend);
  const t = tf.tidy(f);
  const result = { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) };
  t.dispose();
  return result;
}

/**
 * Runs `f` on cpu and on native, compares shape, dtype and values, and checks that the
 * native run served `kernel` natively (or fell back, when `expectNative` is false).
 */
async function expectMatches(f: () => tf.Tensor, kernel: string, compare: Compare, expectNative = true) {
  const expected = await run('cpu', f);
  await tf.setBackend('native');
  const calls = expectNative ? nativeBackend().calls.native : nativeBackend().calls.fallback;
  const before = calls.get(kernel) ?? 0;
  const actual = await run('native', f);
  assert.ok(
    (calls.get(kernel) ?? 0) > before,
    `${kernel} did not run ${expectNative ? 'natively' : 'in JS'}`,
  );
  assert.deepEqual(actual.shape, expected.shape, 'shapes differ');
  assert.equal(actual.dtype, expected.dtype, 'dtypes differ');
  for (let i = 0; i < expected.values.length; i++) {
    const e = expected.values[i];
    const a = actual.values[i];
    assert.ok(
      sameValue(e, a, compare),
      `${kernel} [${i}]: expected ${Object.is(e, -0) ? '-0' : e}, got ${a}`,
    );
  }
}

const BINARY: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ['Add', tf.add],
  ['Sub', tf.sub],
  ['Multiply', tf.mul],
  ['RealDiv', tf.div],
  ['Maximum', tf.maximum],
  ['Minimum', tf.minimum],
  ['SquaredDifference', tf.squaredDifference],
];

const BROADCASTS: Array<[string, number[], number[]]> = [
  ['same shape', [3, 5], [3, 5]],
  ['scalar right', [4, 6], []],
  ['scalar left', [], [4, 6]],
  ['row suffix (bias add)', [8, 7], [7]],
  ['row on the left', [7], [8, 7]],
  ['column', [6, 5], [6, 1]],
  ['column on the left', [6, 1], [6, 5]],
  ['middle axis', [2, 1, 4], [1, 3, 1]],
  ['rank mismatch', [2, 3, 4, 5], [4, 1]],
  ['size-1 dims', [1, 5, 1, 3], [2, 1, 1, 3]],
  ['outer product', [5, 1], [1, 7]],
  ['one value of higher rank', [1, 1, 1], [9]],
  ['both one value', [1, 1], [1]],
  ['both scalars', [], []],
  ['empty', [0, 3], [3]],
  ['empty broadcast', [2, 0], [2, 1]],
  ['odd sizes, bias', [37, 53], [53]],
  ['odd sizes, general', [33, 1, 17], [1, 29, 17]],
  ['large, above 64k', [300, 257], [257]],
];

describe('native binary kernels vs cpu (bit-exact)', () => {
  for (const [kernel, op] of BINARY) {
    describe(kernel, () => {
      for (const [name, sa, sb] of BROADCASTS) {
        it(`${name}: [${sa}] op [${sb}]`, async () => {
          await expectMatches(() => op(tensor(sa, 1), tensor(sb, 2)), kernel, 'exact');
        });
      }
      it('NaN, infinities and signed zeros in every pairing', async () => {
        const s = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 3e38, -3e38, 1e-45];
        const a = s.flatMap((x) => s.map(() => x));
        const b = s.flatMap(() => s);
        await expectMatches(() => op(tf.tensor1d(a), tf.tensor1d(b)), kernel, 'exact');
      });
    });
  }

  it('shapes that do not broadcast raise the cpu kernel error', async () => {
    for (const backend of ['cpu', 'native']) {
      await tf.setBackend(backend);
      assert.throws(() => tf.add(tf.ones([2, 3]), tf.ones([3, 2])), /broadcast|match/i);
    }
  });

  it('int32 Add falls back to the JS kernel and is correct', async () => {
    await expectMatches(
      () => tf.add(tf.tensor([[1, -2, 3]], [1, 3], 'int32'), tf.tensor([[10], [20]], [2, 1], 'int32')),
      'Add',
      'exact',
      false,
    );
  });

  it('complex64 Add falls back to the JS kernel', async () => {
    await tf.setBackend('native');
    const before = nativeBackend().calls.fallback.get('Add') ?? 0;
    const c = tf.complex([1, 2], [3, 4]);
    const sum = tf.add(c, c);
    assert.deepEqual(Array.from(await tf.real(sum).data()), [2, 4]);
    assert.deepEqual(Array.from(await tf.imag(sum).data()), [6, 8]);
    assert.ok((nativeBackend().calls.fallback.get('Add') ?? 0) > before);
    tf.dispose([c, sum]);
  });
});

const UNARY: Array<[string, (x: tf.Tensor) => tf.Tensor, Compare]> = [
  ['Relu', tf.relu, 'exact'],
  ['Relu6', tf.relu6, 'exact'],
  ['LeakyRelu', (x) => tf.leakyRelu(x, 0.1), 'exact'],
  ['Step', (x) => tf.step(x, 0.3), 'exact'],
  ['Exp', tf.exp, 'ulp1'],
  ['Log', tf.log, 'ulp1'],
  ['Neg', tf.neg, 'exact'],
  ['Sqrt', tf.sqrt, 'exact'],
  ['Square', tf.square, 'exact'],
  ['Sigmoid', tf.sigmoid, 'ulp1'],
  ['Tanh', tf.tanh, 'ulp1'],
  ['Abs', tf.abs, 'exact'],
  ['Elu', tf.elu, { abs: 1e-12 }],
  ['Rsqrt', tf.rsqrt, 'exact'],
  ['Reciprocal', tf.reciprocal, 'exact'],
];

/** Inputs where the functions above change regime, overflow, underflow or are undefined. */
const UNARY_SPECIALS = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1e-45,
  -1e-45,
  1e-38,
  -1e-38,
  1e-20,
  -1e-20,
  1e-7,
  -1e-7,
  0.049,
  0.05,
  0.051,
  -0.05,
  0.5,
  -0.5,
  1,
  -1,
  2,
  6,
  6.5,
  -6,
  9.1,
  -9.1,
  20,
  -20,
  87.3,
  88.7,
  88.8,
  -87.3,
  -103,
  -104,
  -110,
  1e10,
  -1e10,
  3.4e38,
  -3.4e38,
];

describe('native unary kernels vs cpu', () => {
  for (const [kernel, op, compare] of UNARY) {
    describe(kernel, () => {
      it('random values, odd size', async () => {
        await expectMatches(() => op(tensor([37, 29], 3, 5, false)), kernel, compare);
      });
      it('wide-range values above 64k', async () => {
        await expectMatches(() => op(tensor([70001], 4, 120, false)), kernel, compare);
      });
      it('special values', async () => {
        await expectMatches(() => op(tf.tensor1d(UNARY_SPECIALS)), kernel, compare);
      });
      it('empty', async () => {
        await expectMatches(() => op(tf.zeros([0, 4])), kernel, compare);
      });
    });
  }

  it('int32 Neg and Abs fall back to the JS kernel', async () => {
    await expectMatches(() => tf.neg(tf.tensor([1, -2, 0], [3], 'int32')), 'Neg', 'exact', false);
    await expectMatches(() => tf.abs(tf.tensor([1, -2, 0], [3], 'int32')), 'Abs', 'exact', false);
  });
});

describe('native Cast vs cpu', () => {
  const floats = [
    0,
    -0,
    0.4,
    -0.4,
    0.9999,
    -0.9999,
    1,
    -1,
    2.5,
    -2.5,
    1e7,
    -1e7,
    2 ** 31 - 128,
    -(2 ** 31),
    2 ** 31,
    3e9,
    -3e9,
    2 ** 32 + 2 ** 9,
    1e20,
    -1e20,
    3.4e38,
    NaN,
    Infinity,
    -Infinity,
    1e-45,
  ];
  const ints = [0, 1, -1, 7, -123456, 2 ** 24, -(2 ** 24), 2 ** 24 - 1];

  it('float32 -> int32 (truncation toward zero, JS ToInt32 wrap-around, NaN and infinities -> 0)', async () => {
    await expectMatches(() => tf.cast(tf.tensor1d(floats), 'int32'), 'Cast', 'exact');
  });
  it('float32 -> bool (x !== 0: NaN is true, -0 is false)', async () => {
    await expectMatches(() => tf.cast(tf.tensor1d(floats), 'bool'), 'Cast', 'exact');
  });
  it('int32 -> float32', async () => {
    await expectMatches(() => tf.cast(tf.tensor1d(ints, 'int32'), 'float32'), 'Cast', 'exact');
  });
  it('int32 -> bool', async () => {
    await expectMatches(() => tf.cast(tf.tensor1d(ints, 'int32'), 'bool'), 'Cast', 'exact');
  });
  it('bool -> float32', async () => {
    await expectMatches(() => tf.cast(tf.tensor1d([true, false, true], 'bool'), 'float32'), 'Cast', 'exact');
  });
  it('random float32 -> int32 above 64k', async () => {
    await expectMatches(() => tf.cast(tensor([300, 301], 5, 1e4), 'int32'), 'Cast', 'exact');
  });
  it('empty', async () => {
    await expectMatches(() => tf.cast(tf.zeros([0, 2]), 'int32'), 'Cast', 'exact');
  });
  const fallbacks: Array<[string, () => tf.Tensor]> = [
    ['bool -> int32', () => tf.cast(tf.tensor1d([true, false], 'bool'), 'int32')],
    ['bool -> bool', () => tf.cast(tf.tensor1d([true, false], 'bool'), 'bool')],
    ['int32 -> int32', () => tf.cast(tf.tensor1d(ints, 'int32'), 'int32')],
    ['float32 -> float32', () => tf.cast(tf.tensor1d(floats), 'float32')],
    ['complex64 -> float32', () => tf.cast(tf.complex([1.5, -2], [3, 4]), 'float32')],
  ];
  for (const [name, f] of fallbacks) {
    it(`${name} falls back to the JS kernel`, async () => {
      await expectMatches(f, 'Cast', 'exact', false);
    });
  }
  it('float32 -> complex64 falls back to the JS kernel', async () => {
    await tf.setBackend('native');
    const c = tf.cast(tf.tensor1d([1, 2]), 'complex64');
    assert.equal(c.dtype, 'complex64');
    assert.deepEqual(Array.from(await tf.real(c).data()), [1, 2]);
    c.dispose();
  });
  it('int32 -> float32 yields a Float32Array that native kernels accept', async () => {
    await tf.setBackend('native');
    const backend = nativeBackend();
    const f = tf.cast(tf.tensor1d([1, 2, 3], 'int32'), 'float32');
    assert.ok(backend.f32(f) instanceof Float32Array);
    const before = backend.calls.native.get('Exp') ?? 0;
    tf.exp(f).dispose();
    assert.equal(backend.calls.native.get('Exp'), before + 1);
    f.dispose();
  });
});

describe('gradients through native elementwise kernels', () => {
  it('tf.grads of sum(sigmoid(a * b + c)) with broadcasting match cpu', async () => {
    await expectKernelMatchesCpu(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.sigmoid(tf.add(tf.mul(a, b), c))),
      );
      return g([randomTensor([6, 5], 11), randomTensor([5], 12), randomTensor([6, 1], 13)]);
    }, 1e-6);
  });
  it('tf.grads through relu, tanh, exp, log, sqrt, maximum and squaredDifference match cpu', async () => {
    // tfjs's Maximum and SquaredDifference gradients do not reduce broadcast dimensions, so
    // those two get equal shapes; the broadcast is in Multiply and RealDiv.
    await expectKernelMatchesCpu(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const h = tf.maximum(tf.relu(a), tf.tanh(b));
        const l = tf.mul(tf.log(tf.add(tf.exp(h), tf.sqrt(tf.square(b)))), c);
        return tf.sum(tf.squaredDifference(tf.div(l, tf.add(tf.abs(a), 1)), tf.mul(a, 0.5)));
      });
      return g([randomTensor([4, 7], 14, 2), randomTensor([4, 7], 15, 2), randomTensor([7], 16)]);
    }, 1e-6);
  });
});

describe('addon argument checks', () => {
  it('rejects broadcasts, op codes and arrays that do not fit instead of reading out of bounds', async () => {
    await tf.setBackend('native');
    const addon = nativeBackend().addon;
    const a = new Float32Array(6);
    const out = new Float32Array(6);
    // [2, 3] op [3] claimed for a b of 2 values.
    const packed = new Int32Array([2, 2, 3, 3, 1, 0, 1]);
    assert.throws(() => addon.binary(0, a, new Float32Array(2), out, packed), RangeError);
    assert.throws(() => addon.binary(0, a, new Float32Array(5), out, 0), RangeError);
    assert.throws(() => addon.binary(99, a, a, out, 0), RangeError);
    assert.throws(() => addon.unary(0, a, new Float32Array(5), 0), RangeError);
    assert.throws(() => addon.unary(99, a, out, 0), RangeError);
    assert.throws(() => addon.cast(0, a, new Float32Array(6)), TypeError);
    assert.throws(() => addon.cast(0, a, new Int32Array(5)), RangeError);
  });
});

describe('BroadcastPlan', () => {
  const plan = new BroadcastPlan();
  const packed = () => Array.from(plan.packed.subarray(0, 1 + 3 * plan.packed[0]));

  it('same shapes and single values need no packing', () => {
    const shape = [4, 5];
    assert.equal(plan.plan(shape, [4, 5], 20, 20), shape);
    assert.equal(plan.broadcast, SAME_SHAPE);
    assert.equal(plan.plan(shape, [], 20, 1), shape);
    assert.equal(plan.broadcast, B_IS_ONE_VALUE);
    assert.deepEqual(plan.plan([1], [3, 2], 1, 6), [3, 2]);
    assert.equal(plan.broadcast, A_IS_ONE_VALUE);
    assert.equal(plan.size, 6);
  });
  it('a bias add is rank 2 with a zero outer stride for the bias', () => {
    assert.deepEqual(plan.plan([8, 7], [7], 56, 7), [8, 7]);
    assert.equal(plan.broadcast, plan.packed);
    assert.deepEqual(packed(), [2, 8, 7, 7, 1, 0, 1]);
  });
  it('a column broadcast has a zero inner stride', () => {
    assert.deepEqual(plan.plan([6, 5], [6, 1], 30, 6), [6, 5]);
    assert.deepEqual(packed(), [2, 6, 5, 5, 1, 1, 0]);
  });
  it('merges dimensions with the same pattern and drops size-1 ones', () => {
    assert.deepEqual(plan.plan([2, 3, 4, 5], [4, 1], 120, 4), [2, 3, 4, 5]);
    assert.deepEqual(packed(), [3, 6, 4, 5, 20, 5, 1, 0, 1, 0]);
    assert.deepEqual(plan.plan([1, 5, 1, 3], [2, 1, 1, 3], 15, 6), [2, 5, 1, 3]);
    assert.deepEqual(packed(), [3, 2, 5, 3, 0, 3, 1, 3, 0, 1]);
  });
  it('rejects shapes that do not broadcast or do not match their arrays', () => {
    assert.equal(plan.plan([2, 3], [3, 2], 6, 6), null);
    assert.equal(plan.plan([2, 3], [3], 6, 4), null);
    assert.equal(plan.plan([2, 3], [2, 3], 6, 5), null);
  });
  it('empty outputs have size 0', () => {
    assert.deepEqual(plan.plan([0, 3], [3], 0, 3), [0, 3]);
    assert.equal(plan.size, 0);
  });
});
