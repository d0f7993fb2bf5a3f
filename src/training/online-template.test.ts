/** Training on online streams: one pass, no boundaries for the strategy, evaluation per experience. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { sgd } from '../engine/optimizers/index.js';
import { gaussianClusters } from '../data/synthetic.js';
import { classSplit } from '../benchmarks/class-split.js';
import { onlineStream } from '../benchmarks/online.js';
import type { Stream } from '../benchmarks/stream.js';
import type { TrainingEvent } from '../core/events.js';
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { mlp } from '../models/mlp.js';
import { summarize } from '../metrics/summary.js';
import type { Batch, Plugin } from './plugin.js';
import { fit } from './template.js';
import type { DriftWatchOptions } from './drift-watch.js';

await initEngine();

const data = gaussianClusters({
  numClasses: 6,
  samplesPerClass: 60,
  testSamplesPerClass: 20,
  dims: 4,
  seed: 3,
});
const offline = classSplit(data, { experiences: 3, seed: 1, scenario: 'class-il' });
const stream = onlineStream(offline, { batchSize: 10, seed: 4 });
const T = offline.experiences.length;

function train(
  plugins: Plugin[],
  on: Stream = stream,
  onEvent?: (e: TrainingEvent) => void,
  drift?: DriftWatchOptions,
) {
  const model = mlp({ inputShape: [4], hiddenSizes: [32], numClasses: 6, seed: 5 });
  const events = fit({
    stream: on,
    model,
    plugins,
    optimizer: () => sgd({ learningRate: 0.1 }),
    epochs: 1,
    batchSize: 10,
    onEvent,
    ...(drift ? { drift } : {}),
  });
  model.dispose();
  return events;
}

/** Experience replay in a dozen lines: every past batch kept, ten of their samples drawn per step. */
function replay(): Plugin {
  const past: Batch[] = [];
  const rng = createRng(7);
  return {
    name: 'replay',
    taskFree: true,
    extraBatch: () => {
      if (!past.length) return null;
      const drawn = Array.from({ length: 10 }, () => past[rng.int(past.length)]);
      const picks = drawn.map((b) => rng.int(b.y.length));
      return {
        x: Float32Array.from(drawn.flatMap((b, k) => [...b.x.subarray(picks[k] * 4, picks[k] * 4 + 4)])),
        y: Int32Array.from(drawn.map((b, k) => b.y[picks[k]])),
      };
    },
    onStepEnd: (ctx) => past.push({ x: ctx.batch.x.slice(), y: ctx.batch.y.slice() }),
  };
}

