import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../tf.js';
import { registerNativeBackend } from '../../native/register.js';
import type { NativeBackend } from '../../native/native-backend.js';
import { adam, sgd } from './index.js';

const registration = registerNativeBackend();
if (!registration.ok) throw new Error(`native backend unavailable in tests: ${registration.reason}`);

// Bound on |ours - tfjs| / max(1, |tfjs|) for the variables after 20 steps. On native the
// forward/backward pass itself runs other kernels (BLAS matmul) than on cpu, so that is
// included; on cpu against cpu the match is exact. Measured on native: <= 1.2e-7.
const TOLERANCE = 1e-6;
const STEPS = 20;

interface Variant {
  name: string;
  ours: () => tf.Optimizer;
  tfjs: () => tf.Optimizer;
}

const variants: Variant[] = [
  { name: 'sgd', ours: () => sgd({ learningRate: 0.1 }), tfjs: () => tf.train.sgd(0.1) },
  {
    name: 'momentum',
    ours: () => sgd({ learningRate: 0.05, momentum: 0.9 }),
    tfjs: () => tf.train.momentum(0.05, 0.9),
  },
  {
    name: 'nesterov',
    ours: () => sgd({ learningRate: 0.05, momentum: 0.8, nesterov: true }),
    tfjs: () => tf.train.momentum(0.05, 0.8, true),
  },
  {
    name: 'adam',
    ours: () => adam({ learningRate: 0.01 }),
    tfjs: () => tf.train.adam(0.01, 0.9, 0.999, 1e-7),
  },
  {
    name: 'adam (custom betas)',
    ours: () => adam({ learningRate: 0.003, beta1: 0.8, beta2: 0.99, epsilon: 1e-5 }),
    tfjs: () => tf.train.adam(0.003, 0.8, 0.99, 1e-5),
  },
];

/** A 2-layer MLP (6 -> 5 -> 3) with a softmax cross-entropy loss on a fixed batch of 8. */
class Model {
  readonly vars: tf.Variable[];
  private readonly x: tf.Tensor;
  private readonly y: tf.Tensor;

  constructor() {
    const init = (shape: number[], seed: number) =>
      tf.variable(tf.randomUniform(shape, -0.5, 0.5, 'float32', seed));
    this.vars = [init([6, 5], 1), init([5], 2), init([5, 3], 3), init([3], 4)];
    this.x = tf.randomUniform([8, 6], -1, 1, 'float32', 5);
    this.y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3), 'float32'));
  }

  loss = (): tf.Scalar => {
    const [w1, b1, w2, b2] = this.vars;
    const h = tf.relu(tf.add(tf.matMul(this.x, w1), b1));
    const logits = tf.add(tf.matMul(h, w2), b2);
    return tf.losses.softmaxCrossEntropy(this.y, logits) as tf.Scalar;
  };

  values(): number[][] {
    return this.vars.map((v) => Array.from(v.dataSync()));
  }

  dispose(): void {
    tf.dispose([...this.vars, this.x, this.y]);
  }
}

async function train(backend: string, makeOptimizer: () => tf.Optimizer, steps = STEPS): Promise<number[][]> {
  await tf.setBackend(backend);
  const model = new Model();
  const optimizer = makeOptimizer();
  for (let i = 0; i < steps; i++) optimizer.minimize(model.loss, false, model.vars);
  const values = model.values();
  optimizer.dispose();
  model.dispose();
  return values;
}

function maxScaledError(actual: number[][], expected: number[][]): number {
  let worst = 0;
  expected.forEach((e, t) =>
    e.forEach((x, i) => {
      worst = Math.max(worst, Math.abs(actual[t][i] - x) / Math.max(1, Math.abs(x)));
    }),
  );
  return worst;
}

describe('optimizers vs tf.train.* on cpu, 20 steps of a 2-layer MLP', () => {
  for (const variant of variants) {
    it(`${variant.name}: native in place and cpu match tfjs`, async () => {
      const expected = await train('cpu', variant.tfjs);
      const initial = await train('cpu', variant.tfjs, 0);
      assert.ok(maxScaledError(expected, initial) > 1e-3, 'training moved the variables');
      const onNative = await train('native', variant.ours);
      const nativeError = maxScaledError(onNative, expected);
      assert.ok(nativeError <= TOLERANCE, `native error ${nativeError}`);
      const onCpu = await train('cpu', variant.ours);
      assert.ok(maxScaledError(onCpu, expected) <= TOLERANCE, 'cpu');
    });
  }

  it('native updates with the same kernels: identical to tfjs on the native backend', async () => {
    for (const variant of variants) {
      const expected = await train('native', variant.tfjs);
      const actual = await train('native', variant.ours);
      assert.ok(maxScaledError(actual, expected) <= TOLERANCE, variant.name);
    }
  });
});

