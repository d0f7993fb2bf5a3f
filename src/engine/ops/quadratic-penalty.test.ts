import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu, randomTensor } from '../../native/testing/compare-with-cpu.js';
import type { NativeBackend } from '../../native/native-backend.js';
import { QUADRATIC_PENALTY, QUADRATIC_PENALTY_GRAD } from '../../native/kernels/penalty.js';
import { quadraticPenalty } from './quadratic-penalty.js';

// Several variables per case, incl. 1-element and odd sizes (no multiple of a SIMD width).
const CASES: Array<[string, number[][]]> = [
  ['one scalar-sized variable', [[1]]],
  ['odd sizes', [[7], [3, 5], [1, 1, 13]]],
  ['an MLP layer pair', [[33, 17], [17], [17, 5], [5]]],
  ['a conv kernel', [[3, 3, 4, 6], [6]]],
];

interface Inputs {
  thetas: tf.Tensor[];
  centres: tf.Tensor[];
  weights: tf.Tensor[];
}

function inputs(shapes: number[][], seed: number): Inputs {
  return {
    thetas: shapes.map((s, v) => randomTensor(s, seed + 3 * v)),
    centres: shapes.map((s, v) => randomTensor(s, seed + 3 * v + 1)),
    // Importances are >= 0.
    weights: shapes.map((s, v) => tf.abs(randomTensor(s, seed + 3 * v + 2, 5))),
  };
}

/** The formula in tf ops, as the regularisers computed it before the fused op. */
function reference({ thetas, centres, weights }: Inputs, strength: number): tf.Scalar {
  const sums = thetas.map((t, v) => tf.sum(tf.mul(weights[v], tf.square(tf.sub(t, centres[v])))));
  return tf.mul(tf.addN(sums), strength) as tf.Scalar;
}

/** [value, ...gradients] of 3 * penalty, so the gradient sees dy = 3. */
function valueAndGrads(penalty: (thetas: tf.Tensor[]) => tf.Scalar, thetas: tf.Tensor[]): tf.Tensor[] {
  const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => tf.mul(penalty(ts), 3) as tf.Scalar)(
    thetas,
  );
  return [value, ...grads];
}

const nativeCalls = (name: string) => (tf.findBackend('native') as NativeBackend).calls.native.get(name) ?? 0;

function maxRelativeError(actual: tf.Tensor[], expected: tf.Tensor[]): number {
  let max = 0;
  actual.forEach((a, t) => {
    assert.deepEqual(a.shape, expected[t].shape);
    const av = a.dataSync();
    const ev = expected[t].dataSync();
    ev.forEach((e, i) => {
      max = Math.max(max, Math.abs(av[i] - e) / Math.max(Math.abs(e), 1e-6));
    });
  });
  return max;
}

describe('quadraticPenalty', () => {
  for (const [name, shapes] of CASES) {
    it(`${name}: native value and gradient match cpu within 1e-5`, async () => {
      await expectKernelMatchesCpu(() => {
        const x = inputs(shapes, 11);
        return valueAndGrads((ts) => quadraticPenalty(ts, x.centres, x.weights, 0.7), x.thetas);
      }, 1e-5);
    });

    it(`${name}: the fused kernels match the tf-ops formula within 1e-5 relative`, async () => {
      await tf.setBackend('native');
      const forward = nativeCalls(QUADRATIC_PENALTY);
      const backward = nativeCalls(QUADRATIC_PENALTY_GRAD);
      const error = tf.tidy(() => {
        const x = inputs(shapes, 5);
        const fused = valueAndGrads((ts) => quadraticPenalty(ts, x.centres, x.weights, 2.5), x.thetas);
        const expected = valueAndGrads((ts) => reference({ ...x, thetas: ts }, 2.5), x.thetas);
        return maxRelativeError(fused, expected);
      });
      assert.ok(error <= 1e-5, `relative error ${error}`);
      // One kernel forward for all variables, one per variable backward.
      assert.equal(nativeCalls(QUADRATIC_PENALTY), forward + 1);
      assert.equal(nativeCalls(QUADRATIC_PENALTY_GRAD), backward + shapes.length);
    });
  }

  it('leaks no tensor', async () => {
    await tf.setBackend('native');
    const x = inputs([[4, 3], [3]], 2);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      tf.dispose(
        tf.tidy(() => valueAndGrads((ts) => quadraticPenalty(ts, x.centres, x.weights, 1), x.thetas)),
      );
    }
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([...x.thetas, ...x.centres, ...x.weights]);
  });

  it('gives no gradient to centres and weights (constants)', async () => {
    await tf.setBackend('native');
    tf.tidy(() => {
      const x = inputs([[4, 3], [3]], 2);
      assert.throws(
        () =>
          tf.grad((c: tf.Tensor) => quadraticPenalty(x.thetas, [c, x.centres[1]], x.weights, 1))(
            x.centres[0],
          ),
        /Cannot compute gradient/,
      );
    });
  });

  it('counts a variable listed twice twice (EWC with several anchors)', async () => {
    await tf.setBackend('native');
    const [fused, expected] = tf.tidy(() => {
      const a = inputs([[6]], 1);
      const b = inputs([[6]], 4);
      const t = a.thetas[0];
      const both = {
        thetas: [t, t],
        centres: [a.centres[0], b.centres[0]],
        weights: [a.weights[0], b.weights[0]],
      };
      return [
        valueAndGrads(([u]) => quadraticPenalty([u, u], both.centres, both.weights, 1), [t]).map((r) =>
          tf.keep(r),
        ),
        valueAndGrads(([u]) => reference({ ...both, thetas: [u, u] }, 1), [t]).map((r) => tf.keep(r)),
      ];
    });
    assert.ok(maxRelativeError(fused, expected) <= 1e-5);
    tf.dispose([...fused, ...expected]);
  });

  it('falls back to tf ops for inputs the kernels do not take, with the same result', async () => {
    await tf.setBackend('native');
    const forward = nativeCalls(QUADRATIC_PENALTY);
    const [fallback, expected] = tf.tidy(() => {
      // A broadcast weight (a scalar per variable) is not an elementwise layout.
      const x = {
        thetas: [randomTensor([5, 2], 1)],
        centres: [randomTensor([5, 2], 2)],
        weights: [tf.scalar(0.3)],
      };
      return [
        valueAndGrads((ts) => quadraticPenalty(ts, x.centres, x.weights, 2), x.thetas).map((r) => tf.keep(r)),
        valueAndGrads((ts) => reference({ ...x, thetas: ts }, 2), x.thetas).map((r) => tf.keep(r)),
      ];
    });
    assert.ok(maxRelativeError(fallback, expected) <= 1e-6);
    assert.equal(nativeCalls(QUADRATIC_PENALTY), forward);
    tf.dispose([...fallback, ...expected]);
  });

  it('is 0 for no variables', async () => {
    await tf.setBackend('native');
    const zero = quadraticPenalty([], [], [], 4);
    assert.equal(zero.dataSync()[0], 0);
    zero.dispose();
  });
});
