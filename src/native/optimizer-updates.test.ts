import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerNativeBackend } from './register.js';
import type { NativeBackend } from './native-backend.js';
import { isMutableInPlace, mutableArray, privateZerosVariable, sgdInPlace } from './optimizer-updates.js';

const registration = registerNativeBackend();
if (!registration.ok) throw new Error(`native backend unavailable in tests: ${registration.reason}`);

async function native(): Promise<NativeBackend> {
  await tf.setBackend('native');
  return tf.backend() as NativeBackend;
}

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 2 - 1;
  });
}

const f = Math.fround;

// The addon's updates against the tfjs formulas evaluated in float32 step by step. The
// compiler may fuse a multiply-add (one rounding instead of two), which differs by up to an
// ulp of the operands, not of the (possibly cancelling) result; the operands here are
// O(1), so the bound is 2 ulps of 1 scaled by max(1, |expected|).
const ULPS = 2 * 2 ** -23;
function assertClose(actual: Float32Array, expected: number[], what: string): void {
  expected.forEach((e, i) => {
    assert.ok(
      Math.abs(actual[i] - e) <= ULPS * Math.max(1, Math.abs(e)),
      `${what}[${i}]: ${actual[i]} vs ${e}`,
    );
  });
}

describe('addon optimizer updates', () => {
  const n = 1037; // not a multiple of any vector width
  it('sgdUpdate', async () => {
    const { addon } = await native();
    const [p, g] = [random(n, 1), random(n, 2)];
    const expected = Array.from(p, (x, i) => f(f(f(-0.1) * g[i]) + x));
    addon.sgdUpdate(p, g, -0.1);
    assertClose(p, expected, 'param');
  });

  for (const nesterov of [false, true]) {
    it(`momentumUpdate (nesterov: ${nesterov})`, async () => {
      const { addon } = await native();
      const [p, g, a] = [random(n, 3), random(n, 4), random(n, 5)];
      const [c, m] = [f(-0.05), f(0.9)];
      const acc = Array.from(a, (x, i) => f(f(m * x) + g[i]));
      const param = Array.from(p, (x, i) => f(f(c * (nesterov ? f(g[i] + f(acc[i] * m)) : acc[i])) + x));
      addon.momentumUpdate(p, g, a, -0.05, 0.9, nesterov);
      assertClose(a, acc, 'accum');
      assertClose(p, param, 'param');
    });
  }

  it('adamUpdate', async () => {
    const { addon } = await native();
    const [p, g, m, v] = [random(n, 6), random(n, 7), random(n, 8), random(n, 9).map(Math.abs)];
    const [b1, b2, c1, c2, eps, lr] = [0.9, 0.999, f(1 - f(0.9 ** 3)), f(1 - f(0.999 ** 3)), 1e-7, 0.01];
    const newM = Array.from(m, (x, i) => f(f(x * f(b1)) + f(g[i] * f(1 - b1))));
    const newV = Array.from(v, (x, i) => f(f(x * f(b2)) + f(f(g[i] * g[i]) * f(1 - b2))));
    const param = Array.from(p, (x, i) => {
      const step = f(f(newM[i] / c1) / f(f(Math.sqrt(f(newV[i] / c2))) + f(eps)));
      return f(f(step * f(-lr)) + x);
    });
    addon.adamUpdate(p, g, m, v, -lr, b1, 1 - b1, b2, 1 - b2, c1, c2, eps);
    assertClose(m, newM, 'm');
    assertClose(v, newV, 'v');
    assertClose(p, param, 'param');
  });

  it('rejects arrays of different lengths', async () => {
    const { addon } = await native();
    assert.throws(() => addon.sgdUpdate(new Float32Array(4), new Float32Array(3), 1), RangeError);
    assert.throws(
      () =>
        addon.momentumUpdate(new Float32Array(4), new Float32Array(4), new Float32Array(5), 1, 0.9, false),
      RangeError,
    );
  });
});

describe('in-place safety rules', () => {
  it('an array written by user code is not private: the variable gets a copy first', async () => {
    const backend = await native();
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    assert.equal(isMutableInPlace(backend, v), false);
    const id = v.dataId;
    const array = mutableArray(backend, v);
    assert.notEqual(v.dataId, id);
    assert.ok(array && isMutableInPlace(backend, v));
    assert.deepEqual(Array.from(array), [1, 2, 3]);
    v.dispose();
  });

  it('state created by privateZerosVariable is private at once', async () => {
    const backend = await native();
    const before = tf.memory().numTensors;
    const state = privateZerosVariable(backend, [2, 3]);
    assert.ok(isMutableInPlace(backend, state));
    assert.deepEqual(Array.from(state.dataSync()), [0, 0, 0, 0, 0, 0]);
    assert.equal(isMutableInPlace(backend, state), false, 'dataSync() made it escape');
    state.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('a second reference (clone) or a dataSync() blocks in-place writes; sgdInPlace copies', async () => {
    const backend = await native();
    const v = privateZerosVariable(backend, [4]);
    const alias = v.clone();
    assert.equal(isMutableInPlace(backend, v), false);
    const g = tf.ones([4]);
    assert.ok(sgdInPlace(backend, v, g, 0.5));
    assert.deepEqual(Array.from(alias.dataSync()), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(v.dataSync()), [-0.5, -0.5, -0.5, -0.5]);
    tf.dispose([v, alias, g]);
  });

  it('leaves non-float32 variables to tfjs ops', async () => {
    const backend = await native();
    const v = tf.variable(tf.tensor1d([1, 2], 'int32'));
    const g = tf.tensor1d([1, 1], 'int32');
    assert.equal(sgdInPlace(backend, v, g, 1), false);
    tf.dispose([v, g]);
  });
});
