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
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { ConfigError, DataFormatError } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { StateReader, type StateValue } from '../../core/state.js';
import { restoreVariables, variablesState } from '../../engine/tensor-state.js';
import { concatDatasets } from '../../benchmarks/stream.js';
import { selectSamples } from '../../data/dataset.js';
import { copyWeights, modelWeights, type Classifier } from '../../models/classifier.js';
import { ExemplarSet, embedRows, nearestMeanScores, type ClassMeans } from '../../memory/exemplar-set.js';
import { herding, meanRow, normalizeRows } from '../../memory/herding.js';
import { INACTIVE_LOGIT } from '../../training/active-classes.js';
import type { LossContext, Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions, requireCopyModel } from '../definition.js';

/** iCaRL's options (`icarl` in a config). */
export const icarlOptions = z.strictObject({
  budget: z.number().int().positive().describe('exemplars kept over all classes, e.g. 2000'),
  herding: z.boolean().default(true).describe('select exemplars by herding; false: at random'),
  nme: z.boolean().default(true).describe('classify by nearest mean of exemplars; false: by the logits'),
  // van de Ven & Tolias's `--temp`; Mammoth: 1.
  temperature: z.number().positive().default(2).describe("temperature of the old model's sigmoid targets"),
  classReduction: z
    .enum(['sum', 'mean'])
    .default('sum')
    .describe('the BCE summed over the active outputs (van de Ven & Tolias) or averaged over them (Mammoth)'),
  flipMeans: z
    .boolean()
    .default(false)
    .describe('also average the features of horizontally flipped exemplars into class means (Mammoth)'),
  // false: raw features, as the Mammoth version behind the DER paper's numbers.
  normalizeFeatures: z
    .boolean()
    .default(true)
    .describe('L2-normalise features for herding, class means and the nearest-mean classifier'),
});

/** `seed` (default 0) fixes the random exemplar selection (`herding: false`). */
export interface IcarlOptions extends StrategyOptions, z.input<typeof icarlOptions> {
  /** Makes a fresh model with the trained model's architecture (the frozen copy). */
  copyModel: () => Classifier;
}

export interface IcarlPlugin extends Plugin {
  /** The exemplar memory (null before the first experience ends). */
  readonly exemplars: ExemplarSet | null;
  dispose(): void;
}

