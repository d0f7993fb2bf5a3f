import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { sgd } from '../../engine/optimizers/index.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { mlp, multiHeadMlp } from '../../models/mlp.js';
import type { MethodMetricsEvent } from '../../core/events.js';
import type { Classifier } from '../../models/classifier.js';
import { summarize } from '../../metrics/index.js';
import type { LossContext } from '../../training/plugin.js';
import { fit } from '../../training/template.js';
import { joint } from '../baselines/joint.js';
import { naive } from '../baselines/naive.js';
import type { Strategy } from '../../training/strategy.js';
import { groupRows, lastSharedKernel, multiTask, multiTaskPlugin } from './multi-task.js';
import { multiTaskReplay } from './multi-task-replay.js';
import { classIlReplay } from '../testing/class-il-replay.js';
import { adam } from '../../engine/optimizers/index.js';
import { assertResumesExactly } from '../testing/resume.js';
import { resumeMultiHead, resumeTaskIl } from '../testing/resume-fixture.js';
import { refusedField } from '../../core/testing/refused-field.js';

await initEngine();

const close = (actual: number, expected: number, tol = 1e-5) =>
  assert.ok(Math.abs(actual - expected) < tol, `${actual} vs ${expected}`);

/** A model whose logits are its inputs times (task + 1) (multi-head) or the inputs themselves. */
const fakeModel = (multiHead: boolean): Classifier => ({
  name: 'fake',
  numClasses: 3,
  multiHead,
  logits: (x, t) => tf.mul(x, multiHead ? (t ?? 0) + 1 : 1) as tf.Tensor2D,
  variables: [],
  dispose: () => {},
});

