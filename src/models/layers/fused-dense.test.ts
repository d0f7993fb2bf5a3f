import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '../../engine/tf.js';
import { registerNativeBackend } from '../../native/register.js';
import type { NativeBackend } from '../../native/native-backend.js';
import { dense, type DenseActivation } from '../../engine/ops/dense.js';
import { FusedDense, fusedDense } from './fused-dense.js';

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

  it('serialises as the stock Dense layer, its own class name still registered', () => {
    const layer = fusedDense({ units: 3, activation: 'relu' });
    assert.equal(layer.getClassName(), 'Dense');
    assert.equal(layer.getConfig().units, 3);
    const model = tf.sequential({ layers: [fusedDense({ units: 2, inputShape: [3] })] });
    const saved = model.getConfig() as unknown as { layers: { className: string }[] };
    assert.deepEqual(
      saved.layers.map((l) => l.className),
      ['Dense'],
    );
    assert.equal(tf.serialization.SerializationMap.getMap().classNameMap.UnforgetFusedDense?.[0], FusedDense);
    model.dispose();
  });

  it('saves an MLP of fused layers that plain tf.loadLayersModel loads, in this process and in one without unforget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-fused-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    await tf.setBackend('native');
    const start = tf.memory().numTensors;
    // What mlp() builds: fused dense layers in a Sequential, seeded.
    const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      layers: [
        fusedDense({ units: 8, activation: 'relu', inputShape: [5], kernelInitializer: seeded(1) }),
        fusedDense({ units: 8, activation: 'relu', kernelInitializer: seeded(2) }),
        fusedDense({ units: 3, kernelInitializer: seeded(3), biasInitializer: 'ones' }),
      ],
    });
    const rows = [
      [0.1, -0.2, 0.3, 0.4, -0.5],
      [1, 0.5, -1, 0.25, 0],
    ];
    const x = tf.tensor2d(rows);
    const expected = tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
    await model.save(pathToFileURL(dir).href);

    const loaded = await tf.loadLayersModel(pathToFileURL(join(dir, 'model.json')).href);
    assert.deepEqual(
      loaded.layers.map((l) => [l.getClassName(), l instanceof FusedDense]),
      [
        ['Dense', false],
        ['Dense', false],
        ['Dense', false],
      ],
    );
    const actual = tf.tidy(() => Array.from((loaded.predict(x) as tf.Tensor).dataSync()));
    actual.forEach((v, i) =>
      assert.ok(Math.abs(v - expected[i]) < 1e-5, `output ${i}: ${v} vs ${expected[i]}`),
    );

    // A process with tfjs alone: no unforget class registered, no file:// (the files read by hand).
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import { loadLayersModel } from '@tensorflow/tfjs-layers';
      import { readFileSync } from 'node:fs';
      const dir = process.argv[1];
      const json = JSON.parse(readFileSync(dir + '/model.json', 'utf8'));
      const bin = readFileSync(dir + '/weights.bin');
      await tf.setBackend('cpu');
      const model = await loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }));
      const y = model.predict(tf.tensor2d(JSON.parse(process.argv[2])));
      process.stdout.write('\\n' + JSON.stringify(Array.from(y.dataSync())));
    `;
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', script, dir, JSON.stringify(rows)],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const plain = JSON.parse(out.trim().split('\n').at(-1)!) as number[];
    plain.forEach((v, i) =>
      assert.ok(Math.abs(v - expected[i]) < 1e-5, `plain tfjs output ${i}: ${v} vs ${expected[i]}`),
    );
    x.dispose();
    [model, loaded].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, start);
  });
});
