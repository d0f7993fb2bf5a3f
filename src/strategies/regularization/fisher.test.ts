import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { createRng } from '../../core/random.js';
import type { Dataset } from '../../data/dataset.js';
import type { Classifier } from '../../models/classifier.js';
import { mlp, multiHeadMlp } from '../../models/mlp.js';
import { diagonalFisher, type FisherMode, type FisherOptions } from './fisher.js';
import { masImportance } from './mas.js';

import { closeRelative } from '../../models/testing/close-relative.js';

await initEngine();

/** The same model without the batched path: what the per-sample loop computes. */
const loopOnly = (model: Classifier): Classifier => ({
  name: model.name,
  numClasses: model.numClasses,
  logits: (x, taskId) => model.logits(x, taskId),
  variables: model.variables,
  dispose: () => model.dispose(),
});

const numClasses = 5;
const length = 40;
const rng = createRng(11);
const data: Dataset = {
  x: Float32Array.from({ length: length * 6 }, () => rng.normal()),
  // Labels in [0, 3): the classes "seen so far" when activeClasses is [0, 1, 2].
  y: Int32Array.from({ length }, (_, i) => i % 3),
  sampleShape: [2, 3],
  numClasses,
};

function compare(model: Classifier, options: FisherOptions): void {
  const start = tf.memory().numTensors;
  const batched = diagonalFisher(model, data, { ...options, batchSize: 16 });
  assert.equal(tf.memory().numTensors, start + model.variables.length, 'only the result is kept');
  const loop = diagonalFisher(loopOnly(model), data, options);
  batched.forEach((t, i) => closeRelative(t.dataSync(), loop[i].dataSync(), `variable ${i}`));
  tf.dispose([...batched, ...loop]);
}

describe('diagonalFisher, batched vs per-sample loop', () => {
  const modes: FisherMode[] = ['empirical', 'predicted', 'expected'];
  for (const mode of modes) {
    for (const activeClasses of [undefined, [0, 1, 2]]) {
      it(`${mode}${activeClasses ? ', activeClasses [0, 1, 2]' : ''}: equal`, () => {
        const model = mlp({ inputShape: [2, 3], hiddenSizes: [8, 6], numClasses, seed: 5 });
        compare(model, { mode, activeClasses, samples: 'all', seed: 4 });
        compare(model, { mode, activeClasses, samples: 27, seed: 9 });
        model.dispose();
      });
    }
  }

  it('multi-head (task 1): equal, and zero on the other head', () => {
    const model = multiHeadMlp({ inputShape: [2, 3], hiddenSizes: [6], numClasses, heads: 2, seed: 1 });
    compare(model, { mode: 'predicted', taskId: 1, samples: 'all' });
    const fisher = diagonalFisher(model, data, { taskId: 1, samples: 'all' });
    fisher.slice(2, 4).forEach((t) => assert.ok(t.dataSync().every((v) => v === 0)));
    tf.dispose(fisher);
    model.dispose();
  });

  it('predicted mode with the true labels the argmax equals empirical mode', () => {
    const model = mlp({ inputShape: [2, 3], hiddenSizes: [4], numClasses, seed: 2 });
    const predictions = tf.tidy(() =>
      tf.argMax(model.logits(tf.tensor(data.x, [length, 2, 3])), 1).dataSync(),
    );
    const relabelled = { ...data, y: Int32Array.from(predictions) };
    const predicted = diagonalFisher(model, data, { mode: 'predicted', samples: 'all' });
    const empirical = diagonalFisher(model, relabelled, { samples: 'all' });
    predicted.forEach((t, i) => closeRelative(t.dataSync(), empirical[i].dataSync(), `variable ${i}`));
    tf.dispose([...predicted, ...empirical]);
    model.dispose();
  });

  it('rejects an empirical label outside activeClasses', () => {
    const model = mlp({ inputShape: [2, 3], hiddenSizes: [4], numClasses, seed: 2 });
    assert.throws(() => diagonalFisher(model, data, { activeClasses: [0, 1] }), /not among activeClasses/);
    model.dispose();
  });
});

describe('masImportance, batched vs per-sample loop', () => {
  for (const activeClasses of [undefined, [1, 3]]) {
    it(`equal${activeClasses ? ' with activeClasses [1, 3]' : ''}, leaking no tensors`, () => {
      const model = mlp({ inputShape: [2, 3], hiddenSizes: [8, 6], numClasses, seed: 7 });
      const ctx = (m: Classifier) => ({ model: m, trainingSet: data, experience: { taskId: 0 } }) as never;
      const start = tf.memory().numTensors;
      const batched = masImportance(ctx(model), 27, { activeClasses, batchSize: 8 });
      assert.equal(tf.memory().numTensors, start + model.variables.length, 'only the result is kept');
      const loop = masImportance(ctx(loopOnly(model)), 27, { activeClasses });
      batched.forEach((t, i) => closeRelative(t.dataSync(), loop[i].dataSync(), `variable ${i}`));
      tf.dispose([...batched, ...loop]);
      model.dispose();
    });
  }
});
