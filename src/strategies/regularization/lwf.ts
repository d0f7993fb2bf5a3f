/**
 * Learning without Forgetting (Li & Hoiem, 2017). At the end of each experience the model is
 * frozen; while learning later experiences, the current model is asked to keep the frozen
 * model's outputs on the new data, by the distillation loss
 * `alpha * T^2 * KL(softmax(old / T) || softmax(new / T))` (mean over the batch), as in
 * van de Ven & Tolias's code:
 * - task-IL: the mean over earlier tasks, each on that task's head and classes;
 * - class-IL: the old model's softmax over the classes seen before the current experience is
 *   the target for the new model's softmax over the active classes (new ones included, their
 *   target probability 0), so old and new classes compete as at test time;
 * - otherwise (domain-IL, ...): on all outputs.
 * Their weighting `(1/t) CE + (1 - 1/t) KD` at task t equals `CE + (t - 1) KD` up to a factor
 * that Adam ignores: `alpha: [0, 1, 2, ...]`.
 * `classReduction: 'mean'` divides the distillation by the number of classes it runs over, as
 * their code did until May 2019 (commit 26f00db, "summation over classes was omitted"): the
 * code behind the 2019 preprint's tables, whose LwF cells need it.
 *
 * A `Classifier` cannot copy itself, so the frozen model is built once by the `copyModel`
 * factory (a fresh model of the same architecture, e.g. `() => mlp(sameOptions)`) and its
 * variables are overwritten with the trained model's at every experience's end. It is
 * disposed in `dispose()`.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { ConfigError } from '../../core/errors.js';
import { copyWeights, modelWeights, type Classifier } from '../../models/classifier.js';
import { StateReader } from '../../core/state.js';
import { restoreVariables, variablesState } from '../../engine/tensor-state.js';
import { sampleSize, type Dataset } from '../../data/dataset.js';
import type { LossContext, Plugin } from '../../training/plugin.js';
import { maskLogits } from '../../training/active-classes.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions, requireCopyModel } from '../definition.js';

export const lwfOptions = z.strictObject({
  alpha: z
    .union([z.number().min(0), z.array(z.number().min(0)).min(1)])
    .default(1)
    .describe('weight of the distillation loss, or one per experience (the last repeats)'),
  temperature: z.number().positive().default(2).describe('softmax temperature T'),
  // `mean` is van de Ven & Tolias's code before May 2019.
  classReduction: z
    .enum(['sum', 'mean'])
    .default('sum')
    .describe('the KL divergence summed over the classes (Li & Hoiem) or divided by how many it runs over'),
});

export interface LwfOptions extends StrategyOptions, z.input<typeof lwfOptions> {
  /** Makes a fresh model with the trained model's architecture (its variables in the same order). */
  copyModel: () => Classifier;
  /**
   * Per-task strengths (task-importance.ts), one per past experience in order (missing: 1). In
   * task-IL the distillation is a mean over old tasks, each on its own classes: task k's term is
   * multiplied by its weight. In class-IL it is one KL divergence over the old classes: each
   * class's term is multiplied by the weight of the task it came with. Domain-IL has no per-task
   * part (one frozen model distils every output on the new data) and refuses it. Absent: all 1.
   */
  taskWeights?: () => readonly number[];
}

export interface LwfPlugin extends Plugin {
  dispose(): void;
}

/**
 * `T^2 * mean_rows KL(softmax(old / T) || softmax(new / T))`. Columns masked in `oldLogits`
 * (INACTIVE_LOGIT) have target probability 0 and add nothing.
 */
export function distillation(
  oldLogits: tf.Tensor,
  newLogits: tf.Tensor,
  t: number,
  weights?: tf.Tensor,
): tf.Scalar {
  const oldLog = tf.logSoftmax(tf.div(oldLogits, t));
  const newLog = tf.logSoftmax(tf.div(newLogits, t));
  const target = tf.exp(oldLog);
  // target * (oldLog - newLog) with 0 where the target is 0 (both logs may be ~-1e9 there).
  const unweighted = tf.where(
    tf.greater(target, 0),
    tf.mul(target, tf.sub(oldLog, newLog)),
    tf.zerosLike(target),
  );
  // Per-term weights (broadcast: one per class, or one per task group as [tasks, 1]).
  const terms = weights ? tf.mul(unweighted, weights) : unweighted;
  // Softmax over the last axis; the mean runs over every other one (rows, and tasks when grouped).
  return tf.mul(tf.mean(tf.sum(terms, -1)), t * t) as tf.Scalar;
}

