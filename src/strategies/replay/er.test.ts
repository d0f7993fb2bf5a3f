import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../../engine/backend.js';
import { sgd } from '../../engine/optimizers/index.js';
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { ConfigError } from '../../core/errors.js';
import { mlp, multiHeadMlp } from '../../models/mlp.js';
import { fit } from '../../training/template.js';
import { naive } from '../baselines/naive.js';
import { er, erPlugin } from './er.js';
import { newModel, runSummary, stream } from '../testing/class-il-replay.js';

await initEngine();

describe('ER', () => {
  it("beats Naive's ACC by a wide margin on a class-IL stream, leaking no tensors", () => {
    const plain = runSummary(naive());
    const replay = runSummary(er({ bufferSize: 120 }));
    // Measured (seed 2): Naive 0.375, ER 0.858.
    assert.ok(replay.acc > plain.acc + 0.3, `ACC: ER ${replay.acc} vs Naive ${plain.acc}`);
  });

  it('fills its buffer to capacity and never beyond, with the new batches only, and replays minibatchSize rows', () => {
    const plugin = erPlugin({ bufferSize: 50, minibatchSize: 4, seed: 3 });
    const sizes: number[] = [];
    const offered: number[] = [];
    const probe = {
      name: 'probe',
      onStepEnd: () => {
        sizes.push(plugin.memory.buffer!.size);
        offered.push(plugin.memory.buffer!.seen);
      },
    };
    const model = newModel();
    const events = fit({
      name: 'er',
      plugins: [plugin, probe],
      stream,
      model,
      optimizer: () => sgd({ learningRate: 0.1 }),
      epochs: 1,
      batchSize: 10,
    });
    model.dispose();
    // 32 steps of 10 new samples each: the buffer sees only them (not the replayed rows).
    assert.deepEqual(
      offered,
      Array.from({ length: 32 }, (_, k) => 10 * (k + 1)),
    );
    assert.deepEqual(
      sizes,
      offered.map((n) => Math.min(n, 50)),
    );
    // Every step after the first trains on its 10 samples plus 4 replayed: 80 + 7 * 4 per experience
    // (the first step of the run replays nothing).
    const samples = events.flatMap((e) => (e.type === 'experience-end' ? [e.samples] : []));
    assert.deepEqual(samples, [80 + 7 * 4, 80 + 8 * 4, 80 + 8 * 4, 80 + 8 * 4]);
    // Each stored row keeps the task id of the experience its class came from.
    const rows = plugin.memory.buffer!.all();
    rows.y.forEach((c, r) => {
      const owner = stream.experiences.find((e) => e.classes.includes(c))!;
      assert.equal(rows.taskIds[r], owner.taskId);
    });
    assert.ok(new Set(rows.taskIds).size > 1, 'the buffer holds several experiences');
  });

  it('is task-free and repeats with the same seed', () => {
    assert.equal(erPlugin({ bufferSize: 5 }).taskFree, true);
    const a = runSummary(er({ bufferSize: 30, seed: 4 }));
    const b = runSummary(er({ bufferSize: 30, seed: 4 }));
    assert.deepEqual(a.matrix, b.matrix);
  });

  it('names the bad option', () => {
    const bad: [object, string][] = [
      [{}, 'bufferSize'],
      [{ bufferSize: 0 }, 'bufferSize'],
      [{ bufferSize: 2.5 }, 'bufferSize'],
      [{ bufferSize: 10, minibatchSize: 0 }, 'minibatchSize'],
      [{ bufferSize: 10, seed: 0.5 }, 'seed'],
      [{ bufferSize: 10, lamda: 1 }, 'lamda'],
    ];
    for (const [options, field] of bad) {
      assert.throws(
        () => er(options as never),
        (e: unknown) => e instanceof ConfigError && e.field === field,
        JSON.stringify(options),
      );
    }
  });

  it("refuses a multi-head model; on a single-head task-IL model each replayed row keeps its own task's classes", () => {
    const model = multiHeadMlp({ inputShape: [4], hiddenSizes: [8], numClasses: 8, heads: 4, seed: 1 });
    const taskIl = classSplit(gaussianClusters({ numClasses: 8, samplesPerClass: 5, dims: 4, seed: 3 }), {
      experiences: 4,
      seed: 1,
      scenario: 'task-il',
    });
    const options = {
      stream: taskIl,
      model,
      optimizer: () => sgd({ learningRate: 0.1 }),
      epochs: 1,
      batchSize: 10,
    };
    assert.throws(
      () => fit({ ...er({ bufferSize: 10 }), ...options }),
      (e: unknown) => e instanceof ConfigError && e.field === 'model',
    );
    model.dispose();
    // A single head on task-IL: replayed rows are masked to their own task's classes (a replayed
    // label under the current task's mask would sit at INACTIVE_LOGIT, a loss of ~1e9).
    const single = mlp({ inputShape: [4], hiddenSizes: [8], numClasses: 8, seed: 1 });
    const masked = fit({ ...er({ bufferSize: 10 }), ...options, model: single });
    assert.ok(masked.some((e) => e.type === 'epoch-end' && e.experience > 0));
    assert.ok(masked.every((e) => e.type !== 'epoch-end' || e.loss < 10));
    const events = fit({ ...er({ bufferSize: 10 }), ...options, model: single, activeOutputs: 'all' });
    assert.ok(events.every((e) => e.type !== 'epoch-end' || e.loss < 10));
    single.dispose();
  });
});
