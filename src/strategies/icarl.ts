/**
 * iCaRL (Rebuffi et al., 2017), for class-incremental learning:
 * 1. exemplars: after each experience, m = floor(budget / classes seen) samples per class; old
 *    classes keep their first m, each new class gets m chosen by herding on L2-normalised
 *    features (herding.ts) or at random;
 * 2. training: on the experience's data plus every exemplar (`trainingSet`), with a sigmoid
 *    binary cross-entropy per output (`baseLoss`) whose targets are the labels for the classes
 *    new in this experience and, for the old classes, the sigmoid outputs of the model as it was
 *    at the end of the previous experience (a frozen copy made with `copyModel`, as in lwf.ts);
 * 3. evaluation: nearest mean of exemplars in normalised feature space (`evaluationScores`).
 *
 * Defaults follow van de Ven & Tolias's `--icarl` (the run behind their Split-MNIST number);
 * where Mammoth's models/icarl.py differs, an option picks its variant:
 * - `temperature`: their targets are sigmoid(old logits / T) with their `--temp` 2; Mammoth: 1;
 * - `classReduction`: they sum the BCE over the active outputs and average over the batch;
 *   Mammoth averages over outputs too (and trains every output: `activeOutputs: 'all'`);
 * - `flipMeans`: Mammoth's class means average the exemplars' and their mirror images' features.
 * Not options: Mammoth's herding aims at the raw mean of normalised features where van de Ven &
 * Tolias renormalise it (we renormalise), and Mammoth's 1e-5 weight penalty (an optimizer setting).
 */
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { concatDatasets } from '../benchmarks/stream.js';
import { sampleSize, selectSamples } from '../data/dataset.js';
import type { Classifier } from '../models/classifier.js';
import { ExemplarSet } from '../memory/exemplar-set.js';
import { herding, meanRow, normalizeRows } from '../memory/herding.js';
import { INACTIVE_LOGIT } from './active-classes.js';
import type { LossContext, Plugin } from './plugin.js';
import type { Strategy, StrategyOptions } from './strategy.js';

export interface IcarlOptions extends StrategyOptions {
  /** Exemplars kept over all classes (required), e.g. 2000. */
  budget: number;
  /** Makes a fresh model with the trained model's architecture (the frozen copy). */
  copyModel: () => Classifier;
  /** Select exemplars by herding; false: at random. Default true. */
  herding?: boolean;
  /** Classify by nearest mean of exemplars; false: by the logits. Default true. */
  nme?: boolean;
  /** Temperature of the old model's sigmoid targets. Default 2 (van de Ven & Tolias); Mammoth: 1. */
  temperature?: number;
  /** BCE over outputs: `sum` (van de Ven & Tolias, default) or `mean` (Mammoth). */
  classReduction?: 'sum' | 'mean';
  /** Also average the features of horizontally flipped exemplars into class means (Mammoth). Default false. */
  flipMeans?: boolean;
  /** Seeds random exemplar selection (`herding: false`). Default 0. */
  seed?: number;
}

export interface IcarlPlugin extends Plugin {
  /** The exemplar memory (null before the first experience ends). */
  readonly exemplars: ExemplarSet | null;
  dispose(): void;
}

