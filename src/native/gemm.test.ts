import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu, randomTensor } from './testing/compare-with-cpu.js';
import { loadAddon } from './addon-loader.js';
import type { NativeBackend } from './native-backend.js';

const load = loadAddon();
if (!load.ok) throw new Error(`native addon unavailable in tests: ${load.reason}`);
const addon = load.addon;

/** Error bound of the portable GEMM: relative 1e-5, scaled by sqrt(K) (float32 sums of K terms). */
const TOLERANCE = 1e-5;

/** Seeded uniform values in [-1, 1) (mulberry32). */
function randomArray(length: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

interface Gemm {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha?: number;
  beta?: number;
  /** Extra leading-dimension padding of a, b and out (their rows are longer than needed). */
  pad?: number;
}

/** Stored sizes: rows x leading dimension of a, b and out. */
function layout(g: Gemm) {
  const pad = g.pad ?? 0;
  const [ar, ac] = g.transA ? [g.k, g.m] : [g.m, g.k];
  const [br, bc] = g.transB ? [g.n, g.k] : [g.k, g.n];
  return {
    lda: Math.max(1, ac + pad),
    ldb: Math.max(1, bc + pad),
    ldc: Math.max(1, g.n + pad),
    aLength: ar * Math.max(1, ac + pad),
    bLength: br * Math.max(1, bc + pad),
    cLength: g.m * Math.max(1, g.n + pad),
  };
}

/** alpha * op(a) @ op(b) + beta * c in float64; beta = 0 ignores c (as BLAS does). */
function reference(g: Gemm, a: Float32Array, b: Float32Array, c: Float32Array): Float64Array {
  const { lda, ldb, ldc } = layout(g);
  const alpha = g.alpha ?? 1;
  const beta = g.beta ?? 0;
  const out = Float64Array.from(c);
  for (let i = 0; i < g.m; i++) {
    for (let j = 0; j < g.n; j++) {
      let sum = 0;
      for (let p = 0; p < g.k; p++) {
        const av = g.transA ? a[p * lda + i] : a[i * lda + p];
        const bv = g.transB ? b[j * ldb + p] : b[p * ldb + j];
        sum += av * bv;
      }
      out[i * ldc + j] = alpha * sum + (beta === 0 ? 0 : beta * c[i * ldc + j]);
    }
  }
  return out;
}

/**
 * Runs the portable GEMM on `out` (pre-filled with `fill`, else random) once per entry of
 * `threadCounts` (default: the current setting) and checks every element, and that the
 * padding beyond each row of out is left as it was. Returns the largest error as a
 * fraction of the bound.
 */
function checkPortable(g: Gemm, seed: number, fill?: number, threadCounts: number[] = []): number {
  const { lda, ldb, ldc, aLength, bLength, cLength } = layout(g);
  const a = randomArray(aLength, seed);
  const b = randomArray(bLength, seed + 1);
  const before = fill === undefined ? randomArray(cLength, seed + 2) : new Float32Array(cLength).fill(fill);
  const expected = reference(g, a, b, before);
  const bound = TOLERANCE * Math.sqrt(Math.max(1, g.k));
  let worst = 0;
  const initialThreads = addon.getNumThreads();
  try {
    for (const threads of threadCounts.length ? threadCounts : [initialThreads]) {
      addon.setNumThreads(threads);
      const out = before.slice();
      addon.portableMatmul(a, b, out, g.m, g.n, g.k, g.transA, g.transB, g.alpha, g.beta, lda, ldb, ldc);
      for (let i = 0; i < g.m; i++) {
        for (let j = 0; j < ldc; j++) {
          const at = i * ldc + j;
          if (j >= g.n) {
            assert.ok(Object.is(out[at], before[at]), `padding out[${i}][${j}] was written`);
            continue;
          }
          const e = expected[at];
          const where = `out[${i}][${j}] on ${threads} thread(s)`;
          assert.ok(Number.isFinite(out[at]), `${where} = ${out[at]}, expected ${e}`);
          const err = Math.abs(out[at] - e) / Math.max(1, Math.abs(e));
          assert.ok(err <= bound, `${where} = ${out[at]}, expected ${e} (error ${err} > ${bound})`);
          worst = Math.max(worst, err / bound);
        }
      }
    }
  } finally {
    addon.setNumThreads(initialThreads);
  }
  return worst;
}

const TRANSPOSES: Array<[boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('portable GEMM (portableMatmul) vs a float64 reference', () => {
  // Sizes below, at and beyond the register tile (8 x 32 or 6 x 16; one vector wide for
  // N <= 16 or 8) and the cache blocks (KC = 256 along K, NC = 512 along N, MC = 1024 or
  // 1020 along M), ragged everywhere.
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [2, 3, 1],
    [1, 40, 7],
    [70, 10, 300],
    [17, 33, 65],
    [8, 32, 256],
    [9, 31, 257],
    [128, 300, 257],
    [33, 1030, 20],
    [1100, 20, 12],
  ];
  for (const [m, n, k] of shapes) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${m}x${n}x${k}${transA ? ' transA' : ''}${transB ? ' transB' : ''}`, () => {
        checkPortable({ m, n, k, transA, transB }, m * 7 + n * 3 + k);
      });
    }
  }

  it('handles empty products: M or N = 0 writes nothing, K = 0 gives beta * C', () => {
    const out = new Float32Array(0);
    addon.portableMatmul(new Float32Array(0), new Float32Array(6), out, 0, 2, 3, false, false);
    addon.portableMatmul(new Float32Array(6), new Float32Array(0), out, 2, 0, 3, false, false);
    for (const [transA, transB] of TRANSPOSES) {
      checkPortable({ m: 3, n: 4, k: 0, transA, transB }, 11, NaN); // beta = 0: zeros, NaN gone
      checkPortable({ m: 3, n: 4, k: 0, transA, transB, beta: 0.5 }, 12);
    }
  });

  it('with beta = 0 never reads C: NaN garbage there does not leak into the result', () => {
    for (const [transA, transB] of TRANSPOSES) {
      for (const [m, n, k] of [
        [5, 7, 3],
        [40, 70, 300],
      ]) {
        checkPortable({ m, n, k, transA, transB }, 21, NaN);
        checkPortable({ m, n, k, transA, transB, alpha: 2 }, 22, Infinity);
      }
    }
  });

  it('applies alpha and beta (beta = 1 accumulates, as the bias path of matmul does)', () => {
    for (const [transA, transB] of TRANSPOSES) {
      checkPortable({ m: 19, n: 45, k: 300, transA, transB, beta: 1 }, 31);
      checkPortable({ m: 19, n: 45, k: 300, transA, transB, alpha: 0.5, beta: -2 }, 32);
      checkPortable({ m: 6, n: 9, k: 4, transA, transB, alpha: 0, beta: 3 }, 33);
      checkPortable({ m: 6, n: 9, k: 4, transA, transB, alpha: 0 }, 34, NaN);
    }
  });

  it('honours leading dimensions larger than the rows (and leaves the padding alone)', () => {
    for (const [transA, transB] of TRANSPOSES) {
      checkPortable({ m: 13, n: 37, k: 29, transA, transB, pad: 3 }, 41);
      checkPortable({ m: 70, n: 45, k: 270, transA, transB, pad: 5, beta: 1 }, 42);
    }
  });

  it('gives correct results on 1 and 2 threads for products large enough to split', () => {
    // Over 25 M multiply-adds: split over 2 threads (from 12.5 M each), along M (M >= N) or N.
    checkPortable({ m: 300, n: 200, k: 450, transA: true, transB: false }, 51, NaN, [1, 2]);
    checkPortable({ m: 40, n: 1500, k: 450, transA: false, transB: true }, 52, undefined, [1, 2]);
  });

  it('rejects arrays too short for the shape instead of reading past them', () => {
    const a = new Float32Array(6);
    assert.throws(() => addon.portableMatmul(a, a, new Float32Array(3), 2, 2, 3, false, true), RangeError);
    assert.throws(() => addon.portableMatmul(a, new Float32Array(5), a, 2, 2, 3, false, false), RangeError);
    assert.throws(() => addon.portableMatmul(a, a, a, 2, 3, 3, false, false, 1, 0, 2), RangeError);
  });
});

describe('setGemm', () => {
  it('lists and switches the GEMMs of this build, and refuses one it lacks', () => {
    const initial = addon.gemm;
    assert.equal(addon.gemms[0], initial, 'the default GEMM is the first listed');
    assert.ok(addon.gemms.includes('portable'));
    try {
      addon.setGemm('portable');
      assert.equal(addon.gemm, 'portable');
      if (initial !== 'portable') {
        addon.setGemm('blas');
        assert.equal(addon.gemm, initial);
      } else {
        assert.throws(() => addon.setGemm('blas'), /no GEMM "blas"/);
      }
      assert.throws(() => addon.setGemm('mkl' as 'blas'), /no GEMM "mkl"/);
    } finally {
      addon.setGemm(initial);
    }
  });
});

describe('native matmul kernels on the portable GEMM vs cpu', () => {
  const initial = addon.gemm;
  // The backend sets its default GEMM when tfjs creates it: create it first, then switch.
  before(async () => {
    await tf.setBackend('native');
    addon.setGemm('portable');
  });
  after(() => addon.setGemm(initial));

  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['2d', [37, 300], [300, 45], false, false],
    ['transpose a', [300, 37], [300, 45], true, false],
    ['transpose b', [37, 300], [45, 300], false, true],
    ['transpose both', [300, 37], [45, 300], true, true],
    ['batched', [3, 9, 20], [3, 20, 70], false, false],
    ['broadcast batch of b', [2, 5, 33], [33, 17], false, false],
    ['1x1x1', [1, 1], [1, 1], false, false],
    ['empty k', [3, 0], [0, 4], false, false],
  ];
  for (const [name, sa, sb, ta, tb] of cases) {
    it(name, async () => {
      const k = ta ? sa[sa.length - 2] : sa[sa.length - 1];
      await expectKernelMatchesCpu(
        () => tf.matMul(randomTensor(sa, 1), randomTensor(sb, 2), ta, tb),
        TOLERANCE * Math.sqrt(Math.max(1, k)),
      );
    });
  }

  it('runs natively, on the portable GEMM', async () => {
    await tf.setBackend('native');
    const backend = tf.findBackend('native') as NativeBackend;
    assert.equal(backend.addon.gemm, 'portable');
    const before = backend.calls.native.get('BatchMatMul') ?? 0;
    tf.tidy(() => tf.matMul(randomTensor([4, 5], 1), randomTensor([5, 6], 2)).dataSync());
    assert.equal(backend.calls.native.get('BatchMatMul'), before + 1);
  });

  it('fused bias + relu and its gradients (as tfjs-layers trains)', async () => {
    await expectKernelMatchesCpu(
      () => {
        const x = randomTensor([32, 300], 7);
        const w = randomTensor([300, 40], 8);
        const bias = randomTensor([40], 9);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'relu' })),
        );
        return [
          tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias, activation: 'relu' }),
          ...g([x, w, bias]),
        ];
      },
      TOLERANCE * Math.sqrt(300),
    );
  });
});
