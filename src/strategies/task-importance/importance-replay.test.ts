import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { sgd } from '../../engine/optimizers/index.js';
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { mlp } from '../../models/mlp.js';
import { summarize } from '../../metrics/index.js';
import { fit } from '../../training/template.js';
import { naive } from '../baselines/naive.js';
import type { Plugin } from '../../training/plugin.js';
import type { Strategy } from '../../training/strategy.js';
import { importanceReplay, importanceReplayPlugin } from './importance-replay.js';
import { refusedField } from '../../core/testing/refused-field.js';

await initEngine();

const stream = classSplit(
  gaussianClusters({
    numClasses: 6,
    samplesPerClass: 60,
    testSamplesPerClass: 20,
    dims: 4,
    spread: 1.5,
    seed: 3,
  }),
  { experiences: 3, seed: 3, scenario: 'class-il' },
);

const run = (strategy: Strategy) => {
  const model = mlp({ inputShape: [4], hiddenSizes: [32], numClasses: 6, seed: 1 });
  const start = tf.memory().numTensors;
  const events = fit({
    ...strategy,
    stream,
    model,
    optimizer: () => sgd({ learningRate: 0.1 }),
    epochs: 2,
    batchSize: 10,
    seed: 2,
  });
  assert.equal(tf.memory().numTensors, start, `${strategy.name} leaks no tensors`);
  model.dispose();
  return events;
};

describe('importance replay', () => {
  it('splits each replay batch across old tasks by the given weights', () => {
    const weights = [3, 1];
    const plugin = importanceReplayPlugin({ bufferSize: 40, minibatchSize: 8 }, () => weights);
    const seen: number[][] = [];
    // Records the task ids of the rows the replay adds at every step of the last experience.
    const probe: Plugin = {
      name: 'probe',
      extraBatch(ctx) {
        if (ctx.experience.index === 2) {
          const rows = plugin.extraBatch!(ctx)!;
          seen.push([0, 1].map((t) => [...rows.taskIds!].filter((id) => id === t).length));
        }
        return null;
      },
    };
    run({ name: 'weighted', plugins: [plugin, probe], trainingSet: (s, i) => s.experiences[i].train });
    assert.deepEqual(plugin.buffer()!.sizes, [14, 13, 13]);
    assert.ok(seen.length > 0);
    assert.ok(
      seen.every(([a, b]) => a === 6 && b === 2),
      JSON.stringify(seen.slice(0, 3)),
    );
  });
  it('forgets less than Naive, reports the estimate, and uses the same budget under both weightings', () => {
    const naiveAcc = summarize(run(naive())).acc;
    const results = (['importance', 'uniform'] as const).map((weighting) => {
      const events = run(
        importanceReplay({ bufferSize: 60, minibatchSize: 10, weighting, importanceEvery: 5 }),
      );
      const end = events.find((e) => e.type === 'run-end')!;
      const metrics = events.filter((e) => e.type === 'method-metrics');
      return {
        acc: summarize(events).acc,
        bytes: end.type === 'run-end' ? end.methodMemoryBytes : 0,
        metrics,
      };
    });
    for (const r of results) {
      assert.ok(r.acc > naiveAcc + 0.1, `replay ${r.acc} vs naive ${naiveAcc}`);
      assert.equal(r.metrics.length, 3);
    }
    assert.equal(results[0].bytes, results[1].bytes);
  });
  it('refuses an unknown option naming it, and a bad one naming its field', () => {
    assert.equal(
      refusedField(() => importanceReplay({ bufferSize: 10, importanceEvry: 5 } as never)),
      'importanceEvry',
    );
    assert.equal(
      refusedField(() => importanceReplay({} as never)),
      'bufferSize',
    );
    assert.equal(
      refusedField(() => importanceReplay({ bufferSize: 10, importanceSmoothing: 1 })),
      'importanceSmoothing',
    );
    assert.equal(
      refusedField(() => importanceReplayPlugin({ bufferSize: 10, minibatchSize: 0 }, () => [])),
      'minibatchSize',
    );
    assert.equal(
      importanceReplay({ bufferSize: 10, weighting: 'uniform' }).name,
      'importance-replay-uniform',
    );
  });
});
