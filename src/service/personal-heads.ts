/**
 * Each user's personal part: a linear head on the shared model's features, added to the shared
 * logits (`z_user = z_shared + f W_u + b_u`), starting at zero (so a new user gets the shared
 * model's predictions), with the user's own replay history: a reservoir of their earlier
 * examples, replayed beside each new batch of theirs so that learning their new preferences does
 * not overwrite their earlier ones. Only the head learns in a personal step; the shared weights,
 * and so every other user's predictions, are untouched by it. Plain float arithmetic: a head is
 * features x classes numbers, cheap for many users.
 */
import * as tf from '../engine/tf.js';
import { createRng } from '../core/random.js';
import type { Classifier } from '../models/classifier.js';

export interface PersonalOptions {
  readonly lr: number;
  /** Earlier examples a user's reservoir keeps. */
  readonly history: number;
  /** Earlier examples replayed with each new batch of the user's. */
  readonly replay: number;
  /** Gradient steps on each batch (the shared features are computed once for all of them). */
  readonly steps: number;
}

/** One user's head and history, as saved and as sent to the server (the head alone). */
export interface PersonalHead {
  readonly weights: Float32Array; // [features, classes], row-major
  readonly bias: Float32Array; // [classes]
  /** The classes this user has taught. */
  readonly seen: number[];
  correct: number;
  total: number;
  learnt: number;
}

interface UserState extends PersonalHead {
  /** Reservoir rows, `sampleSize` values each, and their labels. */
  memoryX: Float32Array[];
  memoryY: number[];
  /** Examples the reservoir has been offered (its sampling needs the count). */
  offered: number;
  rng: number;
}

/** What a step needs of the shared model: features and logits of some inputs, at its current weights. */
export interface SharedForward {
  (x: Float32Array, n: number): { features: Float32Array; logits: Float32Array };
}

/**
 * The shared model's `SharedForward` on inputs of `sampleShape`: one pass where the model gives
 * both (`featuresAndLogits`, the same bits as the two calls), else the two calls.
 */
export function sharedForward(model: Classifier, sampleShape: readonly number[]): SharedForward {
  return (x, n) =>
    tf.tidy(() => {
      const input = tf.tensor(x, [n, ...sampleShape]);
      const both = model.featuresAndLogits?.(input) ?? {
        features: model.features!(input),
        logits: model.logits(input),
      };
      return {
        features: both.features.dataSync() as Float32Array,
        logits: both.logits.dataSync() as Float32Array,
      };
    });
}

/** Softmax of `z` (+ head) over `active` classes (all when empty), in place into `out`. */
export function personalProbabilities(
  features: Float32Array,
  logits: Float32Array,
  head: Pick<PersonalHead, 'weights' | 'bias'> | undefined,
  active: readonly number[],
  featureSize: number,
  numClasses: number,
): Float32Array {
  const n = logits.length / numClasses;
  const out = new Float32Array(n * numClasses);
  const on = active.length > 0 ? active : Array.from({ length: numClasses }, (_, c) => c);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    const z = new Float64Array(numClasses);
    for (const c of on) {
      let v = logits[i * numClasses + c];
      if (head) {
        v += head.bias[c];
        for (let f = 0; f < featureSize; f++)
          v += features[i * featureSize + f] * head.weights[f * numClasses + c];
      }
      z[c] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (const c of on) sum += Math.exp(z[c] - max);
    for (const c of on) out[i * numClasses + c] = Math.exp(z[c] - max) / sum;
  }
  return out;
}

export class PersonalHeads {
  private readonly users = new Map<string, UserState>();
  /** Users whose head changed since `takeChanged`. */
  private changed = new Set<string>();

  constructor(
    readonly featureSize: number,
    readonly numClasses: number,
    readonly sampleSize: number,
    private readonly options: PersonalOptions,
    private readonly seed: number,
  ) {}

  head(user: string): PersonalHead | undefined {
    return this.users.get(user);
  }

