import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { adam } from '../../engine/optimizers/index.js';
import { ConfigError } from '../../core/errors.js';
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { mlp } from '../../models/mlp.js';
import type { Classifier } from '../../models/classifier.js';
import { summarize } from '../../metrics/index.js';
import { naive } from '../baselines/naive.js';
import type { Strategy } from '../../training/strategy.js';
import type { Plugin } from '../../training/plugin.js';
import type { ActiveOutputs } from '../../training/active-classes.js';
import type { Stream } from '../../benchmarks/stream.js';
import { icarl, icarlPlugin } from './icarl.js';
import { classIlReplay } from '../testing/class-il-replay.js';

await initEngine();

const { stream, newModel, runEvents } = classIlReplay({
  clusters: { numClasses: 6, spread: 0.5, seed: 5 },
  split: { experiences: 3, seed: 5 },
  model: { hiddenSizes: [16], numClasses: 6 },
  fit: {
    optimizer: () => adam({ learningRate: 0.01 }),
    epochs: 1,
    iterations: 60,
    batchSize: 16,
    evaluateBaseline: false,
  },
});

/** Runs `strategy` on the class-IL stream (or `on`); asserts no tensor leaks; returns the events. */
const run = (
  strategy: Strategy,
  model: Classifier = newModel(),
  on: Stream = stream,
  activeOutputs: ActiveOutputs = 'seen',
) => runEvents(strategy, { model, stream: on, activeOutputs });

