import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { adam } from '../../engine/optimizers/index.js';
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import type { Dataset } from '../../data/dataset.js';
import { mlp, multiHeadMlp } from '../../models/mlp.js';
import { summarize } from '../../metrics/index.js';
import { fit } from '../../training/template.js';
import { naive } from '../baselines/naive.js';
import { ewc, ewcPenalty, ewcPlugin, mergeAnchors, type EwcAnchor, type EwcPlugin } from './ewc.js';
import { onlineEwc } from './online-ewc.js';
import { diagonalFisher } from './fisher.js';
import type { Strategy } from '../../training/strategy.js';

await initEngine();

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

// A 1-layer softmax model: logits = x W + b, W [3, 2], b [2].
const tinyModel = () => mlp({ inputShape: [3], hiddenSizes: [], numClasses: 2, seed: 4 });

describe('ewcPenalty', () => {
  it('has gradient lambda * F * (theta - theta_old), summed over anchors (tf.grads and finite differences)', () => {
    const model = tinyModel();
    const lambda = 7;
    const anchor = (scale: number): EwcAnchor => ({
      theta: model.variables.map((v, i) => tf.fill(v.shape, 0.1 * (i + 1) * scale)),
      fisher: model.variables.map((v) =>
        tf.tidy(() => tf.reshape(tf.mul(tf.range(1, v.size + 1), 0.05 * scale), v.shape)),
      ),
    });
    const anchors = [anchor(1), anchor(2)];
    const { grads } = tf.variableGrads(
      () => ewcPenalty(model.variables, anchors, lambda),
      [...model.variables],
    );
    model.variables.forEach((v, i) => {
      const expected = tf.tidy(() =>
        tf.addN(anchors.map((a) => tf.mul(tf.mul(a.fisher[i], lambda), tf.sub(v, a.theta[i])))),
      );
      close(grads[v.name].dataSync(), expected.dataSync(), 1e-4, v.name);
      expected.dispose();
    });
    // Central difference on one weight.
    const w = model.variables[0];
    const original = w.dataSync().slice();
    const at = (delta: number) => {
      const shifted = original.slice();
      shifted[1] += delta;
      w.assign(tf.tensor(shifted, w.shape));
      return tf.tidy(() => ewcPenalty(model.variables, anchors, lambda).dataSync()[0]);
    };
    const h = 1e-2;
    const numeric = (at(h) - at(-h)) / (2 * h);
    w.assign(tf.tensor(original, w.shape));
    close([numeric], [grads[w.name].dataSync()[1]], 1e-2, 'finite difference');
    Object.values(grads).forEach((g) => g.dispose());
    anchors.forEach((a) => [...a.theta, ...a.fisher].forEach((t) => t.dispose()));
    model.dispose();
  });
});

describe('mergeAnchors', () => {
  it('one folded anchor plus a constant has the value and gradient of the sum over anchors', () => {
    const theta = [
      tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 1)),
      tf.variable(tf.randomNormal([3], 0, 1, 'float32', 2)),
    ];
    const anchor = (seed: number): EwcAnchor => ({
      theta: theta.map((t, i) => tf.randomNormal(t.shape, 0, 1, 'float32', seed + i)),
      // Some Fisher entries are exactly 0, as for another task's head.
      fisher: theta.map((t, i) => tf.relu(tf.randomNormal(t.shape, 0, 1, 'float32', seed + 10 + i))),
    });
    const anchors = [anchor(100), anchor(200), anchor(300)];
    const { anchor: merged, constant } = mergeAnchors(anchors);
    const lambda = 7;
    const direct = tf.variableGrads(() => ewcPenalty(theta, anchors, lambda), theta);
    const folded = tf.variableGrads(
      () => tf.add(ewcPenalty(theta, [merged], lambda), (lambda / 2) * constant) as tf.Scalar,
      theta,
    );
    const value = (t: tf.Scalar) => t.dataSync()[0];
    assert.ok(Math.abs(value(direct.value) - value(folded.value)) <= 1e-4 * Math.abs(value(direct.value)));
    for (const v of theta) {
      const a = direct.grads[v.name].dataSync();
      const b = folded.grads[v.name].dataSync();
      a.forEach((x, i) =>
        assert.ok(Math.abs(x - b[i]) <= 1e-4 * Math.max(1, Math.abs(x)), `${x} vs ${b[i]}`),
      );
    }
    tf.dispose([
      ...theta,
      ...anchors.flatMap((a) => [...a.theta, ...a.fisher]),
      ...merged.theta,
      ...merged.fisher,
    ]);
    tf.dispose([direct.value, folded.value, ...Object.values(direct.grads), ...Object.values(folded.grads)]);
  });
});

