import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../../engine/backend.js';
import { summarize } from '../../metrics/index.js';
import { naive } from '../baselines/naive.js';
import { er } from '../replay/er.js';
import { memoryAugmented, memoryAugmentedPlugin } from './memory-augmented.js';
import * as tf from '../../engine/tf.js';
import { sgd } from '../../engine/optimizers/index.js';
import { readMemory } from '../../memory/key-value-memory.js';
import { fit } from '../../training/template.js';
import { locallyAdaptedLogits } from './local-adaptation.js';
import { newModel, runEvents, runSummary, stream } from '../testing/class-il-replay.js';
import { refusedField } from '../../core/testing/refused-field.js';

await initEngine();

describe('memory-augmented learner', () => {
  it("beats Naive's ACC by a wide margin on a class-IL stream, with and without local adaptation, leaking no tensors", () => {
    const plain = runSummary(naive());
    const memory = runSummary(memoryAugmented({ bufferSize: 40 }));
    const adapted = runSummary(memoryAugmented({ bufferSize: 40, localAdaptation: { steps: 5 } }));
    // Measured (seed 2): Naive 0.375, ER (same budget) 0.804, memory-augmented 0.867, with local adaptation 0.896.
    assert.ok(memory.acc > plain.acc + 0.3, `ACC: ${memory.acc} vs Naive ${plain.acc}`);
    assert.ok(adapted.acc > plain.acc + 0.3, `ACC: ${adapted.acc} vs Naive ${plain.acc}`);
  });

  it('trains exactly as ER with the same budget and seed: with read weight 0 it predicts as ER', () => {
    const replay = runSummary(er({ bufferSize: 40, seed: 4 }));
    const unread = runSummary(memoryAugmented({ bufferSize: 40, seed: 4, readWeight: 0 }));
    assert.deepEqual(unread.matrix, replay.matrix);
    // The read is what changes the predictions.
    const read = runSummary(memoryAugmented({ bufferSize: 40, seed: 4, readWeight: 0.9 }));
    assert.notDeepEqual(read.matrix, replay.matrix);
  });

  it('keeps its budget, reports its bytes and the drift of its keys, and refreshes the keys it reads', () => {
    const plugin = memoryAugmentedPlugin({ bufferSize: 50 });
    const events = runEvents({ name: 'memory-augmented', plugins: [plugin] });
    const memory = plugin.memory!;
    assert.equal(memory.size, 50);
    // 5 epochs over 4 experiences of 80 samples: every new batch is offered, no replayed row.
    assert.equal(memory.seen, 1600);
    // Inputs of 4 floats, a label and a task id, and a key of 32 floats (the hidden layer).
    const end = events.find((e) => e.type === 'run-end');
    assert.equal(end?.type === 'run-end' && end.methodMemoryBytes, 50 * 4 * (4 + 1 + 1 + 32));
    const metrics = events.flatMap((e) => (e.type === 'method-metrics' ? [e.values] : []));
    assert.equal(metrics.length, 4);
    for (const m of metrics) {
      // Keys refreshed at the experience end are refreshed again before evaluation: unmoved.
      assert.ok(Math.abs(m.keyCosine - 1) < 1e-5, `keyCosine ${m.keyCosine}`);
    }
    assert.deepEqual(
      metrics.map((m) => m.storedExamples),
      [50, 50, 50, 50],
    );
  });

  it('trains through the read when readLoss > 0, and an infinite lambda leaves the adapted predictions unchanged', () => {
    const base = runSummary(memoryAugmented({ bufferSize: 40 }));
    const throughRead = runSummary(memoryAugmented({ bufferSize: 40, readLoss: 1 }));
    assert.notDeepEqual(throughRead.matrix, base.matrix);
    assert.ok(throughRead.acc > 0.5, `ACC ${throughRead.acc}`);
    const held = runSummary(memoryAugmented({ bufferSize: 40, localAdaptation: { lambda: Infinity } }));
    assert.deepEqual(held.matrix, base.matrix);
  });

  it("predicts log((1 - w) softmax(adapted logits) + w read), adapting on each sample's own neighbours", () => {
    const plugin = memoryAugmentedPlugin({ bufferSize: 30, readWeight: 0.3, localAdaptation: { steps: 3 } });
    const model = newModel();
    fit({
      plugins: [plugin],
      stream,
      model,
      optimizer: () => sgd({ learningRate: 0.1 }),
      epochs: 2,
      batchSize: 10,
    });
    tf.tidy(() => {
      const test = stream.experiences[0].test;
      const x = tf.tensor2d(test.x.subarray(0, 16 * 4), [16, 4]);
      const scores = plugin.evaluationScores!(x, undefined, model)!.arraySync();
      // The same prediction from the parts, the neighbours gathered by tfjs.
      const memory = plugin.memory!;
      const keys = tf.tensor2d(memory.keys, [memory.size, memory.keySize]);
      const values = tf.tensor1d(memory.labels, 'int32');
      const queries = model.features!(x);
      const read = readMemory(queries, keys, values, { k: 10, tau: 0.1, numClasses: 8 });
      const slots = tf.tensor2d(read.indices, [16, 10], 'int32');
      const [kernel, bias] = model.variables.slice(-2);
      const adapted = locallyAdaptedLogits(
        {
          queries,
          neighbours: tf.gather(keys, slots) as tf.Tensor as tf.Tensor3D,
          labels: tf.oneHot(tf.gather(values, slots), 8) as tf.Tensor3D,
          attention: tf.gather(read.weights, slots, 1, 1) as tf.Tensor2D,
          kernel: kernel as tf.Tensor2D,
          bias: bias as tf.Tensor1D,
        },
        { steps: 3, lr: 0.1, lambda: 0.1 },
      );
      const expected = tf.log(
        tf.add(tf.add(tf.mul(tf.softmax(adapted), 0.7), tf.mul(read.read, 0.3)), 1e-10),
      );
      const flat = (expected as tf.Tensor2D).arraySync().flat();
      scores.flat().forEach((v, i) => assert.ok(Math.abs(v - flat[i]) < 1e-4, `[${i}] ${v} vs ${flat[i]}`));
      // Adaptation moved the logits: the comparison is not of two unadapted predictions.
      const plain = tf.sub(adapted, model.logits(x));
      assert.ok(tf.max(tf.abs(plain)).dataSync()[0] > 1e-3);
    });
    model.dispose();
  });

  it('names the field of a bad or unknown option', () => {
    assert.equal(
      refusedField(() => memoryAugmented({} as never)),
      'bufferSize',
    );
    assert.equal(
      refusedField(() => memoryAugmented({ bufferSize: 10, readWeight: 2 })),
      'readWeight',
    );
    assert.equal(
      refusedField(() => memoryAugmented({ bufferSize: 10, localAdaptation: { steps: 1.5 } })),
      'localAdaptation.steps',
    );
    assert.equal(
      refusedField(() => memoryAugmented({ bufferSize: 10, neighbors: 5 } as never)),
      'neighbors',
    );
    assert.equal(
      refusedField(() => memoryAugmented({ bufferSize: 10, localAdaptation: { step: 1 } } as never)),
      'localAdaptation.step',
    );
    assert.equal(
      refusedField(() => memoryAugmented({ bufferSize: 10, localAdaptation: { lambda: -1 } })),
      'localAdaptation.lambda',
    );
    assert.equal(
      summarize(runEvents(memoryAugmented({ bufferSize: 10, neighbours: 100 }))).matrix.length,
      4,
      'k larger than the memory reads every entry',
    );
  });
});
