import * as tf from '../engine/tf.js';
import { testTaskId, type Stream } from '../benchmarks/stream.js';
import { sampleSize } from '../data/dataset.js';
import type { EvaluationEvent, ExperienceAccuracy } from '../core/events.js';
import type { Classifier } from '../models/classifier.js';
import { maskLogits } from './active-classes.js';

export interface EvaluateOptions {
  stream: Stream;
  model: Classifier;
  /** The experience just trained on, or -1 for the untrained baseline. */
  afterExperience: number;
  /** Test samples per forward pass; bounds memory, not results. Default 1000. */
  batchSize?: number;
  /** The output units the model may predict on experience `tested`'s test set (undefined: all). */
  activeClasses?: (tested: number) => readonly number[] | undefined;
  /** What classes are ranked by instead of `model.logits` (e.g. iCaRL's nearest-mean-of-exemplars). */
  scores?: (x: tf.Tensor, taskId: number | undefined) => tf.Tensor2D;
}

/**
 * Accuracy of `model` on every experience's test set, and per class over the whole test stream.
 * The model gets a task id only where the scenario makes it visible at test time (`testTaskId`):
 * class-IL and domain-IL evaluation never sees one.
 */
export function evaluate(options: EvaluateOptions): EvaluationEvent {
  const { stream, model, afterExperience, batchSize = 1000 } = options;
  const scores = options.scores ?? ((x: tf.Tensor, taskId: number | undefined) => model.logits(x, taskId));
  const classCorrect = new Map<number, number>();
  const classTotal = new Map<number, number>();
  const perExperience: ExperienceAccuracy[] = stream.experiences.map((experience) => {
    const { test } = experience;
    const size = sampleSize(test);
    const taskId = testTaskId(stream, experience);
    const active = options.activeClasses?.(experience.index);
    // Task-aware accuracy: only meaningful where the task is hidden and one head holds every class.
    const taskAware = stream.scenario === 'class-il' && !model.multiHead ? experience.classes : null;
    let correct = 0;
    let taskAwareCorrect = 0;
    for (let start = 0; start < test.y.length; start += batchSize) {
      const end = Math.min(start + batchSize, test.y.length);
      let withinTask: Int32Array | null = null;
      const predicted = tf.tidy(() => {
        const x = tf.tensor(test.x.subarray(start * size, end * size), [end - start, ...test.sampleShape]);
        const s = scores(x, taskId);
        if (taskAware) withinTask = tf.argMax(maskLogits(s, taskAware), 1).dataSync() as Int32Array;
        return tf.argMax(maskLogits(s, active), 1).dataSync();
      });
      for (let i = start; i < end; i++) {
        const label = test.y[i];
        const hit = predicted[i - start] === label ? 1 : 0;
        if (withinTask?.[i - start] === label) taskAwareCorrect++;
        correct += hit;
        classCorrect.set(label, (classCorrect.get(label) ?? 0) + hit);
        classTotal.set(label, (classTotal.get(label) ?? 0) + 1);
      }
    }
    const total = test.y.length;
    return {
      experience: experience.index,
      accuracy: total ? correct / total : 0,
      correct,
      total,
      ...(taskAware ? { taskAwareAccuracy: total ? taskAwareCorrect / total : 0 } : {}),
    };
  });
  const perClass: Record<number, number> = {};
  for (const [label, total] of [...classTotal].sort((a, b) => a[0] - b[0])) {
    perClass[label] = (classCorrect.get(label) ?? 0) / total;
  }
  return { type: 'evaluation', afterExperience, perExperience, perClass };
}