/**
 * Task-IL on a single-head model whose old tasks have k classes each: the mean over tasks of
 * their distillations as one computation on [batch, tasks, k] (a handful of kernels however
 * many tasks came before, instead of a dozen per task).
 */
export function groupedDistillation(
  oldLogits: tf.Tensor2D,
  newLogits: tf.Tensor2D,
  tasks: readonly { classes: readonly number[] }[],
  t: number,
  taskWeights?: readonly number[],
): tf.Scalar {
  const k = tasks[0].classes.length;
  const columns = tf.tensor1d(
    tasks.flatMap((task) => [...task.classes]),
    'int32',
  );
  const grouped = (logits: tf.Tensor2D) => tf.reshape(tf.gather(logits, columns, 1), [-1, tasks.length, k]);
  const weights = taskWeights && tf.tensor2d([...taskWeights], [tasks.length, 1]);
  return distillation(grouped(oldLogits), grouped(newLogits), t, weights);
}

export function lwfPlugin(options: LwfOptions): LwfPlugin {
  const {
    alpha,
    temperature: t,
    classReduction: reduction,
  } = methodOptions('lwf', lwfOptions, options, ['taskWeights']);
  const copyModel = requireCopyModel('lwf', options);
  const alphas = typeof alpha === 'number' ? [alpha] : alpha;
  /** The distillation of `classes` classes, reduced over them as configured. */
  const reduce = (kd: tf.Scalar, classes: number): tf.Scalar =>
    reduction === 'mean' ? (tf.div(kd, classes) as tf.Scalar) : kd;
  let frozen: Classifier | null = null;
  // The frozen single-head model's logits on every sample of the current training set, computed
  // once per experience: a step then looks its batch up instead of running the frozen model
  // (training makes many passes over the same samples; 2000 iterations of Split-MNIST are ~21).
  let cached: Float32Array | null = null;
  /** The experiences trained on so far: their task ids and classes. */
  const seen: { taskId: number; classes: readonly number[] }[] = [];

  const weightOf = (k: number) => options.taskWeights?.()[k] ?? 1;
  /** Each output unit's weight: that of the old task it came with, 1 for the others. */
  const columnWeights = (numClasses: number) => {
    const w = new Float32Array(numClasses).fill(1);
    seen.forEach((task, k) => task.classes.forEach((c) => (w[c] = weightOf(k))));
    return tf.tensor1d(w);
  };
  const term = (ctx: LossContext, f: Classifier): tf.Scalar[] => {
    const weighted = options.taskWeights !== undefined;
    const columns = (logits: tf.Tensor2D, classes: readonly number[]) =>
      tf.gather(logits, tf.tensor1d([...classes], 'int32'), 1) as tf.Tensor2D;
    if (ctx.stream.scenario === 'task-il') {
      // A single-head model answers every task from one forward pass (its task's units).
      const shared = ctx.model.multiHead ? null : { old: oldLogits(ctx, f), now: ctx.unmaskedLogits };
      if (shared && seen.every((task) => task.classes.length === seen[0].classes.length)) {
        const w = weighted ? seen.map((_, k) => weightOf(k)) : undefined;
        return [reduce(groupedDistillation(shared.old, shared.now, seen, t, w), seen[0].classes.length)];
      }
      const perTask = seen.map(
        ({ taskId, classes }, k) =>
          tf.mul(
            reduce(
              distillation(
                columns(shared?.old ?? f.logits(ctx.x, taskId), classes),
                columns(shared?.now ?? ctx.model.logits(ctx.x, taskId, true), classes),
                t,
              ),
              classes.length,
            ),
            weightOf(k),
          ) as tf.Scalar,
      );
      return [tf.div(tf.addN(perTask), perTask.length) as tf.Scalar];
    }
    const old = oldLogits(ctx, f);
    if (ctx.stream.scenario === 'class-il') {
      const oldClasses = [...new Set(seen.flatMap((s) => s.classes))];
      const active = ctx.activeClasses?.length ?? ctx.model.numClasses;
      const w = weighted ? columnWeights(ctx.model.numClasses) : undefined;
      return [reduce(distillation(maskLogits(old, oldClasses), ctx.logits, t, w), active)];
    }
    return [reduce(distillation(old, ctx.logits, t), ctx.model.numClasses)];
  };

  /** The frozen model's logits on the step's samples: looked up when cached (no replayed extras). */
  const oldLogits = (ctx: LossContext, f: Classifier): tf.Tensor2D => {
    const rows = ctx.indices.length;
    const classes = ctx.model.numClasses;
    // The table covers the training set the experience started with; a Learner's steps train on
    // sets not known at the start (its table is empty), and replayed extras are not in it.
    const covered = cached && cached.length === ctx.trainingSet.y.length * classes;
    if (!covered || ctx.x.shape[0] !== rows) return f.logits(ctx.x, ctx.taskId);
    const values = new Float32Array(rows * classes);
    ctx.indices.forEach((j, r) => values.set(cached!.subarray(j * classes, (j + 1) * classes), r * classes));
    return tf.tensor2d(values, [rows, classes]);
  };

  return {
    name: 'lwf',
    onExperienceStart(ctx) {
      if (options.taskWeights && ctx.stream.scenario !== 'task-il' && ctx.stream.scenario !== 'class-il') {
        throw new ConfigError(
          'taskWeights',
          `expected a task-IL or class-IL stream (in ${ctx.stream.scenario} LwF has no per-task part to weight)`,
        );
      }
      cached = frozen && !frozen.multiHead ? logitsOf(frozen, ctx.trainingSet) : null;
    },
    // The frozen model grows too (its new outputs are masked out of the distillation's targets).
    onModelGrown(growth) {
      if (frozen) frozen = growth.growCopy(frozen);
      cached = null;
    },
    lossTerms(ctx) {
      if (!frozen) return [];
      const alpha = alphas[Math.min(ctx.experience.index, alphas.length - 1)];
      return [tf.mul(tf.addN(term(ctx, frozen)), alpha) as tf.Scalar];
    },
    onExperienceEnd(ctx) {
      frozen ??= copyModel();
      copyWeights(ctx.model, frozen);
      cached = null;
      seen.push({ taskId: ctx.experience.taskId, classes: ctx.experience.classes });
    },
    // The lookup table is saved too: a run resumed inside an experience does not start it again,
    // and the frozen model's logits on a step's batch could differ from the table's in the last bits.
    state: () => ({
      frozen: frozen ? variablesState(modelWeights(frozen)) : null,
      cached,
      seen: seen.map((task) => ({ taskId: task.taskId, classes: Int32Array.from(task.classes) })),
    }),
    restore(value) {
      const where = 'checkpoint lwf';
      const state = new StateReader(value, where);
      const tasks = state.list('seen').map((task, k) => {
        const r = new StateReader(task, `${where}.seen[${k}]`);
        return { taskId: r.integer('taskId'), classes: Array.from(r.ints('classes')) };
      });
      const table = state.has('cached') ? state.floats('cached') : null;
      if (state.has('frozen')) {
        frozen ??= copyModel();
        restoreVariables(modelWeights(frozen), state.raw('frozen'), `${where}.frozen`);
      } else {
        frozen?.dispose();
        frozen = null;
      }
      cached = table;
      seen.splice(0, seen.length, ...tasks);
    },
    dispose() {
      frozen?.dispose();
      frozen = null;
      cached = null;
    },
  };
}

