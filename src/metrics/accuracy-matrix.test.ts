import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EvaluationEvent, TrainingEvent } from '../core/events.js';
import { buildAccuracyMatrix, createAccuracyMatrixBuilder } from './accuracy-matrix.js';
import { evaluation } from './testing/evaluation-event.js';

/** An evaluation whose accuracies are out of 10 test samples per experience. */
describe('createAccuracyMatrixBuilder', () => {
  it('builds R row by row and the baseline from afterExperience = -1, ignoring other events', () => {
    const events: TrainingEvent[] = [
      { type: 'run-start', strategy: 'naive', stream: { numExperiences: 3, scenario: 'class-il' } },
      evaluation(-1, [0.1, 0.2, 0.0]),
      { type: 'experience-start', experience: 0, classes: [0, 1] },
      { type: 'epoch-end', experience: 0, epoch: 0, loss: 0.7, samples: 100, seconds: 1 },
      { type: 'experience-end', experience: 0, seconds: 1, samples: 100 },
      evaluation(0, [0.9, 0.1, 0.1], { 0: 0.8, 1: 1, 2: 0, 3: 0.2, 4: 0, 5: 0 }),
      evaluation(1, [0.5, 0.8, 0.2], { 0: 0.4, 1: 0.6, 2: 0.7, 3: 0.9, 4: 0.3, 5: 0.1 }),
      evaluation(2, [0.3, 0.4, 0.7], { 0: 0.2, 1: 0.4, 2: 0.3, 3: 0.5, 4: 0.6, 5: 0.8 }),
      { type: 'run-end', seconds: 9 },
    ];
    const result = buildAccuracyMatrix(events);
    assert.deepEqual(result.matrix, [
      [0.9, 0.1, 0.1],
      [0.5, 0.8, 0.2],
      [0.3, 0.4, 0.7],
    ]);
    assert.deepEqual(result.baseline, [0.1, 0.2, 0.0]);
    // Per-class accuracy is the last evaluation's.
    assert.deepEqual(result.perClassAccuracy, { 0: 0.2, 1: 0.4, 2: 0.3, 3: 0.5, 4: 0.6, 5: 0.8 });
  });

  it('places entries by experience index whatever their order, and lets a later evaluation replace a row', () => {
    const builder = createAccuracyMatrixBuilder();
    builder.add(evaluation(0, [0.6, 0.0]));
    builder.add({
      type: 'evaluation',
      afterExperience: 1,
      perExperience: [
        { experience: 1, accuracy: 0.75, correct: 3, total: 4 },
        { experience: 0, accuracy: 0.5, correct: 2, total: 4 },
      ],
    });
    // A second evaluation after experience 0 (e.g. periodic evaluation) replaces the first.
    builder.add(evaluation(0, [0.9, 0.1]));
    const result = builder.build();
    assert.deepEqual(result.matrix, [
      [0.9, 0.1],
      [0.5, 0.75],
    ]);
    assert.equal(result.baseline, undefined);
    assert.equal(result.perClassAccuracy, undefined);
  });

  it('T = 1 gives a 1 x 1 matrix', () => {
    assert.deepEqual(buildAccuracyMatrix([evaluation(0, [0.42])]).matrix, [[0.42]]);
  });

  it('names the missing evaluation when T is known from run-start or options', () => {
    const fromRunStart = createAccuracyMatrixBuilder();
    fromRunStart.add({
      type: 'run-start',
      strategy: 'ewc',
      stream: { numExperiences: 3, scenario: 'task-il' },
    });
    fromRunStart.add(evaluation(0, [0.9, 0.1, 0.1]));
    fromRunStart.add(evaluation(2, [0.3, 0.4, 0.7]));
    assert.throws(() => fromRunStart.build(), /no evaluation after experience 1: R needs .* T = 3/);

    const fromOptions = createAccuracyMatrixBuilder({ numExperiences: 2 });
    fromOptions.add(evaluation(0, [0.9, 0.1]));
    assert.throws(() => fromOptions.build(), /no evaluation after experience 1/);
  });

  it('refuses rows with a missing, duplicated or out-of-stream experience, and bad accuracies', () => {
    assert.throws(
      () => buildAccuracyMatrix([evaluation(0, [0.9, 0.1]), evaluation(1, [0.5])]),
      /evaluation after experience 1: no accuracy for experience 1 \(T = 2\)/,
    );
    assert.throws(
      () => buildAccuracyMatrix([evaluation(0, [0.9, 0.1]), evaluation(1, [0.5, 0.8, 0.3])]),
      /evaluation after experience 1: experience 2 is outside the stream \(T = 2\)/,
    );
    const builder = createAccuracyMatrixBuilder();
    const twice: EvaluationEvent = {
      type: 'evaluation',
      afterExperience: 0,
      perExperience: [
        { experience: 0, accuracy: 0.5, correct: 1, total: 2 },
        { experience: 0, accuracy: 1, correct: 2, total: 2 },
      ],
    };
    assert.throws(() => builder.add(twice), /evaluation after experience 0: experience 0 appears twice/);
    assert.throws(() => builder.add(evaluation(-2, [0.5])), /afterExperience must be an integer >= -1/);
    assert.throws(
      () => buildAccuracyMatrix([evaluation(0, [1.2])]),
      /R\[0\]\[0\]: expected a finite accuracy in \[0, 1\], got 1.2/,
    );
    assert.throws(
      () => buildAccuracyMatrix([evaluation(-1, [-0.5]), evaluation(0, [0.5])]),
      /baseline\[0\]: .*got -0.5/,
    );
    assert.throws(() => createAccuracyMatrixBuilder().build(), /no evaluation events/);
  });

  it('refuses an evaluation after an experience beyond T', () => {
    const builder = createAccuracyMatrixBuilder({ numExperiences: 1 });
    builder.add(evaluation(0, [0.5]));
    builder.add(evaluation(1, [0.5]));
    assert.throws(() => builder.build(), /evaluation after experience 1: the stream has T = 1/);
  });
});
