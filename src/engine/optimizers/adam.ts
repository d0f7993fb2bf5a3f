/**
 * Adam with the update rule of `tf.train.adam`, applied in place by one native call per
 * variable on the `native` backend (see src/native/optimizer-updates.ts for when that is
 * safe), and with the same tfjs ops as tfjs elsewhere:
 *
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g^2
 *   p -= lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
 *
 * Like tfjs, beta1^t and beta2^t are running float32 products (tfjs keeps them in scalar
 * variables), advanced once per applyGradients call, so the bias corrections round the
 * same way as tf.train.adam's.
 */
import * as tf from '../tf.js';
import { adamInPlace, type AdamStep } from '../../native/optimizer-updates.js';
import { StateReader, type StateRecord, type StateValue } from '../../core/state.js';
import {
  assertFinite,
  slotsFromState,
  slotsState,
  type CheckpointableOptimizer,
  namedGradients,
  nativeBackend,
  stateOwner,
  zerosState,
  type NamedTensor,
  type StateVariable,
  type VariableGradients,
} from './common.js';

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

interface Moments {
  m: StateVariable;
  v: StateVariable;
}

const f32 = Math.fround;

export class AdamOptimizer extends tf.Optimizer implements CheckpointableOptimizer {
  static get className(): string {
    return 'UnforgetAdam';
  }

  /** First and second moments by variable name, in creation order (the getWeights order). */
  private moments = new Map<string, Moments>();
  /** beta1^t and beta2^t for the next step t, as float32 values. */
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    private learningRate = 1e-3,
    private beta1 = 0.9,
    private beta2 = 0.999,
    private epsilon = 1e-7,
  ) {
    super();
    for (const [name, value] of Object.entries({ learningRate, beta1, beta2, epsilon })) {
      assertFinite(`adam: ${name}`, value);
    }
    this.accBeta1 = f32(beta1);
    this.accBeta2 = f32(beta2);
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const backend = nativeBackend();
    const step: AdamStep = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      oneMinusAccBeta1: f32(1 - this.accBeta1),
      oneMinusAccBeta2: f32(1 - this.accBeta2),
    };
    for (const { name, variable, gradient } of namedGradients(variableGradients)) {
      const { m, v } = this.momentsOf(name, variable, backend);
      if (backend && adamInPlace(backend, variable, gradient, m.variable, v.variable, step)) continue;
      this.opsStep(variable, gradient, m.variable, v.variable, step);
    }
    this.accBeta1 = f32(this.accBeta1 * f32(this.beta1));
    this.accBeta2 = f32(this.accBeta2 * f32(this.beta2));
    this.incrementIterations();
  }

  /** The update with tfjs ops, operation for operation as tf.train.adam. */
  private opsStep(variable: tf.Variable, g: tf.Tensor, m: tf.Variable, v: tf.Variable, step: AdamStep): void {
    tf.tidy(() => {
      const newM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
      const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      const mHat = tf.div(newM, step.oneMinusAccBeta1);
      const vHat = tf.div(newV, step.oneMinusAccBeta2);
      m.assign(newM);
      v.assign(newV);
      const update = tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon));
      variable.assign(tf.add(tf.mul(update, -this.learningRate), variable));
    });
  }

  private momentsOf(name: string, variable: tf.Variable, backend: ReturnType<typeof nativeBackend>): Moments {
    let moments = this.moments.get(name);
    if (!moments) {
      moments = {
        m: { originalName: `${name}/m`, variable: zerosState(variable, backend) },
        v: { originalName: `${name}/v`, variable: zerosState(variable, backend) },
      };
      this.moments.set(name, moments);
    }
    return moments;
  }

  setLearningRate(learningRate: number): void {
    this.learningRate = assertFinite('adam: learningRate', learningRate);
  }

  override dispose(): void {
    this.disposeMoments();
    super.dispose();
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments.values()) {
      m.variable.dispose();
      v.variable.dispose();
    }
    this.moments.clear();
  }

  /** [iterations, every first moment (`<name>/m`), then every second moment (`<name>/v`)], as tfjs. */
  override async getWeights(): Promise<NamedTensor[]> {
    const all = [...this.moments.values()];
    const named = (s: StateVariable) => ({ name: s.originalName, tensor: s.variable });
    return [await this.saveIterations(), ...all.map((s) => named(s.m)), ...all.map((s) => named(s.v))];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const states = await this.extractIterations(weightValues);
    const half = states.length / 2;
    if (!Number.isInteger(half)) throw new Error('adam: expected as many second moments as first moments');
    const next = new Map<string, Moments>();
    for (let i = 0; i < half; i++) {
      const [m, v] = [states[i], states[half + i]];
      const owner = stateOwner(m.name, 'm');
      if (owner === null || stateOwner(v.name, 'v') !== owner) {
        throw new Error(
          `adam: unexpected weights "${m.name}", "${v.name}" (expected <variable>/m, <variable>/v)`,
        );
      }
      next.set(owner, {
        m: { originalName: m.name, variable: m.tensor.variable(false) },
        v: { originalName: v.name, variable: v.tensor.variable(false) },
      });
    }
    this.disposeMoments();
    this.moments = next;
    // As tf.train.adam: beta^(iterations + 1), computed by the cpu Pow kernel in float32.
    this.accBeta1 = f32(Math.pow(f32(this.beta1), this.iterations + 1));
    this.accBeta2 = f32(Math.pow(f32(this.beta2), this.iterations + 1));
  }

  /** Step count, the running beta products and both moments, by position in `variables`. */
  saveState(variables: readonly tf.Variable[]): StateRecord {
    return {
      kind: 'adam',
      iterations: this.iterations,
      accBeta1: this.accBeta1,
      accBeta2: this.accBeta2,
      m: slotsState(variables, (v) => this.moments.get(v.name)?.m.variable),
      v: slotsState(variables, (v) => this.moments.get(v.name)?.v.variable),
    };
  }

  loadState(variables: readonly tf.Variable[], value: StateValue): void {
    const state = new StateReader(value, 'checkpoint optimizer');
    if (state.string('kind') !== 'adam') {
      throw new Error(`checkpoint optimizer: saved by ${state.string('kind')}, restoring into adam`);
    }
    const iterations = state.integer('iterations');
    const [accBeta1, accBeta2] = [state.number('accBeta1'), state.number('accBeta2')];
    const m = slotsFromState(variables, state.raw('m'), 'checkpoint optimizer.m');
    const v = slotsFromState(variables, state.raw('v'), 'checkpoint optimizer.v');
    this.disposeMoments();
    variables.forEach((variable, i) => {
      const [mi, vi] = [m[i], v[i]];
      if (mi && vi) {
        this.moments.set(variable.name, {
          m: { originalName: `${variable.name}/m`, variable: mi },
          v: { originalName: `${variable.name}/v`, variable: vi },
        });
      } else {
        mi?.dispose();
        vi?.dispose();
      }
    });
    this.iterations_ = iterations;
    this.accBeta1 = accBeta1;
    this.accBeta2 = accBeta2;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config.learningRate, config.beta1, config.beta2, config.epsilon);
  }
}
tf.serialization.registerClass(AdamOptimizer);

/** Adam (`tf.train.adam` semantics; epsilon defaults to 1e-7 as on tfjs's cpu backend). */
export function adam({
  learningRate = 1e-3,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon = 1e-7,
}: AdamOptions = {}): AdamOptimizer {
  return new AdamOptimizer(learningRate, beta1, beta2, epsilon);
}