/** `model`'s logits on every sample of `data`, row-major [samples, classes], 1000 samples per pass. */
function logitsOf(model: Classifier, data: Dataset): Float32Array {
  const size = sampleSize(data);
  const out = new Float32Array(data.y.length * model.numClasses);
  for (let start = 0; start < data.y.length; start += 1000) {
    const end = Math.min(start + 1000, data.y.length);
    const logits = tf.tidy(() =>
      model
        .logits(tf.tensor(data.x.subarray(start * size, end * size), [end - start, ...data.sampleShape]))
        .dataSync(),
    );
    out.set(logits, start * model.numClasses);
  }
  return out;
}

/** LwF as a strategy: `fit({ ...lwf({ copyModel: () => mlp(opts) }), stream, model: mlp(opts), ... })`. */
export function lwf(options: LwfOptions): Strategy {
  return { name: 'lwf', plugins: [lwfPlugin(options), ...(options.plugins ?? [])] };
}

export const lwfDefinition = defineStrategy({
  name: 'lwf',
  family: 'regularization',
  description:
    "Learning without Forgetting (Li & Hoiem 2017): distil a frozen copy's outputs on the new data",
  options: lwfOptions,
  taskFree: false,
  create: (options) => lwf({ ...options, copyModel: requireCopyModel('lwf', options) }),
});