describe('iCaRL', () => {
  it('beats Naive by a wide margin on a class-IL stream (same seed), leaking no tensors', () => {
    const plain = summarize(run(naive())).acc;
    const kept = summarize(run(icarl({ budget: 30, copyModel: newModel }))).acc;
    assert.ok(plain < 0.5, `Naive ACC ${plain}`);
    assert.ok(kept > plain + 0.3, `iCaRL ACC ${kept} vs Naive ${plain}`);
  });

  it('keeps floor(budget / classes seen) exemplars per class, old classes cut to their first m', () => {
    const plugin = icarlPlugin({ budget: 31, copyModel: newModel });
    const counts: number[][] = [];
    const firsts: Float32Array[] = [];
    const probe = {
      name: 'probe',
      onExperienceEnd() {
        const memory = plugin.exemplars!;
        counts.push(memory.classes().map((c) => memory.count(c)));
        firsts.push(memory.samples(memory.classes()[0]).slice());
      },
    };
    run({ name: 'icarl', plugins: [plugin, probe] });
    assert.deepEqual(counts, [
      [15, 15],
      [7, 7, 7, 7],
      [5, 5, 5, 5, 5, 5],
    ]);
    // The first class's later sets are prefixes of its first one.
    assert.deepEqual([...firsts[2]], [...firsts[0].subarray(0, firsts[2].length)]);
  });

  it("uses a BCE whose old-class targets are the frozen model's sigmoid(logits / T), summed over active outputs", () => {
    const plugin = icarlPlugin({ budget: 20, copyModel: newModel });
    const snapshot = newModel();
    const checked: [number, number][] = [];
    const probe: Plugin = {
      name: 'probe',
      onExperienceStart(ctx) {
        if (ctx.experience.index === 1)
          snapshot.variables.forEach((v, i) => v.assign(ctx.model.variables[i]));
      },
      lossTerms(ctx) {
        if (ctx.experience.index !== 1 || checked.length) return [];
        const got = plugin.baseLoss!(ctx).dataSync()[0];
        const old = stream.experiences[0].classes;
        const z = ctx.unmaskedLogits.arraySync();
        const soft = (tf.sigmoid(tf.div(snapshot.logits(ctx.x), 2)) as tf.Tensor2D).arraySync();
        const labels = ctx.labels.arraySync();
        let sum = 0;
        z.forEach((row, r) =>
          ctx.activeClasses!.forEach((c) => {
            const target = old.includes(c) ? soft[r][c] : labels[r][c];
            const p = 1 / (1 + Math.exp(-row[c]));
            sum -= target * Math.log(p) + (1 - target) * Math.log(1 - p);
          }),
        );
        checked.push([got, sum / z.length]);
        return [];
      },
    };
    run({
      name: 'icarl',
      plugins: [plugin, probe],
      trainingSet: icarl({ budget: 20, copyModel: newModel }).trainingSet,
    });
    snapshot.dispose();
    assert.equal(checked.length, 1);
    assert.ok(Math.abs(checked[0][0] - checked[0][1]) < 1e-4, `${checked[0][0]} vs ${checked[0][1]}`);
  });

  it('trains on the experience data plus every exemplar', () => {
    const strategy = icarl({ budget: 12, copyModel: newModel });
    const sizes: number[] = [];
    run({
      ...strategy,
      plugins: [
        ...strategy.plugins,
        { name: 'probe', onExperienceStart: (ctx) => sizes.push(ctx.trainingSet.y.length) },
      ],
    });
    assert.deepEqual(sizes, [80, 80 + 12, 80 + 12]);
  });

  it('classifies cluster data by the nearest mean of exemplars', () => {
    // Features = the inputs and all-zero logits: only the exemplar means can tell classes apart.
    const tight = classSplit(
      gaussianClusters({ numClasses: 6, samplesPerClass: 40, testSamplesPerClass: 30, dims: 4, seed: 5 }),
      { experiences: 3, seed: 5, scenario: 'class-il' },
    );
    const identity = (): Classifier => {
      const model = newModel();
      return {
        ...model,
        logits: (x) => tf.mul(model.logits(x), 0),
        features: (x) => tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D,
      };
    };
    const accuracies = (nme: boolean) => {
      const events = run(icarl({ budget: 60, copyModel: newModel, nme }), identity(), tight);
      const last = events.filter((e) => e.type === 'evaluation').at(-1)!;
      return last.type === 'evaluation' ? last.perExperience.map((e) => e.accuracy) : [];
    };
    accuracies(true).forEach((a, i) => assert.ok(a > 0.95, `NME, experience ${i}: ${a}`));
    // On raw features (the DER paper's Mammoth): means and distances of unnormalised features.
    const raw = run(icarl({ budget: 60, copyModel: newModel, normalizeFeatures: false }), identity(), tight);
    const rawLast = raw.filter((e) => e.type === 'evaluation').at(-1)!;
    if (rawLast.type === 'evaluation') {
      rawLast.perExperience.forEach((e) => assert.ok(e.accuracy > 0.95, `raw NME: ${e.accuracy}`));
    }
    assert.ok(
      summarize(run(icarl({ budget: 60, copyModel: newModel, nme: false }), identity(), tight)).acc < 0.4,
    );
  });

  it("runs Mammoth's variant (T 1, mean over every output, flipped class means, random exemplars)", () => {
    // The same clusters as 2x2 single-channel images, so that they can be mirrored.
    const images: Stream = {
      ...stream,
      sampleShape: [2, 2, 1],
      experiences: stream.experiences.map((e) => ({
        ...e,
        train: { ...e.train, sampleShape: [2, 2, 1] },
        test: { ...e.test, sampleShape: [2, 2, 1] },
      })),
    };
    const imageModel = () => mlp({ inputShape: [2, 2, 1], hiddenSizes: [16], numClasses: 6, seed: 1 });
    const mammoth = icarl({
      budget: 30,
      copyModel: imageModel,
      temperature: 1,
      classReduction: 'mean',
      flipMeans: true,
      herding: false,
    });
    assert.ok(summarize(run(mammoth, imageModel(), images, 'all')).acc > 0.6);
    assert.throws(
      () => run(icarl({ budget: 30, copyModel: newModel, flipMeans: true })),
      (e) => e instanceof ConfigError && e.field === 'flipMeans',
    );
  });

  it('rejects a bad budget with a ConfigError naming it', () => {
    for (const budget of [0, -5, 2.5, NaN]) {
      assert.throws(
        () => icarl({ budget, copyModel: newModel }),
        (e) => e instanceof ConfigError && e.field === 'budget',
      );
    }
    assert.throws(
      () => icarl({ budget: 30, copyModel: newModel, temprature: 2 } as never),
      (e) => e instanceof ConfigError && e.field === 'temprature',
    );
    // Too small for the classes seen: no exemplar per class left.
    assert.throws(
      () => run(icarl({ budget: 3, copyModel: newModel })),
      (e) => e instanceof ConfigError && e.field === 'budget',
    );
  });
});
