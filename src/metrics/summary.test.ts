import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainingEvent } from '../core/events.js';
import { summarize } from './summary.js';
import { evaluation } from './testing/evaluation-event.js';

/**
 * A 3-experience run with R = [[0.9,0.1,0.1],[0.5,0.8,0.2],[0.3,0.4,0.7]], baseline
 * [0.12, 0.08, 0.1], experiences taking 2, 3 and 5 s over 400, 300 and 500 samples.
 */
function run(): TrainingEvent[] {
  const rows = [
    [0.9, 0.1, 0.1],
    [0.5, 0.8, 0.2],
    [0.3, 0.4, 0.7],
  ];
  const seconds = [2, 3, 5];
  const samples = [400, 300, 500];
  const events: TrainingEvent[] = [
    { type: 'run-start', strategy: 'naive', stream: { numExperiences: 3, scenario: 'class-il' } },
    evaluation(-1, [0.12, 0.08, 0.1]),
  ];
  for (let i = 0; i < 3; i++) {
    events.push({ type: 'experience-start', experience: i, classes: [2 * i, 2 * i + 1] });
    events.push({
      type: 'epoch-end',
      experience: i,
      epoch: 0,
      loss: 1,
      samples: samples[i],
      seconds: seconds[i],
    });
    events.push({ type: 'experience-end', experience: i, seconds: seconds[i], samples: samples[i] });
    events.push(
      i === 2 ? { ...evaluation(i, rows[i]), perClass: { 0: 0.25, 5: 0.75 } } : evaluation(i, rows[i]),
    );
  }
  events.push({ type: 'run-end', seconds: 12.5 });
  return events;
}

function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `expected ${expected}, got ${actual}`);
}

describe('summarize', () => {
  it('computes every headline number of a complete run', () => {
    const s = summarize(run());
    assertClose(s.acc, 1.4 / 3); // (0.3 + 0.4 + 0.7) / 3
    assertClose(s.forgetting, 0.5); // ((0.9 - 0.3) + (0.8 - 0.4)) / 2
    assertClose(s.bwt, -0.5); // ((0.3 - 0.9) + (0.4 - 0.8)) / 2
    assertClose(s.fwt, 0.06); // ((0.1 - 0.08) + (0.2 - 0.1)) / 2
    assert.deepEqual(s.matrix[2], [0.3, 0.4, 0.7]);
    assert.deepEqual(s.baseline, [0.12, 0.08, 0.1]);
    assert.equal(s.wallSeconds, 12.5);
    assert.deepEqual(s.secondsPerExperience, [2, 3, 5]);
    assert.equal(s.trainSamplesPerSecond, 120); // (400 + 300 + 500) / (2 + 3 + 5)
    assert.deepEqual(s.perClassAccuracy, { 0: 0.25, 5: 0.75 });
  });

  it('gives NaN forward transfer without a baseline evaluation', () => {
    const s = summarize(run().filter((e) => !(e.type === 'evaluation' && e.afterExperience === -1)));
    assert.ok(Number.isNaN(s.fwt));
    assert.equal(s.baseline, undefined);
    assertClose(s.bwt, -0.5);
  });

  it('refuses an unfinished run, naming what is missing', () => {
    const events = run();
    assert.throws(() => summarize(events.slice(0, -1)), /no run-end event/);
    assert.throws(
      () => summarize(events.filter((e) => !(e.type === 'experience-end' && e.experience === 1))),
      /no experience-end event for experience 1 \(T = 3\)/,
    );
    assert.throws(
      () => summarize(events.filter((e) => !(e.type === 'evaluation' && e.afterExperience === 2))),
      /no evaluation after experience 2/,
    );
    const doubled = [...events, { type: 'experience-end', experience: 0, seconds: 1, samples: 1 } as const];
    assert.throws(() => summarize(doubled), /experience 0 ended twice/);
  });
});