describe('fit on an online stream', () => {
  it('evaluates at every nominal boundary: a full matrix, ACC and forgetting', () => {
    const events = train([]);
    const kinds = events.filter((e) => e.type !== 'progress').map((e) => e.type);
    assert.deepEqual(kinds, [
      'run-start',
      'evaluation',
      ...Array.from({ length: T }, () => [
        'experience-start',
        'epoch-end',
        'experience-end',
        'evaluation',
      ]).flat(),
      'run-end',
    ]);
    const summary = summarize(events);
    assert.equal(summary.matrix.length, T);
    assert.ok(summary.matrix.every((row) => row.length === T && row.every(Number.isFinite)));
    // Naive forgets in class-IL online too: what it learnt of experience 0 is gone at the end.
    assert.ok(summary.matrix[0][0] > 0.8, `R[0][0] = ${summary.matrix[0][0]}`);
    assert.ok(summary.forgetting > 0.5, `forgetting ${summary.forgetting}`);
    // Each sample is trained on once.
    const perExperience = events.flatMap((e) => (e.type === 'experience-end' ? [e.samples] : []));
    assert.deepEqual(
      perExperience,
      offline.experiences.map((e) => e.train.y.length),
    );
  });

  it('never announces a boundary to the plugins', () => {
    const calls: string[] = [];
    const steps: number[] = [];
    const seenActive: number[] = [];
    const probe: Plugin = {
      name: 'probe',
      taskFree: true,
      onExperienceStart: () => calls.push('experience-start'),
      onExperienceEnd: () => calls.push('experience-end'),
      onEpochStart: () => calls.push('epoch-start'),
      onEpochEnd: () => calls.push('epoch-end'),
      onStepEnd: (ctx) => {
        assert.equal(ctx.experience.index, 0);
        assert.equal(ctx.experience.taskId, 0);
        assert.deepEqual(ctx.experience.classes, []);
        assert.equal(ctx.trainingSet.y.length, 360);
        assert.deepEqual(
          [...ctx.batch.y],
          [...ctx.indices].map((k) => ctx.trainingSet.y[k]),
        );
        steps.push(ctx.step);
        seenActive.push(ctx.activeClasses?.length ?? -1);
      },
      beforeEvaluation: (ctx) => calls.push(`before-evaluation@${ctx.afterExperience}`),
    };
    train([probe], stream, (e) => e.type === 'evaluation' && calls.push(`evaluation@${e.afterExperience}`));
    assert.deepEqual(calls, [
      'evaluation@-1',
      ...Array.from({ length: T }, (_, i) => [`before-evaluation@${i}`, `evaluation@${i}`]).flat(),
    ]);
    assert.deepEqual(
      steps,
      Array.from({ length: 36 }, (_, k) => k),
    );
    // The active classes grow batch by batch, never ahead of the data: 2 classes, then 4, then 6.
    assert.ok(seenActive.every((n, k) => n >= (seenActive[k - 1] ?? 0) && n <= 2 * (Math.floor(k / 12) + 1)));
    assert.equal(seenActive.at(-1), 6);
  });

  it('refuses plugins that need boundaries, and strategies that pick data per experience', () => {
    assert.throws(
      () => train([{ name: 'ewc' }, { name: 'er', taskFree: true }, { name: 'lwf' }]),
      (e: unknown) => e instanceof ConfigError && e.field === 'strategies' && /ewc, lwf/.test(e.message),
    );
    const model = mlp({ inputShape: [4], hiddenSizes: [8], numClasses: 6, seed: 5 });
    assert.throws(
      () =>
        fit({
          stream,
          model,
          optimizer: () => sgd({ learningRate: 0.1 }),
          epochs: 1,
          batchSize: 10,
          trainingSet: (s, i) => s.experiences[i].train,
        }),
      ConfigError,
    );
    model.dispose();
  });

  it('a task-free replay plugin beats Naive by a wide margin, without leaking tensors', () => {
    const numTensors = tf.memory().numTensors;
    const naive = summarize(train([]));
    const er = summarize(train([replay()]));
    assert.equal(tf.memory().numTensors, numTensors);
    assert.ok(er.acc > naive.acc + 0.25, `replay ${er.acc} vs naive ${naive.acc}`);
    assert.ok(er.forgetting < naive.forgetting - 0.3, `replay ${er.forgetting} vs naive ${naive.forgetting}`);
  });

  it('trains through blurry boundaries, batches straddling them included', () => {
    const blurry = onlineStream(offline, { batchSize: 7, blurry: 30, seed: 4 });
    const events = train([replay()], blurry);
    const summary = summarize(events);
    assert.equal(summary.matrix.length, T);
    const samples = events.flatMap((e) => (e.type === 'experience-end' ? [e.samples] : []));
    assert.equal(samples.length, T);
    assert.ok(summary.acc > 0.6, `acc ${summary.acc}`);
  });
});

