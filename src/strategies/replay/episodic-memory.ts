/**
 * What the gradient-projection methods (A-GEM, GEM) share: the gradient of
 * the loss on remembered examples (computed in the step itself, inside its `tf.tidy`), their
 * episodic memory's filling rule, and the plugin around it (`episodicMemoryPlugin`).
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { softmaxCrossEntropy } from '../../engine/losses.js';
import { createRng, type Rng } from '../../core/random.js';
import { ConfigError } from '../../core/errors.js';
import { sampleSize } from '../../data/dataset.js';
import { StateReader } from '../../core/state.js';
import { BufferStorage, bufferStateValue, restoreStorage, type BufferBatch } from '../../memory/buffer.js';
import { flatten, unflatten } from '../../engine/ops/gradient-vector.js';
import { maskLogits } from '../../training/active-classes.js';
import type { ExperienceContext, GradientContext, Plugin, StepContext } from '../../training/plugin.js';

/**
 * The flat gradient, at the model's current weights, of the mean cross-entropy on remembered
 * `rows` (their `taskIds` hold the index of the experience they came from). Each experience's rows
 * are run with its task id and, like the template's own loss, restricted to the active classes:
 * the classes seen so far in class-IL, that experience's classes in task-IL. Inside a step the
 * rows are augmented as the step's own (`StepContext.augment`).
 */
export function memoryGradient(
  ctx: ExperienceContext & Pick<Partial<StepContext>, 'augment'>,
  rows: BufferBatch,
  sampleShape: readonly number[],
): tf.Tensor1D {
  const variables = ctx.model.variables;
  const numClasses = ctx.model.numClasses;
  const experiences = [...new Set(rows.taskIds)];
  const size = rows.x.length / rows.y.length;
  const { grads } = tf.variableGrads(() => {
    const losses = experiences.map((e) => {
      const picked = Array.from(rows.y.keys()).filter((r) => rows.taskIds[r] === e);
      const gathered = new Float32Array(picked.length * size);
      picked.forEach((r, k) => gathered.set(rows.x.subarray(r * size, (r + 1) * size), k * size));
      const x = ctx.augment ? ctx.augment(gathered, picked.length) : gathered;
      const labels = tf.oneHot(
        tf.tensor1d(
          Int32Array.from(picked, (r) => rows.y[r]),
          'int32',
        ),
        numClasses,
      );
      const experience = ctx.stream.experiences[e];
      const active =
        ctx.activeClasses && ctx.stream.scenario === 'task-il' ? experience.classes : ctx.activeClasses;
      const logits = maskLogits(
        ctx.model.logits(tf.tensor(x, [picked.length, ...sampleShape]), experience.taskId, true),
        active,
      );
      // Weighted by its share of rows: the sum is the mean over all rows.
      return tf.mul(softmaxCrossEntropy(labels, logits), picked.length / rows.y.length);
    });
    return tf.addN(losses) as tf.Scalar;
  }, [...variables]);
  return flatten(
    variables.map((v) => grads[v.name]),
    variables,
  );
}

/**
 * Both methods' episodic memory, as in GEM's reference code and the Mammoth version the DER
 * paper's numbers come from: at the end of each experience, `capacity // T` of its training
 * examples chosen uniformly at random (T: the stream's experiences), stored with the experience's
 * index as their task id. (Mammoth today adds one training batch instead for A-GEM, and a
 * class-balanced selection for GEM; we keep the fixed per-experience quota of the papers.)
 */
export function rememberExperience(memory: BufferStorage, ctx: ExperienceContext, rng: Rng): void {
  const quota = memoryQuota(memory.capacity, ctx);
  const data = ctx.trainingSet;
  const chosen = rng.permutation(data.y.length).subarray(0, Math.min(quota, memory.capacity - memory.size));
  const size = sampleSize(data);
  const x = new Float32Array(chosen.length * size);
  chosen.forEach((j, k) => x.set(data.x.subarray(j * size, (j + 1) * size), k * size));
  const examples = { x, y: Int32Array.from(chosen, (j) => data.y[j]), taskIds: ctx.experience.index };
  for (let k = 0; k < chosen.length; k++) memory.write(memory.size + k, examples, k);
  memory.size += chosen.length;
  memory.seen += data.y.length;
}

