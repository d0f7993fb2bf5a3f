import type { EvaluationEvent } from '../../core/events.js';

/** Test helper: an evaluation event with the given accuracies, each over 10 test samples. */
export function evaluation(
  afterExperience: number,
  accuracies: readonly number[],
  perClass?: Record<number, number>,
): EvaluationEvent {
  return {
    type: 'evaluation',
    afterExperience,
    perExperience: accuracies.map((accuracy, experience) => ({
      experience,
      accuracy,
      correct: Math.round(accuracy * 10),
      total: 10,
    })),
    ...(perClass ? { perClass } : {}),
  };
}
