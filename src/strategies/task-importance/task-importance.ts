/**
 * An online estimate of how much each old task needs protecting, from three signals measured on
 * a small held-out sample of every old task (`importanceHeldOut` rows per experience, set aside
 * before training on it and never trained on):
 *
 * - forgetting f_k: the best accuracy measured so far on task k's held-out rows minus the current
 *   one (a fraction in [0, 1]);
 * - loss l_k: the mean cross-entropy on them;
 * - conflict c_k: the cosine between the gradient of the current task's loss (the last step's
 *   mini-batch during training; the current task's own held-out rows at an experience's end) and
 *   the gradient of task k's held-out loss, over every parameter of the (single-head) model, so
 *   all of them are shared. Negative: a step on the current task raises task k's loss.
 *
 * They are measured every `importanceEvery` steps and at each experience's end, and combined into
 * one importance per old task (`combineSignals`):
 *
 *   s_k = a_f f_k + a_l (l_k / mean_j l_j - 1) - a_c c_k
 *   raw_k = K softmax(s / T)_k
 *
 * over the K old tasks: forgetting is already a fraction and the cosine is scale-free; the loss
 * is taken relative to the old tasks' mean so that its unit does not matter. The K factor makes
 * the weights sum to K, the budget of uniform weights (all 1), so a method that multiplies a
 * per-task strength by them spends the same total. Measurements are noisy (a few dozen rows,
 * one mini-batch), so the importance is an exponential moving average of the raw values,
 * w <- beta w + (1 - beta) raw, which keeps the sum at K; a task enters at 1 when its experience
 * ends.
 *
 * `taskImportance` returns the estimator's plugin, the training-set selector that sets the
 * held-out rows aside, and `weights()`, the provider EWC, LwF and importance replay read
 * (`weighting: 'uniform'` makes it return ones while the estimate is still measured and
 * reported, for a comparison at an equal budget and on the same training data).
 * `withImportance` wraps a method factory into such a strategy.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { ConfigError, DataFormatError } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { softmaxCrossEntropy } from '../../engine/losses.js';
import { selectSamples } from '../../data/dataset.js';
import { StateReader, type StateValue } from '../../core/state.js';
import type { Stream } from '../../benchmarks/stream.js';
import type { Classifier } from '../../models/classifier.js';
import { maskLogits } from '../../training/active-classes.js';
import { flatten } from '../../engine/ops/gradient-vector.js';
import type { ExperienceContext, Plugin } from '../../training/plugin.js';
import type { Strategy, TrainingSetSelector } from '../../training/strategy.js';
import { methodOptions } from '../definition.js';
import { rowsToKeep, takeRows } from '../../memory/forget.js';

/** Per past experience (in experience order), the factor a method multiplies that task's protection by. */
export type TaskWeights = () => readonly number[];

/**
 * The estimator's options, as the importance-weighted strategies declare them (a zod shape to
 * spread): the flat `importance*` fields of a config and `weighting`.
 */
export const importanceOptions = {
  weighting: z
    .enum(['importance', 'uniform'])
    .default('importance')
    .describe(
      'importance hands out the estimate; uniform hands out ones while measuring it (the same budget)',
    ),
  importanceEvery: z
    .number()
    .int()
    .positive()
    .default(50)
    .describe("measure every this many steps (and at every experience's end)"),
  importanceHeldOut: z
    .number()
    .int()
    .positive()
    .default(32)
    .describe("rows of each experience's training set held out for the measurements (at most half the set)"),
  // 0.2: a 10-point forgetting difference is a factor e^0.5.
  importanceTemperature: z
    .number()
    .positive()
    .default(0.2)
    .describe('softmax temperature T of the combined signals'),
  importanceSmoothing: z
    .number()
    .min(0)
    .lt(1)
    .default(0.5)
    .describe('beta of the moving average w <- beta w + (1 - beta) raw'),
};

const taskImportanceOptions = z.strictObject(importanceOptions);