describe('diagonalFisher', () => {
  const x = [0.5, -1, 2];
  const one: Dataset = { x: Float32Array.from(x), y: Int32Array.of(1), sampleShape: [3], numClasses: 2 };

  /** (d log p(y|x) / dW, d/db) by hand: x_a (1[c=y] - p_c) and 1[c=y] - p_c. */
  function handGradients(model: ReturnType<typeof tinyModel>, y: number): { w: number[]; b: number[] } {
    const p = tf.tidy(() => tf.softmax(model.logits(tf.tensor2d([x]))).dataSync());
    const r = [0, 1].map((c) => (c === y ? 1 : 0) - p[c]);
    return { w: x.flatMap((xa) => r.map((rc) => xa * rc)), b: r };
  }

  it('empirical: the squared gradient of log p(y|x) at the true label, for one sample', () => {
    const model = tinyModel();
    const [kernel, bias] = model.variables;
    assert.deepEqual([kernel.shape, bias.shape], [[3, 2], [2]]);
    const [fw, fb] = diagonalFisher(model, one, { samples: 'all' });
    const g = handGradients(model, 1);
    close(
      fw.dataSync(),
      g.w.map((v) => v * v),
      1e-5,
      'F_W',
    );
    close(
      fb.dataSync(),
      g.b.map((v) => v * v),
      1e-5,
      'F_b',
    );
    [fw, fb].forEach((t) => t.dispose());
    model.dispose();
  });

  it('expected: labels drawn from the model, averaging to sum_y p(y|x) g_y^2', () => {
    const model = tinyModel();
    const n = 400;
    const many: Dataset = {
      ...one,
      x: new Float32Array(n * 3).map((_, i) => x[i % 3]),
      y: new Int32Array(n),
    };
    const p = tf.tidy(() => tf.softmax(model.logits(tf.tensor2d([x]))).dataSync());
    const g = [0, 1].map((y) => handGradients(model, y));
    const expected = g[0].b.map((_, c) => p[0] * g[0].b[c] ** 2 + p[1] * g[1].b[c] ** 2);
    const start = tf.memory().numTensors;
    const fisher = diagonalFisher(model, many, { samples: 'all', mode: 'expected', seed: 3 });
    assert.equal(tf.memory().numTensors, start + 2, 'only the returned tensors are kept');
    close(fisher[1].dataSync(), expected, 0.1 * Math.max(...expected), 'F_b');
    const again = diagonalFisher(model, many, { samples: 'all', mode: 'expected', seed: 3 });
    assert.deepEqual(again[1].dataSync(), fisher[1].dataSync(), 'seeded');
    [...fisher, ...again].forEach((t) => t.dispose());
    model.dispose();
  });
});