/** Examples remembered per experience, `capacity // T`; a ConfigError when that is 0. */
export function memoryQuota(capacity: number, ctx: ExperienceContext): number {
  const experiences = ctx.stream.plannedExperiences ?? ctx.stream.experiences.length;
  const quota = Math.floor(capacity / experiences);
  if (quota < 1) {
    throw new ConfigError(
      'bufferSize',
      `expected at least one example per experience (${experiences}), got ${capacity}`,
    );
  }
  return quota;
}

/** Both methods' `bufferSize` option. */
export const episodicBufferSize = z
  .number()
  .int()
  .positive()
  .default(500)
  .describe('examples the memory holds over the whole stream; each experience gets bufferSize // T');

/** The episodic memory's policy name in a checkpoint: a whole experience's quota at its end. */
const EPISODIC = 'episodic';

/** A plugin with an episodic memory (A-GEM's and GEM's). */
export interface EpisodicMemoryPlugin extends Plugin {
  /** The episodic memory (null until the first experience starts): its `taskIds` are experience indices. */
  readonly memory: BufferStorage | null;
}

/**
 * The plugin both methods are: an episodic memory of `bufferSize` rows, made when the first
 * experience starts and filled at the end of each (`rememberExperience`), and `project`, which,
 * once the memory holds something, maps the step's gradient `g` (all variables, flattened) to the
 * one applied instead (`g` itself: keep the step's gradients untouched). One `rng`,
 * seeded by `seed`, picks the remembered examples and is handed to `project` for its own draws.
 * Checks `seed` (a ConfigError naming it); the callers check `bufferSize` among their own options.
 */
export function episodicMemoryPlugin(
  name: string,
  bufferSize: number,
  seed: number,
  project: (ctx: GradientContext, memory: BufferStorage, rng: Rng, g: tf.Tensor1D) => tf.Tensor1D,
): EpisodicMemoryPlugin {
  if (!Number.isInteger(seed)) throw new ConfigError('seed', `expected an integer, got ${seed}`);
  let rng = createRng(seed);
  let memory: BufferStorage | null = null;
  const where = `checkpoint ${name}`;

  return {
    name,
    needsTaskCount: true,
    memoryBytes: () => memory?.memoryBytes() ?? 0,
    forgetExamples(match) {
      if (!memory) return 0;
      const before = memory.size;
      return before - memory.forget(match).length;
    },
    get memory() {
      return memory;
    },
    onExperienceStart(ctx) {
      memoryQuota(bufferSize, ctx);
      memory ??= new BufferStorage({ capacity: bufferSize, sampleSize: sampleSize(ctx.trainingSet) });
    },
    transformGradients(ctx) {
      if (!memory?.size) return null;
      const variables = ctx.model.variables;
      const g = flatten(ctx.grads, variables);
      const projected = project(ctx, memory, rng, g);
      return projected === g ? null : unflatten(projected, ctx.grads, variables);
    },
    onExperienceEnd(ctx) {
      if (memory) rememberExperience(memory, ctx, rng);
    },
    // The memory keeps examples; the gradients it projects against are taken afresh every step.
    onModelGrown() {},
    state: () => ({ rng: rng.state(), memory: memory && bufferStateValue(memory.state(EPISODIC)) }),
    restore(state) {
      const r = new StateReader(state, where);
      rng = createRng(r.integer('rng'));
      if (!r.has('memory')) return;
      memory = new BufferStorage({
        capacity: bufferSize,
        sampleSize: r.reader('memory').integer('sampleSize'),
      });
      restoreStorage(memory, EPISODIC, r.raw('memory'), `${where}.memory`);
    },
  };
}
