/** Checkpoint and resume in the template: exact continuation, refusals. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../engine/backend.js';
import { adam, sgd } from '../engine/optimizers/index.js';
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import { gaussianClusters } from '../data/synthetic.js';
import { classSplit } from '../benchmarks/class-split.js';
import { mlp } from '../models/mlp.js';
import { naive } from '../strategies/baselines/naive.js';
import { er } from '../strategies/replay/er.js';
import { onlineStream } from '../benchmarks/online.js';
import { fit } from './template.js';
import type { Plugin } from './plugin.js';
import {
  assertResumesExactly,
  runWhole,
  stopAndResume,
  type ResumeCase,
} from '../strategies/testing/resume.js';
import type { DriftEvent, TrainingEvent } from '../core/events.js';

await initEngine();

const stream = classSplit(
  gaussianClusters({ numClasses: 4, samplesPerClass: 12, testSamplesPerClass: 6, dims: 3, seed: 2 }),
  { experiences: 2, seed: 1, scenario: 'class-il' },
);
const newModel = () => mlp({ inputShape: [3], hiddenSizes: [8], numClasses: 4, seed: 5 });
const base = { stream, newModel, batchSize: 5, seed: 9 };

describe('checkpoint and resume', () => {
  it('resumes Naive with Adam exactly, wherever it stopped: mid-epoch, at an epoch end, between experiences', () => {
    // 24 samples, batch 5: 5 steps an epoch, 2 epochs, 2 experiences: 20 steps and 1 boundary ask.
    const stops = [1, 3, 5, 6, 10, 11, 12, 17, 20];
    const resumed = assertResumesExactly(
      { ...base, strategy: () => naive(), optimizer: () => adam({ learningRate: 0.01 }), epochs: 2 },
      stops,
    );
    assert.equal(resumed, stops.length);
  });

  it('resumes iterations runs, momentum SGD and one optimizer for the run (resetOptimizer false) exactly', () => {
    assertResumesExactly(
      {
        ...base,
        strategy: () => naive(),
        optimizer: () => sgd({ learningRate: 0.05, momentum: 0.9 }),
        iterations: 7,
        resetOptimizer: false,
        dropLast: true,
      },
      [2, 7, 8, 9, 12],
    );
  });

  it('resumes online (task-free) runs exactly: Naive and ER, mid-segment and at a boundary', () => {
    // 24 samples delivered in batches of 5 (the last one of 4), 2 segments of 12: 5 steps.
    const online = onlineStream(stream, { batchSize: 5, seed: 2 });
    for (const strategy of [() => naive(), () => er({ bufferSize: 6, seed: 1 })]) {
      const resumed = assertResumesExactly(
        { ...base, stream: online, strategy, optimizer: () => sgd({ learningRate: 0.1, momentum: 0.5 }) },
        [1, 2, 3, 4],
      );
      assert.equal(resumed, 4);
    }
  });

  it('a checkpoint holds the position: between experiences it points at the next one', () => {
    // Steps 1..10 are experience 0 (2 epochs of 5); ask 11 is the boundary after it.
    const run = stopAndResume({ ...base, strategy: () => naive(), optimizer: () => adam(), epochs: 2 }, 11);
    assert.ok(run);
    assert.equal(run.checkpoint.position.experience, 1);
    assert.equal(run.checkpoint.position.inProgress, undefined);
    assert.equal(run.checkpoint.steps, 10);
    const mid = stopAndResume({ ...base, strategy: () => naive(), optimizer: () => adam(), epochs: 2 }, 7);
    assert.ok(mid);
    assert.deepEqual(
      [
        mid.checkpoint.position.experience,
        mid.checkpoint.position.inProgress?.epoch.index,
        mid.checkpoint.position.inProgress?.epoch.step,
      ],
      [0, 1, 2],
    );
  });

  it('refuses a plugin that can neither save its state nor says it has none, before training', () => {
    const opaque: Plugin = { name: 'opaque', onStepEnd: () => {} };
    const model = newModel();
    const before = model.variables.map((v) => Array.from(v.dataSync()));
    assert.throws(
      () =>
        fit({
          stream,
          model,
          plugins: [opaque],
          optimizer: () => adam(),
          epochs: 1,
          batchSize: 5,
          checkpoint: { save: () => {} },
        }),
      (e: unknown) => e instanceof ConfigError && /opaque/.test(e.message),
    );
    assert.deepEqual(
      model.variables.map((v) => Array.from(v.dataSync())),
      before,
      'nothing trained',
    );
    model.dispose();
  });

  it('refuses to resume a checkpoint into another strategy', () => {
    const run = stopAndResume({ ...base, strategy: () => naive(), optimizer: () => adam() }, 3);
    assert.ok(run);
    const model = newModel();
    const other: Plugin = { name: 'other', stateless: true };
    assert.throws(
      () =>
        fit({
          stream,
          model,
          name: 'naive',
          plugins: [other],
          optimizer: () => adam(),
          epochs: 1,
          batchSize: 5,
          resume: run.checkpoint,
        }),
      (e: unknown) => e instanceof ConfigError && e.field === 'resume' && /other/.test(e.message),
    );
    model.dispose();
    assert.ok(tf.memory().numTensors >= 0);
  });

  it("resumes an online run's drift detector: an interrupted run gives the unbroken run's drift events", () => {
    // 3 segments of 120 examples, batches of 10: 36 steps, drifts after the boundaries at 120 and 240.
    const online = onlineStream(
      classSplit(
        gaussianClusters({ numClasses: 6, samplesPerClass: 60, testSamplesPerClass: 5, dims: 4, seed: 3 }),
        { experiences: 3, seed: 1, scenario: 'class-il' },
      ),
      { batchSize: 10, seed: 4 },
    );
    const drifting: ResumeCase = {
      stream: online,
      newModel: () => mlp({ inputShape: [4], hiddenSizes: [32], numClasses: 6, seed: 5 }),
      batchSize: 10,
      seed: 9,
      strategy: () => er({ bufferSize: 20, seed: 1 }),
      optimizer: () => sgd({ learningRate: 0.1, momentum: 0.5 }),
      drift: { detector: 'adwin', options: { clock: 8 } },
    };
    const drifts = (events: readonly TrainingEvent[]) =>
      events.filter((e): e is DriftEvent => e.type === 'drift').map((e) => [e.sample, e.step, e.experience]);
    const whole = drifts(runWhole(drifting).events);
    assert.ok(whole.length >= 2, `drifts ${JSON.stringify(whole)}`);
    const stops = [4, 14, 16, 22, 30];
    let split = 0;
    for (const stopAt of stops) {
      const run = stopAndResume(drifting, stopAt);
      assert.ok(run);
      const saved = run.checkpoint.drift;
      assert.equal(saved?.name, 'adwin');
      assert.deepEqual(drifts(run.events), whole, `drift events, stopped at ask ${stopAt}`);
      // Some stops fall between two drifts: one before the checkpoint, one after it.
      if (whole.some(([, step]) => step < stopAt) && whole.some(([, step]) => step >= stopAt)) split++;
    }
    assert.ok(split > 0, `no stop between two drifts: ${JSON.stringify(whole)}`);
    assert.equal(assertResumesExactly(drifting, stops), stops.length);

    // A checkpoint of a run without drift, or of another detector, is refused.
    const refusal = (
      checkpoint: NonNullable<ReturnType<typeof stopAndResume>>['checkpoint'],
      drift: ResumeCase['drift'],
    ) => {
      const model = drifting.newModel();
      try {
        fit({
          ...er({ bufferSize: 20, seed: 1 }),
          stream: online,
          model,
          optimizer: () => sgd({ learningRate: 0.1, momentum: 0.5 }),
          epochs: 1,
          batchSize: 10,
          drift,
          resume: checkpoint,
        });
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.message;
      } finally {
        model.dispose();
      }
      return 'resumed';
    };
    const plain = stopAndResume({ ...drifting, drift: undefined }, 5);
    assert.ok(plain);
    assert.equal(plain.checkpoint.drift, null);
    assert.match(
      refusal(plain.checkpoint, { detector: 'adwin' }),
      /^drift: the checkpoint holds no drift detector state/,
    );
    const watched = stopAndResume(drifting, 5);
    assert.ok(watched);
    assert.match(
      refusal(watched.checkpoint, { detector: 'ddm' }),
      /^drift: the checkpoint's drift detector state does not fit .*Ddm\.restore: name: expected a state of "ddm", got "adwin"/,
    );
    assert.match(
      refusal(watched.checkpoint, { detector: 'adwin' }),
      /Adwin\.restore: options\.clock: the state's is 8, this detector's 32/,
    );
  });
});