export type TaskImportanceOptions = z.input<typeof taskImportanceOptions> & {
  /** a_f, a_l, a_c of the combination. Defaults 1, 0.5, 1. */
  signalWeights?: { forgetting?: number; loss?: number; conflict?: number };
  /** Seeds the held-out choice. Default 0. */
  seed?: number;
};

/** One old task's signals at one measurement. */
export interface TaskSignals {
  readonly accuracy: number;
  readonly forgetting: number;
  readonly loss: number;
  readonly conflict: number;
}

/** One measurement: when it was taken and every old task's signals and smoothed importance. */
export interface ImportanceMeasurement {
  readonly experience: number;
  /** Steps into the experience; -1 for the measurement at its end. */
  readonly step: number;
  readonly signals: readonly TaskSignals[];
  readonly importance: readonly number[];
}

export interface TaskImportance {
  readonly plugin: TaskImportancePlugin;
  /** Sets each experience's held-out rows aside: the strategy must train on what it returns. */
  readonly trainingSet: TrainingSetSelector;
  readonly weights: TaskWeights;
}

export interface TaskImportancePlugin extends Plugin {
  /** Every measurement so far, in order (the per-`every`-steps series). */
  readonly series: () => readonly ImportanceMeasurement[];
  /** The current smoothed importance of every past experience (sums to their number). */
  readonly importance: () => readonly number[];
}

/** raw_k = K softmax(s / T)_k with s_k = a_f f_k + a_l (l_k / mean l - 1) - a_c c_k (see above). */
export function combineSignals(
  signals: readonly Pick<TaskSignals, 'forgetting' | 'loss' | 'conflict'>[],
  weights: { forgetting: number; loss: number; conflict: number },
  temperature: number,
): number[] {
  const k = signals.length;
  if (!k) return [];
  const meanLoss = signals.reduce((sum, s) => sum + s.loss, 0) / k;
  const scores = signals.map(
    (s) =>
      weights.forgetting * s.forgetting +
      weights.loss * (meanLoss > 0 ? s.loss / meanLoss - 1 : 0) -
      weights.conflict * s.conflict,
  );
  // Shifted by the maximum so the exponentials never overflow.
  const top = Math.max(...scores);
  const exps = scores.map((s) => Math.exp((s - top) / temperature));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => (k * e) / total);
}

/** beta * previous + (1 - beta) * raw, element by element. */
export function smooth(previous: readonly number[], raw: readonly number[], beta: number): number[] {
  return raw.map((r, k) => beta * previous[k] + (1 - beta) * r);
}

/** a.b / (|a| |b|); 0 when either is the zero vector. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** Held-out rows of one experience. */
interface Rows {
  readonly x: Float32Array;
  readonly y: Int32Array;
}

/** Rows to measure on, with the output units their loss and prediction range over. */
interface Probe {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly classes: readonly number[] | undefined;
}

/** Accuracy, mean cross-entropy and flat loss gradient of `model` on `probe`, at its current weights. */
export function probeModel(
  model: Classifier,
  probe: Probe,
  sampleShape: readonly number[],
): { accuracy: number; loss: number; gradient: Float32Array } {
  return tf.tidy(() => {
    const n = probe.y.length;
    const x = tf.tensor(probe.x, [n, ...sampleShape]);
    const labels = tf.oneHot(tf.tensor1d(probe.y, 'int32'), model.numClasses);
    let predicted: Int32Array = new Int32Array(0);
    const { value, grads } = tf.variableGrads(() => {
      const logits = maskLogits(model.logits(x), probe.classes);
      predicted = tf.argMax(logits, 1).dataSync() as Int32Array;
      return softmaxCrossEntropy(labels, logits);
    }, [...model.variables]);
    const correct = predicted.reduce((c, p, r) => c + (p === probe.y[r] ? 1 : 0), 0);
    const gradient = flatten(
      model.variables.map((v) => grads[v.name]),
      model.variables,
    ).dataSync() as Float32Array;
    return { accuracy: correct / n, loss: value.dataSync()[0], gradient };
  });
}

