/**
 * Multi-task learning with a shared representation: a step's rows are grouped by task
 * (`LossContext.rowTaskIds`) and the loss is a weighted sum of per-task cross-entropies,
 *   L = sum_t w_t L_t (+ sum_t c_t),   L_t = mean cross-entropy of task t's rows,
 * where task t's rows go through the model's head for t (`model.logits(x_t, t)` on a multi-head
 * model: a shared trunk and a head per task) and are restricted to task t's classes in task-IL
 * (elsewhere to the step's active classes). The weights w_t (and the constant c_t of uncertainty
 * weighting) come from a task weighting (task-weighting/): equal, uncertainty (Kendall et al.
 * 2018), GradNorm (Chen et al. 2018) or DWA (Liu et al. 2019), which learns from each step's
 * per-task losses. Defined as the step's `baseLoss`, so regularisers' `lossTerms` still add up.
 *
 * Two strategies use it: `multiTask`, the offline upper bound (all tasks at once, mixed batches
 * of `jointTrain(stream)` whose rows carry their task ids), and `multiTaskReplay`
 * (multi-task-replay.ts), the continual learner (the current task plus old tasks rehearsed from a
 * reservoir buffer, rows tagged with their task ids, as one multi-task objective). Each task's weight is reported after every
 * experience as `weight/task<t>` in a `method-metrics` event.
 *
 * GradNorm needs ||grad_W L_t|| on the last shared layer W (lastSharedKernel). It is measured in
 * `onGradients`, inside the step's tidy but after the step's own gradient tape has closed (a tape
 * nested in another is fragile in tfjs), with one forward and backward pass per task of the step
 * on the weights the step's gradients were taken at.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { ConfigError, DataFormatError } from '../../core/errors.js';
import { StateReader } from '../../core/state.js';
import { jointTrain } from '../../benchmarks/stream.js';
import { softmaxCrossEntropy } from '../../engine/losses.js';
import type { Classifier } from '../../models/classifier.js';
import { maskLogits } from '../../training/active-classes.js';
import type { LossContext, Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';
import { createWeighting, weightingOptions, type TaskWeighting } from './task-weighting/index.js';

/** Offline multi-task learning's options (`multi-task` in a config): its task weighting's. */
export const multiTaskOptions = z.strictObject(weightingOptions);

export type MultiTaskOptions = StrategyOptions & z.input<typeof multiTaskOptions>;

export interface MultiTaskPlugin extends Plugin {
  readonly weighting: TaskWeighting;
}

/** The tasks of a step's rows, in first-seen order, and the rows of each. */
export function groupRows(rowTaskIds: Int32Array): { tasks: number[]; rows: number[][] } {
  const byTask = new Map<number, number[]>();
  rowTaskIds.forEach((t, r) => (byTask.get(t) ?? byTask.set(t, []).get(t))?.push(r));
  return { tasks: [...byTask.keys()], rows: [...byTask.values()] };
}

/**
 * Task `task`'s cross-entropy on its `rows` of the step. `reuse`: take the logits from the step's
 * own forward pass (a single-head model, or the head the step ran); otherwise run the task's head.
 */
function taskLoss(ctx: LossContext, task: number, rows: number[], reuse: boolean): tf.Scalar {
  const index = tf.tensor1d(rows, 'int32');
  const logits = reuse
    ? (tf.gather(ctx.unmaskedLogits, index) as tf.Tensor2D)
    : ctx.model.logits(tf.gather(ctx.x, index), task, true);
  const classes =
    ctx.stream.scenario === 'task-il'
      ? (ctx.stream.experiences.find((e) => e.taskId === task)?.classes ?? ctx.activeClasses)
      : ctx.activeClasses;
  return softmaxCrossEntropy(tf.gather(ctx.labels, index), maskLogits(logits, classes));
}

/**
 * The last layer every task goes through: a single-head model's output kernel; a multi-head
 * model's last trunk kernel, i.e. the last 2-D variable before the heads (the trailing run of
 * kernels shaped like the last one) whose output width is the heads' input width. (A model whose
 * heads are square, as wide as the trunk, cannot be told apart from its trunk this way: the run
 * then swallows the trunk's square layers too.)
 */