describe('drift detection on an online stream', () => {
  // 3 segments of 200 examples (2 classes each), batches of 10: the error jumps at 200 and 400,
  // where classes the model has never seen arrive.
  const long = onlineStream(
    classSplit(
      gaussianClusters({ numClasses: 6, samplesPerClass: 100, testSamplesPerClass: 20, dims: 4, seed: 3 }),
      {
        experiences: 3,
        seed: 1,
        scenario: 'class-il',
      },
    ),
    { batchSize: 10, seed: 4 },
  );
  const drifts = (events: readonly TrainingEvent[]) => events.flatMap((e) => (e.type === 'drift' ? [e] : []));

  it('reports drifts after the boundaries of the prequential error, and leaves training as it is', () => {
    const numTensors = tf.memory().numTensors;
    const plain = train([], long);
    const watched = train([], long, undefined, { detector: 'adwin' });
    assert.equal(tf.memory().numTensors, numTensors, 'the extra forward pass frees its tensors');
    // The watch only observes: the same evaluations, and the same events but its own.
    assert.deepEqual(
      watched.filter((e) => e.type === 'evaluation'),
      plain.filter((e) => e.type === 'evaluation'),
    );
    assert.deepEqual(
      watched.filter((e) => !e.type.startsWith('drift')).map((e) => e.type),
      plain.map((e) => e.type),
    );
    assert.equal(drifts(plain).length, 0);
    const watch = watched.find((e) => e.type === 'drift-watch');
    assert.deepEqual(watch, {
      type: 'drift-watch',
      detector: 'adwin',
      options: { delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 },
      boundaries: [200, 400, 600],
    });
    // Before the first experience-start.
    assert.ok(watched.indexOf(watch!) < watched.findIndex((e) => e.type === 'experience-start'));
    const found = drifts(watched);
    assert.ok(found.length > 0, 'no drift');
    for (const boundary of [200, 400]) {
      const first = found.find((e) => e.sample >= boundary);
      assert.ok(
        first && first.sample < boundary + 60,
        `boundary ${boundary}: first drift at ${first?.sample}`,
      );
    }
    assert.ok(
      found.every((e) => e.sample >= 200),
      `no drift before the first boundary: ${found.map((e) => e.sample)}`,
    );
    for (const e of found) {
      assert.equal(e.detector, 'adwin');
      assert.equal(e.step, Math.floor(e.sample / 10));
      assert.equal(e.experience, Math.floor((e.step * 10) / 200));
    }
    // Each drift is emitted within its segment, before that segment's experience-end.
    for (const e of found) {
      const at = watched.indexOf(e);
      const end = watched.findIndex((x) => x.type === 'experience-end' && x.experience === e.experience);
      const start = watched.findIndex((x) => x.type === 'experience-start' && x.experience === e.experience);
      assert.ok(start < at && at < end, `drift at ${e.sample} between its segment's start and end`);
    }
  });

  it('takes DDM and Page-Hinkley with options, and refuses what cannot watch', () => {
    const ddm = drifts(train([], long, undefined, { detector: 'ddm', options: { driftLevel: 2.5 } }));
    assert.ok(
      ddm.some((e) => e.sample >= 200 && e.detector === 'ddm'),
      `ddm: ${ddm.map((e) => e.sample)}`,
    );
    // Page-Hinkley's default threshold (50) is far above what 0/1 errors over 600 examples reach.
    const ph = (threshold: number) =>
      drifts(train([], long, undefined, { detector: 'page-hinkley', options: { threshold } }));
    assert.deepEqual(ph(50), []);
    assert.ok(ph(5).some((e) => e.sample >= 200));
    const refused = (drift: DriftWatchOptions, on: Stream = long) => {
      try {
        train([], on, undefined, drift);
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.message;
      }
      return 'accepted';
    };
    assert.equal(
      refused({ options: { delta: 2 } }),
      'drift.options.delta: expected a number in (0, 1), got 2',
    );
    assert.match(
      refused({ detector: 'ks' as never }),
      /^drift\.detector: expected one of "adwin", "page-hinkley", "ddm"/,
    );
    assert.match(
      refused({ detector: 'adwin' }, offline),
      /^drift: watches the prequential error of an online stream/,
    );
  });
});