describe('in-place updates on native', () => {
  async function setup() {
    await tf.setBackend('native');
    return new Model();
  }

  it('update the variables and state in place after the first step (same dataId, no new tensors)', async () => {
    for (const variant of variants) {
      const model = await setup();
      const optimizer = variant.ours();
      optimizer.minimize(model.loss, false, model.vars);
      const ids = model.vars.map((v) => v.dataId);
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) optimizer.minimize(model.loss, false, model.vars);
      assert.deepEqual(
        model.vars.map((v) => v.dataId),
        ids,
        `${variant.name}: variables kept their arrays`,
      );
      assert.equal(tf.memory().numTensors, tensors, `${variant.name}: no tensor leaked`);
      optimizer.dispose();
      model.dispose();
    }
  });

  it('does not change an array the user got from dataSync()', async () => {
    for (const variant of variants) {
      const model = await setup();
      const optimizer = variant.ours();
      optimizer.minimize(model.loss, false, model.vars); // now the arrays are private
      const seen = model.vars[0].dataSync();
      const copy = Array.from(seen);
      optimizer.minimize(model.loss, false, model.vars);
      assert.deepEqual(Array.from(seen), copy, `${variant.name}: the user's array is untouched`);
      assert.notDeepEqual(Array.from(model.vars[0].dataSync()), copy, `${variant.name}: the variable moved`);
      optimizer.dispose();
      model.dispose();
    }
  });

  it('does not change a clone or a reshape of a variable (they share its dataId)', async () => {
    for (const variant of variants) {
      const model = await setup();
      const optimizer = variant.ours();
      optimizer.minimize(model.loss, false, model.vars);
      const clone = model.vars[0].clone();
      const reshaped = tf.reshape(model.vars[2], [15]);
      assert.equal(clone.dataId, model.vars[0].dataId, 'clone() shares the dataId');
      assert.equal(reshaped.dataId, model.vars[2].dataId, 'reshape shares the dataId');
      const backend = tf.backend() as NativeBackend;
      const [cloneBefore, reshapedBefore] = [backend.f32(clone)!.slice(), backend.f32(reshaped)!.slice()];
      optimizer.minimize(model.loss, false, model.vars);
      assert.deepEqual(backend.f32(clone), cloneBefore, `${variant.name}: clone untouched`);
      assert.deepEqual(backend.f32(reshaped), reshapedBefore, `${variant.name}: reshape untouched`);
      assert.notEqual(clone.dataId, model.vars[0].dataId, 'the variable got its own copy');
      tf.dispose([clone, reshaped]);
      optimizer.dispose();
      model.dispose();
    }
  });

  it('does not change optimizer state the user read through getWeights()', async () => {
    const model = await setup();
    const optimizer = sgd({ learningRate: 0.1, momentum: 0.9 });
    optimizer.minimize(model.loss, false, model.vars);
    const [, accum] = await optimizer.getWeights();
    const seen = accum.tensor.dataSync();
    const copy = Array.from(seen);
    optimizer.minimize(model.loss, false, model.vars);
    assert.deepEqual(Array.from(seen), copy);
    const [, accumNow] = await optimizer.getWeights();
    assert.notDeepEqual(Array.from(accumNow.tensor.dataSync()), copy);
    optimizer.dispose();
    model.dispose();
  });

  it('leaks no tensor over 20 steps, and dispose() frees the state', async () => {
    for (const backend of ['native', 'cpu']) {
      for (const variant of variants) {
        await tf.setBackend(backend);
        const model = new Model();
        const start = tf.memory().numTensors;
        const optimizer = variant.ours();
        optimizer.minimize(model.loss, false, model.vars);
        const afterFirst = tf.memory().numTensors;
        for (let i = 1; i < STEPS; i++) optimizer.minimize(model.loss, false, model.vars);
        assert.equal(tf.memory().numTensors, afterFirst, `${backend} ${variant.name}: steady`);
        optimizer.dispose();
        assert.equal(tf.memory().numTensors, start, `${backend} ${variant.name}: disposed`);
        model.dispose();
      }
    }
  });
});

