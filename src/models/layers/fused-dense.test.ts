import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { registerNativeBackend } from '../../native/register.js';
import type { NativeBackend } from '../../native/native-backend.js';
import { dense, type DenseActivation } from '../../engine/ops/dense.js';
import { fusedDense } from './fused-dense.js';

registerNativeBackend();

/** Value and gradients (x, kernel, bias) of sum(dense(...) * r) on a backend. */
async function valueAndGrads(
  backend: string,
  activation: DenseActivation,
  withBias: boolean,
  op: 'fused' | 'tfjs',
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomUniform([9, 13], -1, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomUniform([13, 7], -1, 1, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomUniform([7], -1, 1, 'float32', 3) as tf.Tensor1D;
    const r = tf.randomUniform([9, 7], -1, 1, 'float32', 4);
    const f = (a: tf.Tensor, k: tf.Tensor, c?: tf.Tensor) => {
      const args = {
        x: a as tf.Tensor2D,
        kernel: k as tf.Tensor2D,
        bias: (c as tf.Tensor1D | undefined) ?? null,
        activation,
        leakyreluAlpha: 0.1,
      };
      const y =
        op === 'fused'
          ? dense(args)
          : tf.fused.matMul({
              a: args.x,
              b: args.kernel,
              bias: args.bias ?? undefined,
              activation,
              leakyreluAlpha: 0.1,
            });
      return tf.sum(tf.mul(y, r));
    };
    const { value, grads } = withBias
      ? tf.valueAndGrads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => f(a, k, c))([x, w, b])
      : tf.valueAndGrads((a: tf.Tensor, k: tf.Tensor) => f(a, k))([x, w]);
    return [value, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

describe('dense op (fused forward and backward)', () => {
  for (const activation of ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid'] as const) {
    for (const withBias of [true, false]) {
      it(`${activation}${withBias ? ' + bias' : ''}: native matches tfjs on cpu, in two backward kernels`, async () => {
        const expected = await valueAndGrads('cpu', activation, withBias, 'tfjs');
        const backend = tf.findBackend('native') as NativeBackend;
        const before = backend?.calls.native.get('UnforgetDenseGrad') ?? 0;
        const actual = await valueAndGrads('native', activation, withBias, 'fused');
        assert.equal(
          (tf.findBackend('native') as NativeBackend).calls.native.get('UnforgetDenseGrad'),
          before + 2,
        );
        expected.forEach((values, i) => {
          if (!withBias && i === 3) {
            assert.ok(
              actual[3].every((v) => v === 0),
              'no bias, no gradient',
            );
            return;
          }
          values.forEach((e, j) =>
            assert.ok(
              Math.abs(actual[i][j] - e) <= 1e-5 * Math.max(1, Math.abs(e)),
              `output ${i}[${j}]: ${actual[i][j]} vs ${e}`,
            ),
          );
        });
      });
    }
  }

  it('skips the input gradient when nothing asks for it (a first layer)', async () => {
    await tf.setBackend('native');
    const backend = tf.backend() as NativeBackend;
    const before = backend.calls.native.get('UnforgetDenseGrad') ?? 0;
    const grads = tf.tidy(() => {
      const x = tf.randomUniform([4, 6], -1, 1, 'float32', 1) as tf.Tensor2D;
      const w = tf.randomUniform([6, 3], -1, 1, 'float32', 2);
      const b = tf.randomUniform([3], -1, 1, 'float32', 3);
      return tf.grads((k: tf.Tensor, c: tf.Tensor) =>
        tf.sum(dense({ x, kernel: k as tf.Tensor2D, bias: c as tf.Tensor1D, activation: 'relu' })),
      )([w, b]);
    });
    assert.equal(backend.calls.native.get('UnforgetDenseGrad'), before + 1);
    assert.deepEqual(grads[0].shape, [6, 3]);
    tf.dispose(grads);
  });

  it('is tf.fused.matMul on backends without the fused gradient', async () => {
    const expected = await valueAndGrads('cpu', 'relu', true, 'tfjs');
    const actual = await valueAndGrads('cpu', 'relu', true, 'fused');
    assert.deepEqual(actual, expected);
  });
});

describe('fusedDense layer', () => {
  it('trains like tf.layers.dense from the same weights (native vs cpu), without leaking tensors', async () => {
    const run = async (backend: string, layer: typeof fusedDense) => {
      await tf.setBackend(backend);
      const model = tf.sequential({
        layers: [layer({ inputShape: [20], units: 16, activation: 'relu' }), layer({ units: 4 })],
      });
      tf.tidy(() =>
        model.setWeights(
          model.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.5, 0.5, 'float32', 10 + i)),
        ),
      );
      const x = tf.randomUniform([8, 20], -1, 1, 'float32', 20);
      const y = tf.randomUniform([8, 4], -1, 1, 'float32', 21);
      const optimizer = tf.train.sgd(0.1);
      const start = tf.memory().numTensors;
      const losses: number[] = [];
      for (let i = 0; i < 10; i++) {
        losses.push(
          tf.tidy(
            () =>
              (
                optimizer.minimize(
                  () => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor),
                  true,
                ) as tf.Scalar
              ).dataSync()[0],
          ),
        );
      }
      const leaked = tf.memory().numTensors - start;
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
      return { losses, leaked };
    };
    const stock = await run('cpu', (args) => tf.layers.dense(args));
    const fused = await run('native', fusedDense);
    assert.ok(stock.losses[9] < stock.losses[0], 'the model learns');
    fused.losses.forEach((l, i) =>
      assert.ok(Math.abs(l - stock.losses[i]) < 1e-5, `step ${i}: ${l} vs ${stock.losses[i]}`),
    );
    assert.equal(fused.leaked, 0);
  });

  it('serialises under its own class name', () => {
    const layer = fusedDense({ units: 3, activation: 'relu' });
    assert.equal(layer.getClassName(), 'UnforgetFusedDense');
    assert.equal(layer.getConfig().units, 3);
  });
});