  /**
   * One personal step for `user` on new examples `x` (n rows) and labels `y`: predicts them first
   * (test-then-train, counted in the user's accuracy), then one SGD step of the head on them and
   * on up to `replay` of the user's earlier examples, then offers them to the user's reservoir.
   * `sharedActive`: the classes the shared model has seen. `untrained`: the shared model's
   * features and logits on the n new rows, and its classes, from before it learnt them (when it
   * learnt them just now): the test of test-then-train is made with them, so that it has seen
   * neither the labels nor what the shared model learnt from them. Returns, per new example,
   * whether the personalised prediction was right before the step.
   */
  learn(
    user: string,
    x: Float32Array,
    y: readonly number[],
    forward: SharedForward,
    sharedActive: readonly number[],
    untrained?: { features: Float32Array; logits: Float32Array; sharedActive: readonly number[] },
  ): boolean[] {
    const state = this.users.get(user) ?? this.newUser(user);
    const n = y.length;
    const { featureSize: F, numClasses: K, sampleSize: S } = this;
    const rng = createRng(state.rng);
    // The replayed rows, drawn before the new ones join the reservoir.
    const replayed =
      state.memoryY.length === 0
        ? []
        : Array.from({ length: Math.min(this.options.replay, state.memoryY.length) }, () =>
            rng.int(state.memoryY.length),
          );
    const classes = (seen: readonly number[]) =>
      [...new Set([...sharedActive, ...seen])].sort((a, b) => a - b);
    // Predicted over the classes known before these labels (test-then-train must not peek).
    const before = untrained
      ? [...new Set([...untrained.sharedActive, ...state.seen])].sort((a, b) => a - b)
      : classes(state.seen);
    for (const c of y) if (!state.seen.includes(c)) state.seen.push(c);
    state.seen.sort((a, b) => a - b);
    const active = classes(state.seen);

    const total = n + replayed.length;
    const batch = new Float32Array(total * S);
    batch.set(x);
    replayed.forEach((r, k) => batch.set(state.memoryX[r], (n + k) * S));
    const labels = [...y, ...replayed.map((r) => state.memoryY[r])];
    const { features, logits } = forward(batch, total);
    const tested = untrained
      ? personalProbabilities(untrained.features, untrained.logits, state, before, F, K)
      : personalProbabilities(features, logits, state, before, F, K);
    const on = before.length > 0 ? before : Array.from({ length: K }, (_, c) => c);
    const right: boolean[] = [];
    for (let i = 0; i < n; i++) {
      let best = on[0];
      for (const c of on) if (tested[i * K + c] > tested[i * K + best]) best = c;
      right.push(best === y[i]);
      if (best === y[i]) state.correct += 1;
    }
    const first = personalProbabilities(features, logits, state, active, F, K);
    state.total += n;
    // Cross-entropy's gradient wrt the head's logits is p - onehot(y), averaged over the batch.
    const scale = this.options.lr / total;
    for (let step = 0; step < this.options.steps; step++) {
      const p = step === 0 ? first : personalProbabilities(features, logits, state, active, F, K);
      for (let i = 0; i < total; i++) {
        for (const c of active) {
          const g = (p[i * K + c] - (labels[i] === c ? 1 : 0)) * scale;
          if (g === 0) continue;
          state.bias[c] -= g;
          for (let f = 0; f < F; f++) state.weights[f * K + c] -= g * features[i * F + f];
        }
      }
    }
    // Reservoir sampling over everything the user taught (Vitter's algorithm R).
    for (let i = 0; i < n; i++) {
      const row = x.slice(i * S, (i + 1) * S);
      if (state.memoryY.length < this.options.history) {
        state.memoryX.push(row);
        state.memoryY.push(y[i]);
      } else {
        const j = rng.int(state.offered + 1);
        if (j < this.options.history) {
          state.memoryX[j] = row;
          state.memoryY[j] = y[i];
        }
      }
      state.offered += 1;
    }
    state.learnt += n;
    state.rng = rng.state();
    this.changed.add(user);
    return right;
  }