export function icarlPlugin(options: IcarlOptions): IcarlPlugin {
  const { seed = 0 } = options;
  const {
    budget,
    herding: byHerding,
    nme,
    temperature: t,
    classReduction,
    flipMeans,
    normalizeFeatures: normalize,
  } = methodOptions('icarl', icarlOptions, options);
  const copyModel = requireCopyModel('icarl', options);
  let rng = createRng(seed);
  let memory: ExemplarSet | null = null;
  let frozen: Classifier | null = null;
  // The frozen model's logits on every sample of the training set, computed once per experience.
  let cached: Float32Array | null = null;
  let oldClasses: number[] = [];
  let means: ClassMeans | null = null;

  const oldLogits = (ctx: LossContext, f: Classifier): tf.Tensor2D => {
    const rows = ctx.indices.length;
    const classes = ctx.model.numClasses;
    // Another plugin's extra samples change the batch: run the frozen model on it instead.
    // As LwF's table: only for the training set it was computed on (not a Learner's batches).
    const covered = cached && cached.length === ctx.trainingSet.y.length * ctx.model.numClasses;
    if (!covered || ctx.x.shape[0] !== rows) return f.logits(ctx.x);
    const values = new Float32Array(rows * classes);
    ctx.indices.forEach((j, r) => values.set(cached!.subarray(j * classes, (j + 1) * classes), r * classes));
    return tf.tensor2d(values, [rows, classes]);
  };

  return {
    name: 'icarl',
    memoryBytes: () => memory?.memoryBytes() ?? 0,
    forgetExamples: (match) => memory?.forget(match) ?? 0,
    get exemplars() {
      return memory;
    },
    onExperienceStart({ model, trainingSet }) {
      if (!model.features) throw new ConfigError('model', 'expected a model with features(x), for iCaRL');
      if (flipMeans && trainingSet.sampleShape.length < 2) {
        const shape = trainingSet.sampleShape.join(', ');
        throw new ConfigError('flipMeans', `expected image samples [height, width, ...], got [${shape}]`);
      }
      oldClasses = memory?.classes() ?? [];
      cached = frozen
        ? embedRows(trainingSet.x, trainingSet.sampleShape, (b) => frozen!.logits(b)).values
        : null;
    },
    // A live stream (a Learner) has no selector to add the exemplars to the training set: each
    // batch is joined by as many exemplars, drawn at random.
    extraBatch(ctx) {
      const stored = ctx.live ? memory?.toDataset() : null;
      if (!stored) return null;
      const picks = Int32Array.from({ length: Math.min(ctx.batch.y.length, stored.y.length) }, () =>
        rng.int(stored.y.length),
      );
      const rows = selectSamples(stored, picks);
      return { x: rows.x, y: rows.y };
    },
    baseLoss(ctx) {
      const numClasses = ctx.model.numClasses;
      const z = ctx.unmaskedLogits;
      let targets: tf.Tensor = ctx.labels;
      if (frozen && oldClasses.length) {
        const isOld = tf.tensor2d(indicator(oldClasses, numClasses), [1, numClasses]);
        const soft = tf.sigmoid(tf.div(oldLogits(ctx, frozen), t));
        targets = tf.add(tf.mul(soft, isOld), tf.mul(ctx.labels, tf.sub(1, isOld)));
      }
      // log(1 + e^z) - t z, in the form that never overflows.
      const bce = tf.sub(tf.add(tf.relu(z), tf.log1p(tf.exp(tf.neg(tf.abs(z))))), tf.mul(z, targets));
      const active = ctx.activeClasses ?? [...Array(numClasses).keys()];
      const perSample = tf.sum(tf.mul(bce, tf.tensor2d(indicator(active, numClasses), [1, numClasses])), 1);
      return tf.mul(tf.mean(perSample), classReduction === 'mean' ? 1 / active.length : 1) as tf.Scalar;
    },
    onExperienceEnd({ model, experience }) {
      const train = experience.train;
      const embed = (x: tf.Tensor) => model.features!(x);
      memory ??= new ExemplarSet(train.sampleShape, train.numClasses);
      const seen = new Set([...memory.classes(), ...experience.classes]).size;
      const m = Math.floor(budget / seen);
      if (m < 1) {
        throw new ConfigError(
          'budget',
          `expected at least one exemplar per class, got ${budget} for ${seen} classes`,
        );
      }
      memory.reduce(m);
      for (const c of experience.classes) {
        const own = selectSamples(
          train,
          [...train.y.keys()].filter((j) => train.y[j] === c),
        );
        const picks = byHerding
          ? herdingPicks(embedRows(own.x, own.sampleShape, embed), m, normalize)
          : rng.permutation(own.y.length).subarray(0, m);
        memory.set(c, selectSamples(own, picks).x);
      }
      means = memory.means(flipMeans ? [embed, (x) => embed(tf.reverse(x, 2))] : [embed], normalize);
      frozen ??= copyModel();
      copyWeights(model, frozen);
      cached = null;
    },
    // The frozen model, the exemplar set's class range and the class means follow the new outputs
    // (the new classes have no exemplars and no mean yet).
    onModelGrown(growth) {
      if (frozen) frozen = growth.growCopy(frozen);
      cached = null;
      if (memory) {
        memory = ExemplarSet.fromState({ ...memory.state(), numClasses: growth.to }, 'icarl exemplars');
      }
      if (means) {
        const values = new Float32Array(growth.to * means.dim);
        values.set(means.values);
        means = {
          values,
          dim: means.dim,
          has: [...means.has, ...new Array<boolean>(growth.to - growth.from).fill(false)],
        };
      }
    },
    // Everything above but the options: the frozen model's logits too, since a run resumed inside
    // an experience does not start it again (where they are computed).
    state: () => ({
      rng: rng.state(),
      exemplars: memory && memory.state(),
      frozen: frozen && variablesState(modelWeights(frozen)),
      cached,
      oldClasses: Int32Array.from(oldClasses),
      means: means && { values: means.values, dim: means.dim, has: Uint8Array.from(means.has, Number) },
    }),
    restore(state) {
      const where = 'checkpoint icarl';
      const r = new StateReader(state, where);
      rng = createRng(r.integer('rng'));
      memory = r.has('exemplars') ? ExemplarSet.fromState(r.raw('exemplars'), `${where}.exemplars`) : null;
      if (r.has('frozen')) {
        frozen ??= copyModel();
        restoreVariables(modelWeights(frozen), r.raw('frozen'), `${where}.frozen`);
      }
      cached = r.has('cached') ? r.floats('cached') : null;
      oldClasses = Array.from(r.ints('oldClasses'));
      means = r.has('means') ? readMeans(r.raw('means'), `${where}.means`) : null;
    },
    evaluationScores(x, _taskId, model) {
      if (!nme || !means || !model.features) return null;
      return nearestMeanScores(model.features(x), means, INACTIVE_LOGIT, normalize);
    },
    dispose() {
      frozen?.dispose();
      frozen = null;
      cached = null;
    },
  };
}

/**
 * Herding on the normalised features towards their renormalised mean, as van de Ven & Tolias
 * (`normalize: false`: on the raw features towards their mean).
 */
function herdingPicks(
  { values, dim }: { values: Float32Array; dim: number },
  m: number,
  normalize: boolean,
): Int32Array {
  if (!normalize) return herding(values, dim, m, meanRow(values, dim));
  const normalized = normalizeRows(values, dim);
  return herding(normalized, dim, m, normalizeRows(meanRow(normalized, dim), dim));
}

/** `ClassMeans` as saved by the plugin's `state()`: `dim` values for each class of `has`. */
function readMeans(value: StateValue, where: string): ClassMeans {
  const r = new StateReader(value, where);
  const dim = r.integer('dim');
  const has = r.raw('has');
  if (!(has instanceof Uint8Array))
    throw new DataFormatError(where, 'has: expected uint8 flags, one per class');
  return { values: r.floats('values', has.length * dim), dim, has: Array.from(has, Boolean) };
}

/** 1 at `classes`, 0 elsewhere, [numClasses]. */
function indicator(classes: readonly number[], numClasses: number): Float32Array {
  const out = new Float32Array(numClasses);
  classes.forEach((c) => (out[c] = 1));
  return out;
}

/** iCaRL as a strategy: `fit({ ...icarl({ budget: 2000, copyModel }), stream, model, ... })`. */
export function icarl(options: IcarlOptions): Strategy {
  const plugin = icarlPlugin(options);
  return {
    name: 'icarl',
    plugins: [plugin, ...(options.plugins ?? [])],
    replaysLive: true,
    trainingSet: (stream, i) => {
      const train = stream.experiences[i].train;
      const stored = plugin.exemplars?.toDataset();
      return stored ? concatDatasets([train, stored]) : train;
    },
  };
}

export const icarlDefinition = defineStrategy({
  name: 'icarl',
  family: 'replay',
  description:
    'iCaRL (Rebuffi et al. 2017): herding exemplars, nearest mean of exemplars, sigmoid distillation',
  options: icarlOptions,
  taskFree: false,
  example: { budget: 2000 },
  create: (options) => icarl({ ...options, copyModel: requireCopyModel('icarl', options) }),
});
