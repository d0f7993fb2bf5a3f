import type { TrainingEvent } from '../../core/events.js';
import { evaluation } from '../../metrics/testing/evaluation-event.js';

/** `R` of `runEvents`: rows = after experience i, columns = experience j. */
export const MATRIX = [
  [0.9, 0.1, 0.1],
  [0.5, 0.8, 0.2],
  [0.3, 0.4, 0.7],
];
export const BASELINE = [0.1, 0.2, 0.0];

/**
 * A complete hand-made run: 3 experiences of 2 epochs, a baseline evaluation and one evaluation
 * after each experience. ACC 46.7%, forgetting 50.0%, BWT -50.0%, FWT 5.0%, wall 9 s.
 */
export function runEvents(): TrainingEvent[] {
  const events: TrainingEvent[] = [
    { type: 'run-start', strategy: 'naive', stream: { numExperiences: 3, scenario: 'class-il' } },
    evaluation(-1, BASELINE),
  ];
  for (let e = 0; e < 3; e++) {
    events.push({ type: 'experience-start', experience: e, classes: [2 * e, 2 * e + 1] });
    for (let epoch = 0; epoch < 2; epoch++) {
      events.push({
        type: 'epoch-end',
        experience: e,
        epoch,
        loss: 0.5 - 0.1 * epoch,
        samples: 100,
        seconds: 0.5,
      });
    }
    events.push({ type: 'experience-end', experience: e, seconds: 1, samples: 200 });
    events.push(evaluation(e, MATRIX[e]));
  }
  events.push({ type: 'run-end', seconds: 9 });
  return events;
}

/**
 * `runEvents` as an online run with drift detection would emit them: the stream's 600 examples end
 * their experiences at 200, 400 and 600; ADWIN reports drifts at examples 57 (a false alarm before
 * the first boundary), 223 (delay 24), 251 (a second one in that segment: a false alarm) and 415
 * (delay 16), each inside the experience its batch counts in.
 */
export function onlineRunEvents(): TrainingEvent[] {
  const drifts = new Map([
    [0, [57]],
    [1, [223, 251]],
    [2, [415]],
  ]);
  return runEvents().flatMap((event): TrainingEvent[] => {
    if (event.type === 'evaluation' && event.afterExperience === -1) {
      const watch: TrainingEvent = {
        type: 'drift-watch',
        detector: 'adwin',
        options: { delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 },
        boundaries: [200, 400, 600],
      };
      return [event, watch];
    }
    if (event.type === 'epoch-end' && event.epoch === 0) {
      const at = drifts.get(event.experience) ?? [];
      return [
        event,
        ...at.map((sample): TrainingEvent => ({
          type: 'drift',
          experience: event.experience,
          step: Math.floor(sample / 10),
          sample,
          detector: 'adwin',
        })),
      ];
    }
    return [event];
  });
}