export function icarlPlugin(options: IcarlOptions): IcarlPlugin {
  const { budget, temperature: t = 2, classReduction = 'sum', flipMeans = false } = options;
  if (!Number.isInteger(budget) || budget < 1) {
    throw new ConfigError('budget', `expected a positive integer, got ${budget}`);
  }
  if (!(t > 0)) throw new ConfigError('temperature', `expected a positive number, got ${t}`);
  if (classReduction !== 'sum' && classReduction !== 'mean') {
    throw new ConfigError('classReduction', `expected "sum" or "mean", got "${String(classReduction)}"`);
  }
  const rng = createRng(options.seed ?? 0);
  let memory: ExemplarSet | null = null;
  let frozen: Classifier | null = null;
  // The frozen model's logits on every sample of the training set, computed once per experience.
  let cached: Float32Array | null = null;
  let oldClasses: number[] = [];
  // Class means [numClasses, dim] in normalised feature space, and which classes have one.
  let means: { values: Float32Array; dim: number; has: boolean[] } | null = null;

  const oldLogits = (ctx: LossContext, f: Classifier): tf.Tensor2D => {
    const rows = ctx.indices.length;
    const classes = ctx.model.numClasses;
    // Another plugin's extra samples change the batch: run the frozen model on it instead.
    if (!cached || ctx.x.shape[0] !== rows) return f.logits(ctx.x);
    const values = new Float32Array(rows * classes);
    ctx.indices.forEach((j, r) => values.set(cached!.subarray(j * classes, (j + 1) * classes), r * classes));
    return tf.tensor2d(values, [rows, classes]);
  };

  /** Mean of the normalised features of `x` (and of its mirror image), renormalised. */
  const classMean = (model: Classifier, x: Float32Array, shape: readonly number[]) => {
    const plain = rowsOf(x, shape, (b) => features(model, b));
    let mean = meanRow(normalizeRows(plain.values, plain.dim), plain.dim);
    if (flipMeans) {
      if (shape.length < 2) {
        throw new ConfigError(
          'flipMeans',
          `expected image samples [height, width, ...], got [${shape.join(', ')}]`,
        );
      }
      const flipped = rowsOf(x, shape, (b) => features(model, tf.reverse(b, 2)));
      const other = meanRow(normalizeRows(flipped.values, flipped.dim), flipped.dim);
      mean = mean.map((v, d) => (v + other[d]) / 2);
    }
    return { mean: normalizeRows(mean, plain.dim), dim: plain.dim };
  };

  return {
    name: 'icarl',
    get exemplars() {
      return memory;
    },
    onExperienceStart(ctx) {
      if (!ctx.model.features) throw new ConfigError('model', 'iCaRL needs a model with features(x)');
      oldClasses = memory?.classes() ?? [];
      cached = frozen
        ? rowsOf(ctx.trainingSet.x, ctx.trainingSet.sampleShape, (b) => frozen!.logits(b)).values
        : null;
    },
    baseLoss(ctx) {
      const numClasses = ctx.model.numClasses;
      const z = ctx.unmaskedLogits;
      let targets: tf.Tensor = ctx.labels;
      if (frozen && oldClasses.length) {
        const old = new Float32Array(numClasses);
        oldClasses.forEach((c) => (old[c] = 1));
        const isOld = tf.tensor2d(old, [1, numClasses]);
        const soft = tf.sigmoid(tf.div(oldLogits(ctx, frozen), t));
        targets = tf.add(tf.mul(soft, isOld), tf.mul(ctx.labels, tf.sub(1, isOld)));
      }
      // log(1 + e^z) - t z, in the form that never overflows.
      const bce = tf.sub(tf.add(tf.relu(z), tf.log1p(tf.exp(tf.neg(tf.abs(z))))), tf.mul(z, targets));
      const active = ctx.activeClasses ?? [...Array(numClasses).keys()];
      const mask = new Float32Array(numClasses);
      active.forEach((c) => (mask[c] = 1));
      const perSample = tf.sum(tf.mul(bce, tf.tensor2d(mask, [1, numClasses])), 1);
      const scale = classReduction === 'mean' ? 1 / active.length : 1;
      return tf.mul(tf.mean(perSample), scale) as tf.Scalar;
    },
    onExperienceEnd({ model, stream, experience }) {
      const train = experience.train;
      memory ??= new ExemplarSet(train.sampleShape, train.numClasses);
      const seen = new Set([...memory.classes(), ...experience.classes]);
      const m = Math.floor(budget / seen.size);
      if (m < 1) {
        throw new ConfigError(
          'budget',
          `expected at least one exemplar per class, got ${budget} for ${seen.size} classes`,
        );
      }
      memory.reduce(m);
      for (const c of experience.classes) {
        const own = selectSamples(
          train,
          [...train.y.keys()].filter((j) => train.y[j] === c),
        );
        let picks: ArrayLike<number>;
        if (options.herding ?? true) {
          const f = rowsOf(own.x, own.sampleShape, (b) => features(model, b));
          const normalized = normalizeRows(f.values, f.dim);
          picks = herding(normalized, f.dim, m, normalizeRows(meanRow(normalized, f.dim), f.dim));
        } else {
          picks = rng.permutation(own.y.length).subarray(0, m);
        }
        memory.set(c, selectSamples(own, picks).x);
      }
      const all = memory
        .classes()
        .map((c) => ({ c, ...classMean(model, memory!.samples(c), train.sampleShape) }));
      const dim = all[0].dim;
      means = { values: new Float32Array(stream.numClasses * dim), dim, has: [] };
      for (const { c, mean } of all) {
        means.values.set(mean, c * dim);
        means.has[c] = true;
      }
      frozen ??= options.copyModel();
      if (frozen.variables.length !== model.variables.length) {
        throw new ConfigError(
          'copyModel',
          `expected a model with ${model.variables.length} variables, got ${frozen.variables.length}`,
        );
      }
      frozen.variables.forEach((v, i) => v.assign(model.variables[i]));
      cached = null;
    },
    evaluationScores(x, _taskId, model) {
      if (!(options.nme ?? true) || !means) return null;
      const numClasses = means.values.length / means.dim;
      const raw = features(model, x);
      const f = tf.div(raw, tf.add(tf.norm(raw, 2, 1, true), 1e-12));
      const mu = tf.tensor2d(means.values, [numClasses, means.dim]);
      // -|f - mu_c|^2 = 2 f.mu_c - |mu_c|^2 - |f|^2; classes with no exemplars far below any other.
      const offsets = Float32Array.from({ length: numClasses }, (_, c) =>
        means!.has[c] ? 0 : INACTIVE_LOGIT,
      );
      const muSquares = tf.reshape(tf.sum(tf.square(mu), 1), [1, numClasses]);
      const fSquares = tf.sum(tf.square(f), 1, true);
      const dots = tf.mul(tf.matMul(f, mu, false, true), 2);
      return tf.add(
        tf.sub(tf.sub(dots, muSquares), fSquares),
        tf.tensor2d(offsets, [1, numClasses]),
      ) as tf.Tensor2D;
    },
    dispose() {
      frozen?.dispose();
      frozen = null;
      cached = null;
    },
  };
}

