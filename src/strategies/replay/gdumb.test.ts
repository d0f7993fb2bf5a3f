import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { sgd } from '../../engine/optimizers/index.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { ConfigError } from '../../core/errors.js';
import { multiHeadMlp } from '../../models/mlp.js';
import { summarize } from '../../metrics/index.js';
import type { TrainingEvent } from '../../core/events.js';
import type { Strategy } from '../../training/strategy.js';
import { fit } from '../../training/template.js';
import { naive } from '../baselines/naive.js';
import { gdumb, gdumbLearningRate, gdumbPlugin, type GdumbOptions } from './gdumb.js';
import { classIlReplay } from '../testing/class-il-replay.js';

await initEngine();

const { data, newModel, runEvents } = classIlReplay({
  clusters: { numClasses: 6, samplesPerClass: 50, spread: 0.5 },
  split: { experiences: 3, seed: 3 },
  model: { hiddenSizes: [16], numClasses: 6 },
  fit: { batchSize: 16 },
});
const options: GdumbOptions = {
  copyModel: () => newModel(),
  bufferSize: 48,
  epochs: 24,
  batchSize: 16,
  lr: 0.1,
};

const run = (strategy: Strategy, model = newModel()): TrainingEvent[] => runEvents(strategy, { model });

describe('GDumb', () => {
  it('beats Naive by a wide margin on a small class-IL stream, leaking no tensors', () => {
    const plain = summarize(run(naive())).acc;
    const dumb = summarize(run(gdumb(options))).acc;
    assert.ok(plain < 0.6, `Naive ACC ${plain}`);
    assert.ok(dumb > plain + 0.3, `GDumb ACC ${dumb} vs Naive ${plain}`);
  });

  it('keeps a full, class-balanced memory of the stream', () => {
    const plugin = gdumbPlugin(options);
    run({ name: 'gdumb', plugins: [plugin] });
    const counts = [...plugin.memory!.classCounts().values()];
    assert.equal(plugin.memory!.size, 48);
    assert.equal(plugin.memory!.seen, 300, 'every training example is offered once');
    assert.deepEqual(counts, [8, 8, 8, 8, 8, 8]);
  });

  it('never uses the model it is given: runs from different weights give the same results', () => {
    const evaluations = (events: TrainingEvent[]) =>
      events.filter((e) => e.type === 'evaluation' && e.afterExperience >= 0);
    const a = run(gdumb(options), newModel(1));
    const b = run(gdumb(options), newModel(2));
    assert.deepEqual(evaluations(a), evaluations(b));
    // ...while the untrained baselines differ, so the models did start apart.
    assert.notDeepEqual(
      a.find((e) => e.type === 'evaluation'),
      b.find((e) => e.type === 'evaluation'),
    );
  });

  it("follows Mammoth's schedule: a tenth of lr, then cosine cycles of 1, 2, 4 epochs restarting at lr", () => {
    const c = (t: number, cycle: number) => (0.1 * (1 + Math.cos((Math.PI * t) / cycle))) / 2;
    const expected = [0.01, c(0, 1), c(0, 2), c(1, 2), c(0, 4), c(1, 4), c(2, 4), c(3, 4), c(0, 8)];
    expected.forEach((rate, epoch) => {
      const got = gdumbLearningRate(epoch, 0.1, 0);
      assert.ok(Math.abs(got - rate) < 1e-12, `epoch ${epoch}: ${got} vs ${rate}`);
    });
    assert.ok(Math.abs(gdumbLearningRate(3, 0.1, 0.02) - 0.06) < 1e-12, 'cycles end at minLr');
  });

  it('trains a multi-head model one head per step (task-IL)', () => {
    const taskIl = classSplit(data, { experiences: 3, seed: 3, scenario: 'task-il' });
    const heads = () =>
      multiHeadMlp({ inputShape: [4], hiddenSizes: [16], numClasses: 6, heads: 3, seed: 1 });
    const model = heads();
    const start = tf.memory().numTensors;
    const events = fit({
      ...gdumb({ ...options, copyModel: heads }),
      stream: taskIl,
      model,
      optimizer: () => sgd({ learningRate: 0.1 }),
      epochs: 1,
      batchSize: 16,
    });
    assert.equal(tf.memory().numTensors, start);
    model.dispose();
    const { acc, forgetting } = summarize(events);
    assert.ok(acc > 0.9 && forgetting < 0.05, `ACC ${acc}, forgetting ${forgetting}`);
  });

  it('refuses bad options, naming the field', () => {
    const bad = (o: Partial<GdumbOptions>, field: string) =>
      assert.throws(
        () => gdumbPlugin({ ...options, ...o }),
        (e) => e instanceof ConfigError && e.message.includes(field),
      );
    bad({ bufferSize: 0 }, 'bufferSize');
    bad({ epochs: 1.5 }, 'epochs');
    bad({ batchSize: -1 }, 'batchSize');
    bad({ lr: 0 }, 'lr');
    bad({ minLr: 1 }, 'minLr');
    bad({ momentum: 1 }, 'momentum');
    assert.throws(
      () => gdumbPlugin({ ...options, weightDecay: 1e-6 } as never),
      (e) => e instanceof ConfigError && e.field === 'weightDecay',
    );
    const { copyModel: _, ...modelless } = options;
    assert.throws(
      () => gdumbPlugin(modelless as never),
      (e) => e instanceof ConfigError && e.field === 'copyModel',
    );
  });
});
