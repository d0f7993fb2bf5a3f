/**
 * One training step: the plugins' extra rows joined to the batch, one forward pass, the base loss
 * plus every plugin's terms, the gradient hooks, the optimizer's update, then `onStepEnd`. The
 * offline epochs (epoch.ts) and the online path (online-template.ts) both train with it: there is
 * one step implementation in unforget.
 */
import * as tf from '../engine/tf.js';
import { sampleSize, type Dataset } from '../data/dataset.js';
import type { Classifier } from '../models/classifier.js';
import { logitsByTask } from '../models/logits-by-task.js';
import { softmaxCrossEntropy } from '../engine/losses.js';
import type { Batch, Plugin, StepContext } from './plugin.js';
import { maskLogits, maskRows } from './active-classes.js';

/** What one step did: the samples it trained on (replayed ones included) and its loss (NaN when only observed). */
export interface StepResult {
  readonly samples: number;
  readonly loss: number;
}

/** Runs one step on `ctx.batch`: the body shared by offline epochs and online runs. */
export type Stepper = (ctx: StepContext, optimizer: tf.Optimizer, taskId: number | undefined) => StepResult;

/**
 * The step of a run: the plugins' extra samples joined to the batch, one forward pass, the base
 * loss plus every plugin's terms, the gradient hooks, the optimizer update, then `onStepEnd`.
 * With `observeOnly` the batch is only shown to `onStepEnd` (loss NaN).
 */
export function stepper(model: Classifier, plugins: readonly Plugin[], observeOnly: boolean): Stepper {
  const variables = [...model.variables];
  const hasGradientHooks = plugins.some((p) => p.onGradients || p.transformGradients);
  const lossPlugin = plugins.find((p) => p.baseLoss);
  return (stepCtx, optimizer, taskId) => {
    const { batch } = stepCtx;
    if (observeOnly) {
      plugins.forEach((p) => p.onStepEnd?.({ ...stepCtx, loss: NaN }));
      return { samples: batch.y.length, loss: NaN };
    }
    const extras = plugins.flatMap((p) => p.extraBatch?.(stepCtx) ?? []);
    const full = extras.length ? concatBatches([batch, ...extras]) : batch;
    const n = full.y.length;
    const rowsOf = replayedTaskClasses(stepCtx, batch, extras);
    const rowTaskIds = taskIdsOfRows(stepCtx.experience.taskId, [batch, ...extras]);
    const loss = tf.tidy(() => {
      const rows = stepCtx.augment ? stepCtx.augment(full.x, n) : full.x;
      const x = tf.tensor(rows, [n, ...stepCtx.trainingSet.sampleShape]);
      const labels = tf.oneHot(tf.tensor1d(full.y, 'int32'), model.numClasses) as tf.Tensor2D;
      const { value, grads } = tf.variableGrads(() => {
        // A multi-head model given no step task id (a training set that mixes tasks): each row
        // through its own task's head.
        const unmaskedLogits =
          model.multiHead && taskId === undefined
            ? logitsByTask(model, x, rowTaskIds, true)
            : model.logits(x, taskId, true);
        const logits = rowsOf
          ? maskRows(unmaskedLogits, rowsOf)
          : maskLogits(unmaskedLogits, stepCtx.activeClasses);
        const lossCtx = { ...stepCtx, x, labels, logits, unmaskedLogits, taskId, rowTaskIds };
        const terms = plugins.flatMap((p) => p.lossTerms?.(lossCtx) ?? []);
        const base = lossPlugin?.baseLoss?.(lossCtx) ?? softmaxCrossEntropy(labels, logits);
        return terms.reduce<tf.Scalar>((sum, term) => tf.add(sum, term), base);
      }, variables);
      if (hasGradientHooks) {
        let ordered: readonly (tf.Tensor | undefined)[] = variables.map((v) => grads[v.name]);
        for (const p of plugins) {
          if (p.transformGradients) ordered = p.transformGradients({ ...stepCtx, grads: ordered }) ?? ordered;
        }
        plugins.forEach((p) => p.onGradients?.({ ...stepCtx, grads: ordered }));
        variables.forEach((v, k) => {
          const g = ordered[k];
          if (g) grads[v.name] = g;
        });
      }
      optimizer.applyGradients(grads);
      return value.dataSync()[0];
    });
    plugins.forEach((p) => p.onStepEnd?.({ ...stepCtx, loss }));
    return { samples: n, loss };
  };
}

/**
 * Task-IL with restricted outputs and extra rows tagged with task ids: the active classes of each
 * row of the joined batch (the batch's rows: the current task's; a tagged row: its own task's).
 * `null` where one mask serves every row.
 */
function replayedTaskClasses(
  ctx: StepContext,
  batch: Batch,
  extras: readonly Batch[],
): (readonly number[] | undefined)[] | null {
  if (ctx.stream.scenario !== 'task-il' || !ctx.activeClasses || !extras.some((b) => b.taskIds)) return null;
  const classesOf = new Map(ctx.stream.experiences.map((e) => [e.taskId, e.classes]));
  const rows: (readonly number[] | undefined)[] = Array.from(batch.y, () => ctx.activeClasses);
  for (const extra of extras) {
    extra.y.forEach((_, r) => rows.push(extra.taskIds ? classesOf.get(extra.taskIds[r]) : ctx.activeClasses));
  }
  return rows;
}

/** The task id of every row of the joined batches: its own where tagged, else the experience's. */
function taskIdsOfRows(experienceTaskId: number, batches: readonly Batch[]): Int32Array {
  const ids = new Int32Array(batches.reduce((n, b) => n + b.y.length, 0));
  let at = 0;
  for (const b of batches) {
    if (b.taskIds) ids.set(b.taskIds, at);
    else ids.fill(experienceTaskId, at, at + b.y.length);
    at += b.y.length;
  }
  return ids;
}

export function gather(data: Dataset, indices: Int32Array): Batch {
  const size = sampleSize(data);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  indices.forEach((j, k) => {
    x.set(data.x.subarray(j * size, (j + 1) * size), k * size);
    y[k] = data.y[j];
  });
  const ids = data.taskIds;
  return ids ? { x, y, taskIds: Int32Array.from(indices, (j) => ids[j]) } : { x, y };
}

function concatBatches(batches: readonly Batch[]): Batch {
  const x = new Float32Array(batches.reduce((n, b) => n + b.x.length, 0));
  const y = new Int32Array(batches.reduce((n, b) => n + b.y.length, 0));
  let xAt = 0;
  let yAt = 0;
  for (const b of batches) {
    x.set(b.x, xAt);
    y.set(b.y, yAt);
    xAt += b.x.length;
    yAt += b.y.length;
  }
  return { x, y };
}