export function lastSharedKernel(model: Classifier): tf.Variable {
  const kernels = model.variables.filter((v) => v.rank === 2);
  const output = kernels[kernels.length - 1];
  if (!model.multiHead) return output;
  let heads = kernels.length;
  while (heads > 0 && tf.util.arraysEqual(kernels[heads - 1].shape, output.shape)) heads--;
  const trunk = kernels.slice(0, heads).filter((v) => v.shape[1] === output.shape[0]);
  if (!trunk.length) throw new ConfigError('model', 'expected a multi-head model with a shared hidden layer');
  return trunk[trunk.length - 1];
}

/** The multi-task loss as a plugin (baseLoss), with its weighting's bookkeeping. */
export function multiTaskPlugin(options: MultiTaskOptions = {}): MultiTaskPlugin {
  const weighting = createWeighting(methodOptions('multi-task', multiTaskOptions, options));
  // The step in flight: its context and measured per-task losses (observed after the step).
  let step: { ctx: LossContext; tasks: number[]; rows: number[][]; losses: number[] } | null = null;
  const observe = (gradientNorms?: number[]) => {
    if (!step) return;
    weighting.observe({
      tasks: step.tasks,
      losses: step.losses,
      ...(gradientNorms ? { gradientNorms } : {}),
    });
    step = null;
  };
  return {
    name: 'multi-task',
    weighting,
    baseLoss(ctx) {
      const { tasks, rows } = groupRows(ctx.rowTaskIds);
      // The step's forward pass already answered task t's rows with t's head when the model has a
      // single head, when t is the step's task, or when the step had no task id (the template then
      // runs every row through its own task's head).
      const reuse = (t: number) => !ctx.model.multiHead || ctx.taskId === undefined || t === ctx.taskId;
      const losses = tasks.map((t, k) => taskLoss(ctx, t, rows[k], reuse(t)));
      step = { ctx, tasks, rows, losses: Array.from(tf.stack(losses).dataSync()) };
      const weighted = losses.map((l, k) =>
        tf.add(tf.mul(l, weighting.weight(tasks[k])), weighting.offset(tasks[k])),
      );
      return tf.addN(weighted) as tf.Scalar;
    },
    ...(weighting.needsGradientNorms
      ? {
          onGradients() {
            if (!step) return;
            const { ctx, tasks, rows } = step;
            const W = lastSharedKernel(ctx.model);
            const norms = tasks.map((t, k) => {
              const { grads } = tf.variableGrads(() => taskLoss(ctx, t, rows[k], false), [W]);
              return tf.norm(grads[W.name]).dataSync()[0];
            });
            observe(norms);
          },
        }
      : {}),
    onStepEnd: () => observe(),
    onEpochEnd: () => weighting.endEpoch?.(),
    metrics() {
      const weights = weighting.weights();
      return weights.size ? Object.fromEntries([...weights].map(([t, w]) => [`weight/task${t}`, w])) : null;
    },
    // Between steps nothing is in flight (`step` is cleared once observed): the weighting is all.
    state: () => ({ weighting: weighting.name, learned: weighting.state() }),
    restore(value) {
      const where = 'checkpoint multi-task';
      const state = new StateReader(value, where);
      const name = state.string('weighting');
      if (name !== weighting.name) {
        throw new DataFormatError(
          where,
          `weighting: expected '${weighting.name}' (the options), got '${name}'`,
        );
      }
      weighting.restore(state.raw('learned'), `${where}.learned`);
    },
  };
}

/**
 * The offline multi-task upper bound: like `joint`, all train sets at once at experience 0
 * (experiences 1..T-1 train nothing, so R's rows are the one model's accuracies), but with the
 * multi-task loss over each mixed batch's tasks.
 */
export function multiTask(options: MultiTaskOptions = {}): Strategy {
  return {
    name: 'multi-task',
    plugins: [multiTaskPlugin(options), ...(options.plugins ?? [])],
    trainingSet: (stream, i) => (i === 0 ? jointTrain(stream) : null),
  };
}

export const multiTaskDefinition = defineStrategy({
  name: 'multi-task',
  family: 'multi-task',
  description:
    'offline multi-task learning, the upper bound: every task at once, a weighted sum of per-task losses (uncertainty: Kendall et al. 2018; GradNorm: Chen et al. 2018; DWA: Liu et al. 2019)',
  options: multiTaskOptions,
  taskFree: false,
  create: multiTask,
});