export function taskImportance(options: TaskImportanceOptions = {}): TaskImportance {
  const {
    weighting,
    importanceEvery: every,
    importanceHeldOut: heldOut,
    importanceTemperature: temperature,
    importanceSmoothing: beta,
  } = methodOptions('task importance', taskImportanceOptions, options, ['signalWeights']);
  const seed = options.seed ?? 0;
  const signalWeights = { forgetting: 1, loss: 0.5, conflict: 1, ...options.signalWeights };

  /** Each experience's held-out rows (chosen once, when the template asks for its training set). */
  const held = new Map<number, Rows>();
  /** The experiences whose training ended: their held-out rows and best accuracy on them. */
  let tasks: { index: number; rows: Rows; best: number }[] = [];
  let importance: number[] = [];
  let series: ImportanceMeasurement[] = [];
  let steps = 0;

  const trainingSet: TrainingSetSelector = (stream: Stream, index: number) => {
    const train = stream.experiences[index].train;
    const order = createRng(seed * 7919 + index).permutation(train.y.length);
    const count = Math.min(heldOut, Math.floor(train.y.length / 2));
    const { x, y } = selectSamples(train, order.subarray(0, count));
    held.set(index, { x, y });
    return selectSamples(train, order.subarray(count));
  };

  /** The output units task `k`'s rows are judged on now: its own in task-IL, else the training ones. */
  const classesOf = (ctx: ExperienceContext, k: number) =>
    ctx.stream.scenario === 'task-il' && ctx.activeClasses
      ? ctx.stream.experiences[k].classes
      : ctx.activeClasses;

  /** Measures every old task against the current task's gradient `current` and updates the estimate. */
  const measure = (ctx: ExperienceContext, current: Float32Array, step: number) => {
    const shape = ctx.trainingSet.sampleShape;
    const signals = tasks.map((task) => {
      const probe = probeModel(ctx.model, { ...task.rows, classes: classesOf(ctx, task.index) }, shape);
      task.best = Math.max(task.best, probe.accuracy);
      return {
        accuracy: probe.accuracy,
        forgetting: task.best - probe.accuracy,
        loss: probe.loss,
        conflict: cosine(current, probe.gradient),
      };
    });
    importance = smooth(importance, combineSignals(signals, signalWeights, temperature), beta);
    series.push({ experience: ctx.experience.index, step, signals, importance: [...importance] });
  };

  const rowsOf = (index: number): Rows => {
    const rows = held.get(index);
    if (!rows) {
      throw new ConfigError(
        'trainingSet',
        'task importance needs its held-out rows: train on the strategy trainingSet selector taskImportance returns',
      );
    }
    return rows;
  };

  const plugin: TaskImportancePlugin = {
    name: 'task-importance',
    series: () => series,
    importance: () => [...importance],
    memoryBytes: () => [...held.values()].reduce((n, d) => n + d.x.byteLength + d.y.byteLength, 0),
    forgetExamples(match) {
      let removed = 0;
      for (const [index, rows] of held) {
        const size = rows.x.length / rows.y.length;
        const kept = rowsToKeep(rows.x, size, rows.y.length, match);
        if (kept.length === rows.y.length) continue;
        removed += rows.y.length - kept.length;
        const left = { x: takeRows(rows.x, size, kept), y: takeRows(rows.y, 1, kept) };
        held.set(index, left);
        // The measured tasks read the same rows: they follow.
        tasks = tasks.map((task) => (task.index === index ? { ...task, rows: left } : task));
      }
      return removed;
    },
    onExperienceStart(ctx) {
      if (ctx.model.multiHead) {
        throw new ConfigError(
          'model',
          'expected a single-head model (task importance measures old tasks without their task ids), got a multi-head one',
        );
      }
      rowsOf(ctx.experience.index);
      steps = 0;
    },
    onStepEnd(ctx) {
      steps++;
      if (!tasks.length || steps % every !== 0) return;
      const batch = { x: ctx.batch.x, y: ctx.batch.y, classes: ctx.activeClasses };
      measure(ctx, probeModel(ctx.model, batch, ctx.trainingSet.sampleShape).gradient, steps);
    },
    onExperienceEnd(ctx) {
      const rows = rowsOf(ctx.experience.index);
      const own = probeModel(ctx.model, { ...rows, classes: ctx.activeClasses }, ctx.trainingSet.sampleShape);
      if (tasks.length) measure(ctx, own.gradient, -1);
      tasks.push({ index: ctx.experience.index, rows, best: own.accuracy });
      importance.push(1);
    },
    metrics() {
      if (!tasks.length) return null;
      const last = series.at(-1);
      const values: Record<string, number> = { measurements: series.length };
      tasks.forEach((task, k) => {
        values[`importance/task${task.index}`] = importance[k];
        const s = last?.signals[k];
        if (s) {
          values[`accuracy/task${task.index}`] = s.accuracy;
          values[`forgetting/task${task.index}`] = s.forgetting;
          values[`loss/task${task.index}`] = s.loss;
          values[`conflict/task${task.index}`] = s.conflict;
        }
      });
      return values;
    },
    // Past tasks' held-out rows are saved with them: the selector refills only the experiences
    // a resumed run trains on. The current one's rows are chosen again, as they were.
    state: () => ({
      steps,
      tasks: tasks.map((task) => ({ index: task.index, best: task.best, x: task.rows.x, y: task.rows.y })),
      importance: Float64Array.from(importance),
      series: series.map((m) => ({
        experience: m.experience,
        step: m.step,
        signals: Float64Array.from(m.signals.flatMap((s) => [s.accuracy, s.forgetting, s.loss, s.conflict])),
        importance: Float64Array.from(m.importance),
      })),
    }),
    restore(value) {
      const where = 'checkpoint task-importance';
      const state = new StateReader(value, where);
      const restoredTasks = state.list('tasks').map((task, k) => {
        const r = new StateReader(task, `${where}.tasks[${k}]`);
        return {
          index: r.integer('index'),
          best: r.number('best'),
          rows: { x: r.floats('x'), y: r.ints('y') },
        };
      });
      const doubles = (v: StateValue, field: string, length: number) => {
        if (!(v instanceof Float64Array) || v.length !== length) {
          throw new DataFormatError(where, `${field}: expected ${length} float64 values`);
        }
        return Array.from(v);
      };
      const restoredImportance = doubles(state.raw('importance'), 'importance', restoredTasks.length);
      const restoredSeries = state.list('series').map((m, i) => {
        const r = new StateReader(m, `${where}.series[${i}]`);
        const field = `series[${i}]`;
        const weights = r.raw('importance');
        const count = weights instanceof Float64Array ? weights.length : 0;
        const flat = doubles(r.raw('signals'), `${field}.signals`, 4 * count);
        const signals = Array.from({ length: count }, (_, k) => {
          const [accuracy, forgetting, loss, conflict] = flat.slice(4 * k, 4 * k + 4);
          return { accuracy, forgetting, loss, conflict };
        });
        return {
          experience: r.integer('experience'),
          step: r.integer('step'),
          signals,
          importance: doubles(weights, `${field}.importance`, count),
        };
      });
      steps = state.integer('steps');
      tasks = restoredTasks;
      importance = restoredImportance;
      series = restoredSeries;
      tasks.forEach((task) => held.set(task.index, task.rows));
    },
  };
  return {
    plugin,
    trainingSet,
    weights: () => (weighting === 'uniform' ? tasks.map(() => 1) : [...importance]),
  };
}

/**
 * A method protected per task by the estimate: `method(weights)` builds it with the weight
 * provider; named `name`, or `<name>-uniform` with `weighting: 'uniform'`; the strategy runs the estimator's plugin first (so a step's measurement is in place
 * before the method reads the weights) and trains on the estimator's training sets.
 */
export function withImportance(
  name: string,
  options: TaskImportanceOptions,
  method: (weights: TaskWeights) => Strategy,
): Strategy {
  const estimator = taskImportance(options);
  const inner = method(estimator.weights);
  // The uniform variant is named apart, so both can run in one config and be told apart in results.
  return {
    name: options.weighting === 'uniform' ? `${name}-uniform` : name,
    plugins: [estimator.plugin, ...inner.plugins],
    trainingSet: estimator.trainingSet,
  };
}
