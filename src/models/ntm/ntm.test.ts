import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { adam } from '../../engine/optimizers/index.js';
import { createRng } from '../../core/random.js';
import { bitsWrongPerSequence, copyBatch, copyLoss, sampleLength } from '../../data/copy-task.js';
import { ntm } from './ntm.js';
import { lstmNetwork } from './lstm.js';
import { clippedStep } from './sequence-training.js';
import { parameterCount } from './dense.js';

await initEngine();

describe('ntm', () => {
  it('gateBias sets where the heads start: the previous weighting (negative) or content (positive)', () => {
    const options = {
      inputSize: 3,
      outputSize: 2,
      memorySlots: 8,
      memoryWidth: 4,
      controller: 'mlp' as const,
    };
    const location = ntm({ ...options, gateBias: -30 });
    const content = ntm({ ...options, gateBias: 30 });
    tf.tidy(() => {
      const x = tf.ones([1, 3]) as tf.Tensor2D;
      // g ~ 0: the focus at slot 0, shifted by at most one slot: nothing outside slots 7, 0, 1.
      const kept = Array.from(location.step(location.initialState(1), x).state.writeWeights.dataSync());
      assert.ok(
        kept.slice(2, 7).every((w) => w < 1e-6),
        `location: ${kept.map((w) => w.toFixed(3)).join(' ')}`,
      );
      // g ~ 1: content addressing over the constant initial memory, uniform however it is shifted.
      const spread = Array.from(content.step(content.initialState(1), x).state.writeWeights.dataSync());
      assert.ok(
        spread.every((w) => Math.abs(w - 1 / 8) < 1e-4),
        `content: ${spread.map((w) => w.toFixed(3)).join(' ')}`,
      );
    });
    location.dispose();
    content.dispose();
  });

  it('steps and unrolls batch-first, seeded, with the state shapes of its options', () => {
    const options = {
      inputSize: 5,
      outputSize: 3,
      memorySlots: 6,
      memoryWidth: 4,
      readHeads: 2,
      writeHeads: 2,
      seed: 4,
    };
    const a = ntm(options);
    const b = ntm(options);
    const c = ntm({ ...options, seed: 5 });
    tf.tidy(() => {
      const state = a.initialState(2);
      assert.deepEqual(state.memory.shape, [2, 6, 4]);
      assert.deepEqual(state.reads.shape, [2, 8]);
      assert.deepEqual(state.readWeights.shape, [2, 2, 6]);
      const { output, state: next } = a.step(state, tf.ones([2, 5]));
      assert.deepEqual(output.shape, [2, 3]);
      assert.deepEqual(next.writeWeights.shape, [2, 2, 6]);
      const rowSums = Array.from(tf.sum(next.readWeights, 2).dataSync());
      rowSums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5, 'weightings sum to 1'));
      const xs = tf.randomUniform([2, 7, 5], 0, 1, 'float32', 1) as tf.Tensor3D;
      const [ya, yb, yc] = [a, b, c].map((m) => m.run(xs));
      assert.deepEqual(ya.shape, [2, 7, 3]);
      assert.deepEqual(Array.from(ya.dataSync()), Array.from(yb.dataSync()), 'same seed, same model');
      assert.notDeepEqual(Array.from(ya.dataSync()), Array.from(yc.dataSync()));
    });
    [a, b, c].forEach((m) => m.dispose());
    assert.throws(() => ntm({ ...options, memorySlots: 0 }), /memorySlots/);
  });

  it('leaks no tensor across runs and gradient steps, and every variable gets a gradient', () => {
    const model = ntm({
      inputSize: 5,
      outputSize: 4,
      memorySlots: 8,
      memoryWidth: 4,
      controller: 'lstm',
      controllerSize: 8,
    });
    const optimizer = adam({ learningRate: 1e-3 });
    const batch = copyBatch(createRng(1), { batch: 3, width: 4, length: 2 });
    clippedStep(optimizer, model.variables, () => copyLoss(model.run(batch.inputs), batch)); // creates Adam's moments
    const before = tf.memory().numTensors;
    clippedStep(optimizer, model.variables, () => copyLoss(model.run(batch.inputs), batch));
    tf.tidy(() => {
      model.run(batch.inputs);
    });
    assert.equal(tf.memory().numTensors, before);
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => copyLoss(model.run(batch.inputs), batch), model.variables);
      for (const [name, g] of Object.entries(grads)) {
        const values = Array.from(g.dataSync());
        assert.ok(values.every(Number.isFinite), `${name}: finite`);
        assert.ok(
          values.some((v) => v !== 0),
          `${name}: non-zero`,
        );
      }
    });
    tf.dispose([batch.inputs, batch.targets]);
    model.dispose();
    optimizer.dispose();
  });

  it('learns to copy short sequences: bits wrong fall far below chance', () => {
    // N=16, M=8, 4-bit vectors, lengths 1-3; chance is half the bits wrong.
    const model = ntm({
      inputSize: 5,
      outputSize: 4,
      memorySlots: 16,
      memoryWidth: 8,
      controller: 'mlp',
      controllerSize: 32,
      seed: 1,
    });
    const optimizer = adam({ learningRate: 1e-2 });
    const rng = createRng(2);
    const evaluate = () => {
      let wrong = 0;
      for (const length of [1, 2, 3]) {
        const batch = copyBatch(createRng(100 + length), { batch: 32, width: 4, length });
        const logits = model.run(batch.inputs);
        wrong += bitsWrongPerSequence(logits, batch);
        tf.dispose([logits, batch.inputs, batch.targets]);
      }
      return wrong / (4 * (1 + 2 + 3)); // fraction of bits wrong
    };
    const untrained = evaluate();
    for (let step = 0; step < 120; step++) {
      const batch = copyBatch(rng, { batch: 16, width: 4, length: sampleLength(rng, 1, 3) });
      clippedStep(optimizer, model.variables, () => copyLoss(model.run(batch.inputs), batch));
      tf.dispose([batch.inputs, batch.targets]);
    }
    const trained = evaluate();
    assert.ok(untrained > 0.3, `untrained near chance: ${untrained}`);
    assert.ok(trained < 0.1, `trained: ${trained} of the bits wrong`);
    model.dispose();
    optimizer.dispose();
  });
});

describe('lstm baseline', () => {
  it('maps [B, T, in] to [B, T, out] logits; parameter count as an LSTM formula says', () => {
    const net = lstmNetwork({ inputSize: 9, outputSize: 8, hiddenSize: 120, layers: 1, seed: 0 });
    // 4 gates x (9 + 120 + 1) x 120, plus the output layer (120 + 1) x 8.
    assert.equal(parameterCount(net.variables), 4 * 130 * 120 + 121 * 8);
    const deep = lstmNetwork({ inputSize: 9, outputSize: 8, hiddenSize: 10, layers: 3 });
    assert.equal(parameterCount(deep.variables), 4 * 20 * 10 + 2 * (4 * 21 * 10) + 11 * 8);
    const before = tf.memory().numTensors;
    tf.tidy(() => assert.deepEqual(deep.run(tf.ones([2, 5, 9])).shape, [2, 5, 8]));
    assert.equal(tf.memory().numTensors, before);
    net.dispose();
    deep.dispose();
  });
});