function features(model: Classifier, x: tf.Tensor): tf.Tensor2D {
  if (!model.features) throw new ConfigError('model', 'iCaRL needs a model with features(x)');
  return model.features(x);
}

/** `fn` on the rows of `x` (samples of `shape`), 1000 per pass: its output rows, row-major. */
function rowsOf(x: Float32Array, shape: readonly number[], fn: (batch: tf.Tensor) => tf.Tensor2D) {
  const size = sampleSize({ sampleShape: shape });
  const n = x.length / size;
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < n; start += 1000) {
    const end = Math.min(start + 1000, n);
    tf.tidy(() => {
      const out = fn(tf.tensor(x.subarray(start * size, end * size), [end - start, ...shape]));
      dim = out.shape[1];
      parts.push(out.dataSync() as Float32Array);
    });
  }
  const values = new Float32Array(n * dim);
  parts.forEach((p, k) => values.set(p, k * 1000 * dim));
  return { values, dim };
}

/** iCaRL as a strategy: `fit({ ...icarl({ budget: 2000, copyModel }), stream, model, ... })`. */
export function icarl(options: IcarlOptions): Strategy {
  const plugin = icarlPlugin(options);
  return {
    name: 'icarl',
    plugins: [plugin, ...(options.plugins ?? [])],
    trainingSet: (stream, i) => {
      const train = stream.experiences[i].train;
      const stored = plugin.exemplars?.toDataset();
      return stored ? concatDatasets([train, stored]) : train;
    },
  };
}