/** Rows 0-1 of task 0 (classes 0, 1), row 2 of task 1 (classes 1, 2); the step ran task 0's head. */
function lossContext(model: Classifier): LossContext {
  const x = tf.tensor2d([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  return {
    stream: {
      scenario: 'task-il',
      experiences: [
        { taskId: 0, classes: [0, 1] },
        { taskId: 1, classes: [1, 2] },
      ],
    },
    model,
    x,
    labels: tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3),
    unmaskedLogits: model.logits(x, 0),
    taskId: 0,
    activeClasses: [0, 1],
    rowTaskIds: Int32Array.from([0, 0, 1]),
  } as unknown as LossContext;
}

// Task 0: rows [1, 0] -> class 0 and [0, 1] -> class 1, both log(1 + e^-1).
const L0 = Math.log(1 + Math.exp(-1));

describe('multi-task loss', () => {
  it('groups rows by task in first-seen order', () => {
    assert.deepEqual(groupRows(Int32Array.from([2, 0, 2, 1])), {
      tasks: [2, 0, 1],
      rows: [[0, 2], [1], [3]],
    });
  });

  it('is the weighted sum of per-task cross-entropies, each task through its own head and classes', () => {
    tf.tidy(() => {
      const plugin = multiTaskPlugin({ weighting: 'uncertainty', weightLr: 0.1 });
      const ctx = lossContext(fakeModel(true));
      // Task 1's row through head 1 (logits x 2): [0, 0, 2] over classes {1, 2}: log(1 + e^-2).
      const L1 = Math.log(1 + Math.exp(-2));
      close(plugin.baseLoss!(ctx).dataSync()[0], L0 + L1);
      // s = (0.1, -0.05) after one uncertainty step on losses (2, 0.5): exp(-s_t) L_t + s_t.
      plugin.weighting.observe({ tasks: [0, 1], losses: [2, 0.5] });
      const expected = Math.exp(-0.1) * L0 + 0.1 + Math.exp(0.05) * L1 - 0.05;
      close(plugin.baseLoss!(ctx).dataSync()[0], expected);
    });
  });

  it('on a single-head model restricts each task to its classes in the shared logits', () => {
    tf.tidy(() => {
      const plugin = multiTaskPlugin();
      // Task 1's row: logits [0, 0, 1] over classes {1, 2}: log(1 + e^-1).
      close(plugin.baseLoss!(lossContext(fakeModel(false))).dataSync()[0], 2 * L0);
    });
  });

  it("hands GradNorm each task's unweighted gradient norm on the last shared layer", () => {
    const model = multiHeadMlp({ inputShape: [3], hiddenSizes: [5], numClasses: 3, heads: 2, seed: 4 });
    const plugin = multiTaskPlugin({ weighting: 'gradnorm' });
    let seen: readonly number[] = [];
    const observe = plugin.weighting.observe.bind(plugin.weighting);
    (plugin.weighting as { observe: typeof observe }).observe = (step) => {
      seen = step.gradientNorms ?? [];
      observe(step);
    };
    const start = tf.memory().numTensors;
    tf.tidy(() => {
      const ctx = { ...lossContext(model), model, unmaskedLogits: undefined };
      const withLogits = { ...ctx, unmaskedLogits: model.logits(ctx.x, 0) } as LossContext;
      plugin.baseLoss!(withLogits);
      plugin.onGradients!(withLogits as never);
      // Independently: each task's loss differentiated w.r.t. every variable; the trunk kernel's part.
      const expected = [
        { task: 0, rows: [0, 1], classes: [0, 1] },
        { task: 1, rows: [2], classes: [1, 2] },
      ].map(({ task, rows, classes }) => {
        const index = tf.tensor1d(rows, 'int32');
        const { grads } = tf.variableGrads(() => {
          const logits = model.logits(tf.gather(withLogits.x, index), task);
          const mask = tf.tensor1d([0, 1, 2].map((c) => (classes.includes(c) ? 0 : -1e9)));
          return tf.losses.softmaxCrossEntropy(
            tf.gather(withLogits.labels, index),
            tf.add(logits, mask),
          ) as tf.Scalar;
        }, [...model.variables]);
        return tf.norm(grads[model.variables[0].name]).dataSync()[0];
      });
      assert.equal(seen.length, 2);
      seen.forEach((g, k) => close(g, expected[k]));
      assert.ok(expected[0] > 0 && expected[1] > 0);
    });
    assert.equal(tf.memory().numTensors, start);
    model.dispose();
  });

  it("finds the last shared layer: a multi-head MLP's last trunk kernel, a single head's output kernel", () => {
    for (const [hiddenSizes, shape] of [
      [
        [16, 12],
        [16, 12],
      ],
      [
        [12, 12],
        [12, 12],
      ],
    ]) {
      const model = multiHeadMlp({ inputShape: [4], hiddenSizes, numClasses: 8, heads: 4 });
      assert.deepEqual(lastSharedKernel(model).shape, shape);
      model.dispose();
    }
    const single = mlp({ inputShape: [4], hiddenSizes: [12, 12], numClasses: 8 });
    assert.deepEqual(lastSharedKernel(single).shape, [12, 8]);
    single.dispose();
  });
});

const weightsOf = (events: ReturnType<typeof fit>) =>
  events.filter((e): e is MethodMetricsEvent => e.type === 'method-metrics').map((e) => e.values);

// Gaussian clusters (8 classes) wide enough that task-IL is not trivial, dealt into 4 experiences
// of 2 classes: as task-IL for a multi-head MLP, and as class-IL (where Naive forgets) for an MLP.
const setup = classIlReplay({ clusters: { spread: 0.6 } });
const taskIl = classSplit(classIlReplay({ clusters: { spread: 1 } }).data, {
  experiences: 4,
  seed: 1,
  scenario: 'task-il',
});

function runTaskIl(strategy: Strategy) {
  const model = multiHeadMlp({ inputShape: [4], hiddenSizes: [32], numClasses: 8, heads: 4, seed: 1 });
  const start = tf.memory().numTensors;
  const events = fit({
    ...strategy,
    stream: taskIl,
    model,
    optimizer: () => sgd({ learningRate: 0.1 }),
    epochs: 5,
    batchSize: 10,
    seed: 2,
  });
  assert.equal(tf.memory().numTensors, start, `${strategy.name} leaks no tensors`);
  model.dispose();
  return events;
}

describe('multi-task strategies', () => {
  it('offline multi-task on a multi-head model reaches joint training accuracy (task-IL)', () => {
    const together = summarize(runTaskIl(joint())).acc;
    for (const weighting of ['equal', 'gradnorm'] as const) {
      const events = runTaskIl(multiTask({ weighting }));
      const acc = summarize(events).acc;
      // Measured: joint 0.863; multi-task equal 0.888, GradNorm 0.888.
      assert.ok(acc > together - 0.03, `${weighting}: ${acc} vs joint ${together}`);
      // Every task is in the first step: all four weights from the first report on.
      assert.equal(Object.keys(weightsOf(events)[0]).length, 4);
    }
  });

  it('continual multi-task replay forgets far less than Naive (class-IL, single head)', () => {
    const plain = setup.runSummary(naive());
    const replay = setup.runSummary(multiTaskReplay({ bufferSize: 60 }));
    // Measured: forgetting Naive 0.822, multi-task replay 0.206; ACC 0.358 and 0.750.
    assert.ok(
      replay.forgetting < plain.forgetting - 0.4,
      `forgetting: ${replay.forgetting} vs ${plain.forgetting}`,
    );
    assert.ok(replay.acc > plain.acc + 0.2, `ACC: ${replay.acc} vs ${plain.acc}`);
  });

  it('learns GradNorm, uncertainty (both forms) and DWA weights over the run and reports them after each experience', () => {
    for (const weighting of ['gradnorm', 'uncertainty', 'uncertainty-normalized', 'dwa'] as const) {
      const options = { bufferSize: 30, weighting, weightLr: 0.05, dwaWindow: 5 };
      const series = weightsOf(runTaskIl(multiTaskReplay(options)));
      assert.equal(series.length, 4);
      assert.deepEqual(Object.keys(series[0]), ['weight/task0']);
      assert.deepEqual(Object.keys(series[3]), [
        'weight/task0',
        'weight/task1',
        'weight/task2',
        'weight/task3',
      ]);
      const last = Object.values(series[3]);
      assert.ok(
        last.every((w) => w > 0 && Math.abs(w - 1) > 1e-3),
        `${weighting}: ${last.join(', ')}`,
      );
    }
  });
});

describe('multi-task options', () => {
  it('refuses an unknown option, naming it, and a bad one, naming its field', () => {
    assert.equal(
      refusedField(() => multiTask({ weightlr: 0.1 } as never)),
      'weightlr',
    );
    assert.equal(
      refusedField(() => multiTask({ weighting: 'dwa', dwaWindow: 0 })),
      'dwaWindow',
    );
    assert.equal(
      refusedField(() => multiTaskReplay({ bufferSize: 10, bufersize: 10 } as never)),
      'bufersize',
    );
    assert.equal(
      refusedField(() => multiTaskReplay({} as never)),
      'bufferSize',
    );
    assert.equal(
      refusedField(() => multiTaskReplay({ bufferSize: 10, gradNormAlpha: -1 })),
      'gradNormAlpha',
    );
  });
});

describe('multi-task checkpoints', () => {
  const stream = resumeTaskIl;
  const newModel = resumeMultiHead;

  it('resumes every learned weighting exactly (GradNorm, uncertainty, DWA by window and by epoch)', () => {
    const settings = [
      { weighting: 'gradnorm', weightLr: 0.05 },
      { weighting: 'uncertainty', weightLr: 0.05 },
      { weighting: 'uncertainty-normalized', weightLr: 0.05 },
      { weighting: 'dwa', dwaWindow: 3 },
      { weighting: 'dwa' },
    ] as const;
    for (const options of settings) {
      // 48 rows at batch 5: 10 steps an epoch; stops inside the first, second and third epochs.
      const resumed = assertResumesExactly(
        {
          strategy: () => multiTask(options),
          stream,
          newModel,
          optimizer: () => adam({ learningRate: 0.01 }),
          epochs: 3,
          batchSize: 5,
          seed: 4,
        },
        [4, 13, 25],
      );
      assert.equal(resumed, 3, options.weighting);
    }
  });

  it('refuses a state saved under another weighting, naming the field', () => {
    const saved = multiTaskPlugin({ weighting: 'dwa' }).state!();
    assert.throws(
      () => multiTaskPlugin({ weighting: 'gradnorm' }).restore!(saved),
      /weighting: expected 'gradnorm'/,
    );
  });
});