  /** Forgets `user` entirely: head, history, counts. */
  remove(user: string): void {
    this.users.delete(user);
    this.changed.add(user);
  }

  /** The heads changed since the last call (null: removed). */
  takeChanged(): Record<string, PersonalHead | null> {
    const out: Record<string, PersonalHead | null> = {};
    for (const user of this.changed) {
      const s = this.users.get(user);
      out[user] = s
        ? {
            weights: s.weights.slice(),
            bias: s.bias.slice(),
            seen: [...s.seen],
            correct: s.correct,
            total: s.total,
            learnt: s.learnt,
          }
        : null;
    }
    this.changed = new Set();
    return out;
  }

  /** Every head, for a new server (after a restart or a rollback). */
  all(): Record<string, PersonalHead> {
    this.changed = new Set(this.users.keys());
    return this.takeChanged() as Record<string, PersonalHead>;
  }

  /** The saved form: JSON with the float arrays as base64. */
  save(): string {
    const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    return JSON.stringify({
      format: 'unforget-personal/1',
      users: Object.fromEntries(
        [...this.users].map(([user, s]) => [
          user,
          {
            weights: b64(s.weights),
            bias: b64(s.bias),
            seen: s.seen,
            correct: s.correct,
            total: s.total,
            learnt: s.learnt,
            memoryX: s.memoryX.map(b64),
            memoryY: s.memoryY,
            offered: s.offered,
            rng: s.rng,
          },
        ]),
      ),
    });
  }

  /** Throws, naming `file`, unless `text` is saved heads that `restore` reads. */
  static check(text: string, file: string): void {
    let data: { format?: unknown; users?: unknown };
    try {
      data = JSON.parse(text) as typeof data;
    } catch (error) {
      throw new Error(
        `${file}: expected saved personal heads, got unreadable JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (data.format !== 'unforget-personal/1' || typeof data.users !== 'object' || data.users === null) {
      throw new Error(`${file}: expected saved personal heads (unforget-personal/1), got something else`);
    }
  }

  /** Saved heads (`save()`'s text) without `user`'s: what a snapshot keeps once they are deleted. */
  static withoutUser(text: string, user: string): string {
    const data = JSON.parse(text) as { format: string; users: Record<string, unknown> };
    delete data.users[user];
    return JSON.stringify(data);
  }

  restore(text: string): void {
    const floats = (s: string) => {
      const bytes = Buffer.from(s, 'base64');
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    };
    const data = JSON.parse(text) as { format: string; users: Record<string, Record<string, unknown>> };
    if (data.format !== 'unforget-personal/1')
      throw new Error(`expected unforget-personal/1, got ${String(data.format)}`);
    this.users.clear();
    for (const [user, s] of Object.entries(data.users)) {
      this.users.set(user, {
        weights: floats(s.weights as string),
        bias: floats(s.bias as string),
        seen: s.seen as number[],
        correct: s.correct as number,
        total: s.total as number,
        learnt: s.learnt as number,
        memoryX: (s.memoryX as string[]).map(floats),
        memoryY: s.memoryY as number[],
        offered: s.offered as number,
        rng: s.rng as number,
      });
    }
    this.changed = new Set();
  }

  private newUser(user: string): UserState {
    // Each user's draws from their own stream: one user's traffic never shifts another's.
    let hash = this.seed >>> 0;
    for (let i = 0; i < user.length; i++) hash = Math.imul(hash ^ user.charCodeAt(i), 16777619) >>> 0;
    const state: UserState = {
      weights: new Float32Array(this.featureSize * this.numClasses),
      bias: new Float32Array(this.numClasses),
      seen: [],
      correct: 0,
      total: 0,
      learnt: 0,
      memoryX: [],
      memoryY: [],
      offered: 0,
      rng: hash,
    };
    this.users.set(user, state);
    return state;
  }
}
