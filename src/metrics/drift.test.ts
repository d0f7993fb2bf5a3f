import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainingEvent } from '../core/events.js';
import { driftSummary } from './drift.js';

const drift = (sample: number, experience: number): TrainingEvent => ({
  type: 'drift',
  experience,
  step: Math.floor(sample / 10),
  sample,
  detector: 'adwin',
});

describe('driftSummary', () => {
  it('places each drift against the boundaries: delays, false alarms, missed boundaries', () => {
    const events: TrainingEvent[] = [
      { type: 'run-start', strategy: 'naive', stream: { numExperiences: 4, scenario: 'class-il' } },
      { type: 'drift-watch', detector: 'adwin', options: { delta: 0.002 }, boundaries: [100, 200, 300, 400] },
      drift(57, 0), // before the first boundary: a false alarm
      drift(131, 1), // detects 100 after 32 of its examples
      drift(163, 1), // a second one in the segment: a false alarm
      drift(200, 2), // detects 200 at its first example
      // 300 is missed
    ];
    const summary = driftSummary(events);
    assert.ok(summary);
    assert.equal(summary.detector, 'adwin');
    assert.equal(summary.streamLength, 400);
    assert.deepEqual(summary.boundaries, [
      { sample: 100, delay: 32 },
      { sample: 200, delay: 1 },
      { sample: 300, delay: null },
    ]);
    assert.deepEqual(
      summary.detections.map((d) => [d.sample, d.boundary, d.delay, d.kind]),
      [
        [57, null, null, 'false alarm'],
        [131, 100, 32, 'detection'],
        [163, 100, 64, 'false alarm'],
        [200, 200, 1, 'detection'],
      ],
    );
    assert.equal(summary.detected, 2);
    assert.equal(summary.meanDelay, 16.5);
    assert.equal(summary.falseAlarms, 2);
  });

  it('is null for a run that watched no drift, and has no delay when nothing was detected', () => {
    assert.equal(driftSummary([{ type: 'run-end', seconds: 1 }]), null);
    const quiet = driftSummary([
      { type: 'drift-watch', detector: 'ddm', options: {}, boundaries: [50, 100] },
    ]);
    assert.ok(quiet);
    assert.deepEqual(
      [quiet.detected, quiet.falseAlarms, quiet.boundaries],
      [0, 0, [{ sample: 50, delay: null }]],
    );
    assert.ok(Number.isNaN(quiet.meanDelay));
  });
});
