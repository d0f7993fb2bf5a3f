/**
 * Which output units a single-head model may use, per scenario, as in van de Ven & Tolias
 * (2019, "Three scenarios for continual learning"; their code's `active_classes`):
 * - class-IL: the classes seen so far. The softmax, the loss and the prediction range over them,
 *   so training never pushes down the logits of classes that have not arrived yet and nothing
 *   assumes how many classes the future holds;
 * - task-IL: the classes of the task at hand (its id is known in training and at test), so each
 *   task's output units act as that task's head;
 * - domain-IL (and anything else): every unit.
 * `undefined` stands for every unit.
 */
import * as tf from '../engine/tf.js';
import type { Stream } from '../benchmarks/stream.js';
import type { Dataset } from '../data/dataset.js';

/**
 * `seen` restricts the outputs as above; `all` never does; `evaluation` trains every unit but
 * restricts predictions as `seen` does (Mammoth's protocol: cross-entropy over all outputs,
 * class-IL predictions among the classes seen so far, task-IL among the task's).
 */
export type ActiveOutputs = 'seen' | 'all' | 'evaluation';

/** Tracks the classes trained on during a run and answers which outputs are active when. */
export class ActiveClasses {
  private readonly seen = new Set<number>();

  constructor(
    private readonly stream: Stream,
    private readonly mode: ActiveOutputs,
  ) {}

  /**
   * Training on experience `index` with `data` begins: the active classes for its steps. The
   * labels in `data` count as seen (a strategy may train on more than the experience's own
   * classes, e.g. Joint or Cumulative).
   */
  startTraining(index: number, data: Dataset): readonly number[] | undefined {
    if (this.mode === 'all') return undefined;
    const labels = new Set<number>(data.y);
    labels.forEach((c) => this.seen.add(c));
    if (this.mode === 'evaluation') return undefined;
    if (this.stream.scenario === 'class-il') return sorted(this.seen);
    if (this.stream.scenario === 'task-il') {
      return sorted(new Set([...this.stream.experiences[index].classes, ...labels]));
    }
    return undefined;
  }

  /**
   * An online run delivered a batch with these labels: they count as seen from this step on
   * (class-IL's active classes grow batch by batch, with no boundary to grow them at).
   * Returns the active classes for the step.
   */
  observe(labels: ArrayLike<number>): readonly number[] | undefined {
    for (let k = 0; k < labels.length; k++) this.seen.add(labels[k]);
    return this.current();
  }

  /** The labels seen so far, sorted (what a checkpoint saves). */
  seenClasses(): number[] {
    return sorted(this.seen);
  }

  /** Replaces the labels seen so far (resuming from a checkpoint). */
  restoreSeen(classes: readonly number[]): void {
    this.seen.clear();
    classes.forEach((c) => this.seen.add(c));
  }

  /** The active classes for training now (the classes seen so far in class-IL); undefined: all. */
  current(): readonly number[] | undefined {
    if (this.mode !== 'seen' || this.stream.scenario !== 'class-il' || !this.seen.size) return undefined;
    return sorted(this.seen);
  }

  /** The active classes when testing on experience `tested` now. */
  forTest(tested: number): readonly number[] | undefined {
    if (this.mode === 'all') return undefined;
    if (this.stream.scenario === 'task-il') return this.stream.experiences[tested].classes;
    if (this.stream.scenario === 'class-il' && this.seen.size) return sorted(this.seen);
    return undefined;
  }
}

const sorted = (classes: Set<number>) => [...classes].sort((a, b) => a - b);

/** Logit given to inactive units: far below any real logit, yet finite (no inf - inf = NaN). */
export const INACTIVE_LOGIT = -1e9;

/** `logits` with each row's inactive units pushed to INACTIVE_LOGIT (`rows[r]` undefined: all active). */
export function maskRows(logits: tf.Tensor2D, rows: readonly (readonly number[] | undefined)[]): tf.Tensor2D {
  const numClasses = logits.shape[1];
  const offsets = new Float32Array(rows.length * numClasses);
  rows.forEach((active, r) => {
    if (!active) return;
    offsets.fill(INACTIVE_LOGIT, r * numClasses, (r + 1) * numClasses);
    for (const c of active) offsets[r * numClasses + c] = 0;
  });
  return tf.add(logits, tf.tensor2d(offsets, [rows.length, numClasses]));
}

/**
 * `logits` with the inactive units pushed to INACTIVE_LOGIT: their softmax probability is 0,
 * so they get no gradient and never win an argmax. `active` undefined: `logits` unchanged.
 */
export function maskLogits(logits: tf.Tensor2D, active: readonly number[] | undefined): tf.Tensor2D {
  if (!active) return logits;
  const numClasses = logits.shape[1];
  const offsets = new Float32Array(numClasses).fill(INACTIVE_LOGIT);
  for (const c of active) offsets[c] = 0;
  return tf.add(logits, tf.tensor2d(offsets, [1, numClasses]));
}