describe('optimizer API', () => {
  it('minimize returns the cost on request and works without a varList', async () => {
    await tf.setBackend('native');
    const model = new Model();
    const optimizer = adam();
    const cost = optimizer.minimize(model.loss, true);
    assert.ok(cost && cost.rank === 0 && Number.isFinite(cost.dataSync()[0]));
    cost.dispose();
    assert.equal(optimizer.minimize(model.loss), null);
    assert.equal(optimizer.iterations, 2);
    optimizer.dispose();
    model.dispose();
  });

  it('getConfig / fromConfig round-trip', () => {
    const s = sgd({ learningRate: 0.2, momentum: 0.5, nesterov: true });
    assert.deepEqual(s.getConfig(), { learningRate: 0.2, momentum: 0.5, nesterov: true });
    const a = adam({ learningRate: 0.01, beta2: 0.99 });
    assert.deepEqual(a.getConfig(), { learningRate: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-7 });
    const cls = a.constructor as unknown as typeof tf.Optimizer & {
      fromConfig: typeof tf.Optimizer.fromConfig;
    };
    const copy = cls.fromConfig(cls as never, a.getConfig()) as tf.Optimizer;
    assert.deepEqual(copy.getConfig(), a.getConfig());
    [s, a, copy].forEach((o) => o.dispose());
  });

  it('rejects bad hyperparameters', () => {
    assert.throws(() => sgd({ learningRate: Number.NaN }), /learningRate/);
    assert.throws(() => sgd({ learningRate: 0.1, momentum: -1 }), /momentum/);
    assert.throws(() => adam({ beta1: Number.POSITIVE_INFINITY }), /beta1/);
  });

  for (const variant of variants.filter((v) => v.name !== 'sgd')) {
    it(`${variant.name}: setWeights(tfjs's getWeights()) resumes tfjs's run exactly`, async () => {
      await tf.setBackend('cpu');
      // tfjs runs 5 steps, hands its state over, then both run 5 more from the same point.
      const reference = new Model();
      const theirs = variant.tfjs();
      for (let i = 0; i < 5; i++) theirs.minimize(reference.loss, false, reference.vars);
      const resumed = new Model();
      resumed.vars.forEach((v, i) => v.assign(reference.vars[i]));
      // Name the state after our variables, as our getWeights would.
      const weights = await theirs.getWeights();
      const names = new Map(reference.vars.map((v, i) => [v.name, resumed.vars[i].name]));
      const renamed = weights.map(({ name, tensor }) => {
        const [owner, suffix] = [name.slice(0, name.lastIndexOf('/')), name.slice(name.lastIndexOf('/'))];
        return { name: names.has(owner) ? `${names.get(owner)}${suffix}` : name, tensor };
      });
      await tf.setBackend('native');
      const ours = variant.ours();
      await ours.setWeights(renamed);
      assert.equal(ours.iterations, 5);
      for (let i = 0; i < 5; i++) ours.minimize(resumed.loss, false, resumed.vars);
      await tf.setBackend('cpu');
      for (let i = 0; i < 5; i++) theirs.minimize(reference.loss, false, reference.vars);
      assert.ok(maxScaledError(resumed.values(), reference.values()) <= TOLERANCE);
      // Our own getWeights has the same layout.
      const own = await ours.getWeights();
      assert.deepEqual(
        own.map((w) => w.tensor.shape),
        (await theirs.getWeights()).map((w) => w.tensor.shape),
      );
      theirs.dispose();
      ours.dispose();
      reference.dispose();
      resumed.dispose();
    });
  }

  it('trains a tfjs-layers model through compile() and fit()', async () => {
    await tf.setBackend('native');
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    const x = tf.randomUniform([16, 4], -1, 1, 'float32', 1);
    const y = tf.randomUniform([16, 2], -1, 1, 'float32', 2);
    const history = await model.fit(x, y, { epochs: 10, batchSize: 16, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.ok(losses[losses.length - 1] < losses[0], 'the loss went down');
    model.optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
});