describe('EWC on a task-IL stream', () => {
  // Three 2-class tasks on 2-D clusters, a 3-unit shared trunk: the tasks compete for the
  // trunk, so Naive forgets even with one head per task.
  const stream = classSplit(
    gaussianClusters({
      numClasses: 6,
      samplesPerClass: 60,
      testSamplesPerClass: 40,
      dims: 2,
      spread: 0.3,
      seed: 7,
    }),
    { experiences: 3, seed: 7, scenario: 'task-il' },
  );
  const run = (strategy: Strategy) => {
    const start = tf.memory().numTensors;
    const model = multiHeadMlp({ inputShape: [2], hiddenSizes: [3], numClasses: 6, heads: 3, seed: 1 });
    const events = fit({
      ...strategy,
      stream,
      model,
      optimizer: () => adam({ learningRate: 0.03 }),
      epochs: 50,
      batchSize: 16,
      seed: 3,
    });
    model.dispose();
    strategy.plugins.forEach((p) => (p as EwcPlugin).dispose?.());
    assert.equal(tf.memory().numTensors, start, `${strategy.name} leaks no tensors`);
    return summarize(events);
  };

  it('EWC and Online EWC forget less than Naive (same seeds), and leak no tensors', () => {
    const base = run(naive());
    const separate = run(ewc({ lambda: 1000 }));
    const online = run(onlineEwc({ lambda: 1000 }));
    const detail = `forgetting naive ${base.forgetting}, ewc ${separate.forgetting}, online ${online.forgetting}`;
    // Measured: naive 0.137, EWC 0.006, Online EWC 0.006.
    assert.ok(base.forgetting > 0.1, detail);
    assert.ok(separate.forgetting < base.forgetting - 0.08, detail);
    assert.ok(online.forgetting < base.forgetting - 0.08, detail);
    assert.ok(
      separate.acc > base.acc && online.acc > base.acc,
      `ACC ${base.acc} ${separate.acc} ${online.acc}`,
    );
  });

  it('keeps one anchor per experience (separate) or one decayed running anchor (online)', () => {
    const model = multiHeadMlp({ inputShape: [2], hiddenSizes: [3], numClasses: 6, heads: 3, seed: 1 });
    const start = tf.memory().numTensors;
    const plugins = {
      separate: ewcPlugin({ fisherSamples: 20 }),
      online: ewcPlugin({ mode: 'online', gamma: 0.5, fisherSamples: 20 }),
    };
    assert.deepEqual([plugins.separate.name, plugins.online.name], ['ewc', 'online-ewc']);
    const fishers: number[][] = [];
    for (const experience of stream.experiences) {
      const ctx = { stream, experience, trainingSet: experience.train, model, activeClasses: undefined };
      plugins.separate.onExperienceEnd?.(ctx);
      plugins.online.onExperienceEnd?.(ctx);
      fishers.push([...plugins.separate.anchors()[experience.index].fisher[0].dataSync()]);
    }
    assert.equal(plugins.separate.anchors().length, 3);
    assert.equal(plugins.online.anchors().length, 1);
    // Same weights and seeds: the online Fisher is 0.25 F_0 + 0.5 F_1 + F_2.
    const expected = fishers[0].map((_, i) => 0.25 * fishers[0][i] + 0.5 * fishers[1][i] + fishers[2][i]);
    close(plugins.online.anchors()[0].fisher[0].dataSync(), expected, 1e-5, 'online F');
    Object.values(plugins).forEach((p) => p.dispose());
    assert.equal(tf.memory().numTensors, start);
    model.dispose();
  });
});

describe('EWC checkpoint state', () => {
  const saved = (shape: number[]) => ({ shape: Int32Array.from(shape), values: new Float32Array(6) });
  const state = (mode: string, fisherShape: number[]) => ({
    mode,
    anchors: [{ theta: [saved([2, 3])], fisher: [saved(fisherShape)] }],
    folded: Float64Array.of(1),
  });

  it('refuses a state saved in the other mode, naming the field', () => {
    const plugin = ewcPlugin();
    assert.throws(
      () => plugin.restore!(state('online', [2, 3])),
      /checkpoint ewc: mode: expected 'separate'/,
    );
    assert.equal(plugin.anchors().length, 0);
  });

  it('refuses a Fisher of another shape than its weights, naming it, and keeps no tensor of the state', () => {
    const plugin = ewcPlugin();
    const start = tf.memory().numTensors;
    assert.throws(
      () => plugin.restore!(state('separate', [3, 2])),
      /anchors\[0\]\.fisher\[0\]: expected shape \[2, 3\]/,
    );
    assert.equal(tf.memory().numTensors, start);
    plugin.restore!(state('separate', [2, 3]));
    assert.equal(plugin.anchors().length, 1);
    plugin.dispose();
    assert.equal(tf.memory().numTensors, start);
  });
});
