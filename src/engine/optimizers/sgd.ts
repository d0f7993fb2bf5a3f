/**
 * SGD, with optional (Nesterov) momentum: the update rules of `tf.train.sgd` and
 * `tf.train.momentum`, applied in place by one native call per variable on the `native`
 * backend (see src/native/optimizer-updates.ts for when that is safe), and with the same
 * tfjs ops as tfjs elsewhere.
 *
 *   momentum = 0:  p -= lr * g
 *   momentum > 0:  v = momentum * v + g;  p -= lr * v                    (classic)
 *                                         p -= lr * (g + momentum * v)   (nesterov)
 *
 * With momentum 0 the momentum rule reduces exactly to plain SGD, so no state is kept.
 */
import * as tf from '../tf.js';
import { momentumInPlace, sgdInPlace } from '../../native/optimizer-updates.js';
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

export interface SgdOptions {
  learningRate: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Nesterov momentum (default false; no effect when momentum is 0). */
  nesterov?: boolean;
}

const MOMENTUM_SUFFIX = 'momentum';

export class SgdOptimizer extends tf.Optimizer implements CheckpointableOptimizer {
  static get className(): string {
    return 'UnforgetSGD';
  }

  /** Momentum accumulators by variable name, in creation order (the getWeights order). */
  private accumulations = new Map<string, StateVariable>();

  constructor(
    private learningRate: number,
    private momentum = 0,
    private nesterov = false,
  ) {
    super();
    assertFinite('sgd: learningRate', learningRate);
    assertFinite('sgd: momentum', momentum);
    if (momentum < 0) throw new Error(`sgd: momentum must be >= 0, got ${momentum}`);
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const backend = nativeBackend();
    for (const { name, variable, gradient } of namedGradients(variableGradients)) {
      if (this.momentum === 0) {
        if (backend && sgdInPlace(backend, variable, gradient, this.learningRate)) continue;
        tf.tidy(() => {
          variable.assign(tf.add(tf.mul(tf.scalar(-this.learningRate), gradient), variable));
        });
        continue;
      }
      const accum = this.accumulation(name, variable, backend);
      if (
        backend &&
        momentumInPlace(backend, variable, gradient, accum, this.learningRate, this.momentum, this.nesterov)
      ) {
        continue;
      }
      tf.tidy(() => {
        const c = tf.scalar(-this.learningRate);
        const m = tf.scalar(this.momentum);
        const newAccum = tf.add(tf.mul(m, accum), gradient);
        const step = this.nesterov ? tf.add(gradient, tf.mul(newAccum, m)) : newAccum;
        accum.assign(newAccum);
        variable.assign(tf.add(tf.mul(c, step), variable));
      });
    }
    this.incrementIterations();
  }

  private accumulation(name: string, variable: tf.Variable, backend: ReturnType<typeof nativeBackend>) {
    let state = this.accumulations.get(name);
    if (!state) {
      state = { originalName: `${name}/${MOMENTUM_SUFFIX}`, variable: zerosState(variable, backend) };
      this.accumulations.set(name, state);
    }
    return state.variable;
  }

  setLearningRate(learningRate: number): void {
    this.learningRate = assertFinite('sgd: learningRate', learningRate);
  }

  override dispose(): void {
    for (const { variable } of this.accumulations.values()) variable.dispose();
    this.accumulations.clear();
    super.dispose();
  }

  /** [iterations, then one momentum accumulator per variable (`<name>/momentum`)]. */
  override async getWeights(): Promise<NamedTensor[]> {
    const states = [...this.accumulations.values()].map((s) => ({
      name: s.originalName,
      tensor: s.variable,
    }));
    return [await this.saveIterations(), ...states];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const states = await this.extractIterations(weightValues);
    if (this.momentum === 0 && states.length > 0) throw new Error('sgd without momentum has no state to set');
    const next = new Map<string, StateVariable>();
    for (const { name, tensor } of states) {
      const owner = stateOwner(name, MOMENTUM_SUFFIX);
      if (owner === null) throw new Error(`sgd: unexpected weight "${name}" (expected <variable>/momentum)`);
      next.set(owner, { originalName: name, variable: tensor.variable(false) });
    }
    for (const { variable } of this.accumulations.values()) variable.dispose();
    this.accumulations = next;
  }

  /** Step count and the momentum accumulators, by position in `variables`. */
  saveState(variables: readonly tf.Variable[]): StateRecord {
    return {
      kind: 'sgd',
      iterations: this.iterations,
      accumulations: slotsState(variables, (v) => this.accumulations.get(v.name)?.variable),
    };
  }

  loadState(variables: readonly tf.Variable[], value: StateValue): void {
    const state = new StateReader(value, 'checkpoint optimizer');
    if (state.string('kind') !== 'sgd') {
      throw new Error(`checkpoint optimizer: saved by ${state.string('kind')}, restoring into sgd`);
    }
    const iterations = state.integer('iterations');
    const slots = slotsFromState(variables, state.raw('accumulations'), 'checkpoint optimizer.accumulations');
    for (const { variable } of this.accumulations.values()) variable.dispose();
    this.accumulations.clear();
    variables.forEach((variable, i) => {
      const slot = slots[i];
      if (slot)
        this.accumulations.set(variable.name, {
          originalName: `${variable.name}/${MOMENTUM_SUFFIX}`,
          variable: slot,
        });
    });
    this.iterations_ = iterations;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config.learningRate, config.momentum ?? 0, config.nesterov ?? false);
  }
}
tf.serialization.registerClass(SgdOptimizer);

/** SGD with optional momentum (`tf.train.sgd` / `tf.train.momentum` semantics). */
export function sgd({ learningRate, momentum = 0, nesterov = false }: SgdOptions): SgdOptimizer {
  return new SgdOptimizer(learningRate, momentum, nesterov);
}
