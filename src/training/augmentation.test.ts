/**
 * A stream's augmentation in training: the rows a step feeds the model are augmented (the batch
 * and replayed rows alike), the memories keep them as they came, the same seed gives the same
 * run, and a checkpointed run resumes bit for bit (the augmentation's generator is saved).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { adam } from '../engine/optimizers/index.js';
import { gaussianClusters } from '../data/synthetic.js';
import { classSplit } from '../benchmarks/class-split.js';
import type { Stream } from '../benchmarks/stream.js';
import { mlp } from '../models/mlp.js';
import { er } from '../strategies/replay/er.js';
import { derpp } from '../strategies/replay/derpp.js';
import { replayInputs } from '../strategies/replay/replay-memory.js';
import { assertResumesExactly } from '../strategies/testing/resume.js';
import type { Plugin, StepContext } from './plugin.js';
import { fit } from './template.js';

await initEngine();

const data = gaussianClusters({
  numClasses: 6,
  samplesPerClass: 16,
  testSamplesPerClass: 8,
  dims: 16,
  seed: 3,
});
// The 16 features as 4x4 single-channel images.
const asImages = {
  ...data,
  train: { ...data.train, sampleShape: [4, 4, 1] },
  test: { ...data.test, sampleShape: [4, 4, 1] },
};
const plain = classSplit(asImages, { experiences: 3, seed: 1, scenario: 'class-il' });
const augmented: Stream = { ...plain, augment: { crop: { padding: 1 }, flip: true } };
const newModel = () => mlp({ inputShape: [4, 4, 1], hiddenSizes: [16], numClasses: 6, seed: 5 });

function run(stream: Stream, plugins: Plugin[] = []) {
  const model = newModel();
  const events = fit({
    stream,
    model,
    plugins,
    optimizer: () => adam({ learningRate: 0.01 }),
    epochs: 1,
    batchSize: 8,
    seed: 2,
  });
  const weights = model.variables.map((v) => Array.from(v.dataSync()));
  model.dispose();
  return { events, weights };
}

describe('augmentation in training', () => {
  it('augments the rows of each step, not the batch the memories keep', () => {
    const seen: { fed: number[]; batch: number[]; augments: boolean }[] = [];
    const probe: Plugin = {
      name: 'probe',
      stateless: true,
      lossTerms(ctx) {
        seen.push({
          fed: Array.from(ctx.x.dataSync()),
          batch: Array.from(ctx.batch.x),
          augments: ctx.augment !== undefined,
        });
        return [];
      },
    };
    run(augmented, [probe]);
    assert.ok(seen.every((s) => s.augments));
    assert.ok(
      seen.some((s) => s.fed.some((v, i) => v !== s.batch[i])),
      'some rows were cropped or flipped',
    );
    seen.length = 0;
    run(plain, [probe]);
    assert.ok(
      seen.every((s) => !s.augments && s.fed.every((v, i) => v === s.batch[i])),
      'no augmentation without the option',
    );
  });

  it('augments replayed rows a plugin feeds the model itself', () => {
    const calls: number[] = [];
    const ctx = {
      trainingSet: { sampleShape: [4, 4, 1] },
      augment: (x: Float32Array, n: number) => (calls.push(n), x.map((v) => -v)),
    };
    const rows = {
      x: Float32Array.from({ length: 32 }, (_, i) => i),
      y: Int32Array.of(0, 1),
      taskIds: Int32Array.of(0, 0),
      slots: Int32Array.of(0, 1),
    };
    const input = tf.tidy(() => Array.from(replayInputs(ctx as unknown as StepContext, rows).dataSync()));
    assert.deepEqual(calls, [2]);
    assert.equal(input[5], -5);
  });

  it('is seeded: the same seed gives the same run, and it differs from the run without it', () => {
    const a = run(augmented, er({ bufferSize: 16, seed: 1 }).plugins as Plugin[]);
    const b = run(augmented, er({ bufferSize: 16, seed: 1 }).plugins as Plugin[]);
    const c = run(plain, er({ bufferSize: 16, seed: 1 }).plugins as Plugin[]);
    assert.deepEqual(a.weights, b.weights);
    assert.notDeepEqual(a.weights, c.weights);
  });

  it('resumes bit for bit: the augmentation generator is in the checkpoint', () => {
    for (const strategy of [
      () => er({ bufferSize: 16, seed: 1 }),
      () => derpp({ bufferSize: 16, seed: 1 }),
    ]) {
      const resumed = assertResumesExactly(
        {
          strategy,
          stream: augmented,
          newModel,
          optimizer: () => adam({ learningRate: 0.01 }),
          epochs: 2,
          batchSize: 8,
          seed: 2,
        },
        [3, 7, 13],
      );
      assert.equal(resumed, 3);
    }
  });
});
