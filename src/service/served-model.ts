/**
 * A served model on the HTTP side: the same architecture as its trainer's learner, holding the
 * weights the trainer last sent, predicting over the classes the trainer has seen (all of them
 * before it has seen any), as the Learner predicts.
 */
import * as tf from '../engine/tf.js';
import { modelWeights, type Classifier } from '../models/classifier.js';
import { buildParts } from '../learner/learner-config.js';
import type { PublishedWeights } from './model-trainer.js';
import { personalProbabilities, sharedForward, type PersonalHead } from './personal-heads.js';
import type { ServedModelConfig } from './service-config.js';

export class ServedModel {
  private published: Omit<PublishedWeights, 'weights' | 'personal'> | null = null;
  private readonly heads = new Map<string, PersonalHead>();
  private constructor(
    readonly config: ServedModelConfig,
    private readonly model: Classifier,
  ) {}

  static async build(config: ServedModelConfig): Promise<ServedModel> {
    const parts = await buildParts(config.learner, process.cwd());
    return new ServedModel(config, parts.makeModel());
  }

  get name(): string {
    return this.config.name;
  }

  get sampleSize(): number {
    return this.config.learner.sampleShape.reduce((a, b) => a * b, 1);
  }

  get numClasses(): number {
    return this.model.numClasses;
  }

  get classNames(): readonly string[] | undefined {
    return this.config.learner.classNames;
  }

  get version(): number {
    return this.published?.version ?? 0;
  }

  get examplesLearned(): number {
    return this.published?.examplesLearned ?? 0;
  }

  get examplesSkipped(): number {
    return this.published?.examplesSkipped ?? 0;
  }

  get lastSeqLearned(): number {
    return this.published?.lastSeq ?? 0;
  }

  /** Test-then-train accuracy over everything learnt (null before anything was). */
  get prequentialAccuracy(): number | null {
    const p = this.published?.prequential;
    return p && p.total > 0 ? p.correct / p.total : null;
  }

  get seenClasses(): readonly number[] {
    return this.published?.seenClasses ?? [];
  }

  /** Takes the trainer's weights (an older version than the one held is ignored). */
  update(published: PublishedWeights): void {
    if (this.published && published.version < this.published.version) return;
    const variables = modelWeights(this.model);
    tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(published.weights[i], v.shape, 'float32'))));
    const { weights: _weights, personal, ...rest } = published;
    this.published = rest;
    if (published.personalComplete) this.heads.clear();
    for (const [user, head] of Object.entries(personal)) {
      if (head) this.heads.set(user, head);
      else this.heads.delete(user);
    }
  }

  /** `user`'s personal head, where they have one. */
  head(user: string): PersonalHead | undefined {
    return this.heads.get(user);
  }

  /**
   * Probabilities per input (rows of `sampleSize` values), over the seen classes: the shared
   * model's, or with `user`'s personal head where they have one (over the classes the shared
   * model saw and the ones they taught).
   */
  probabilities(x: Float32Array, n: number, user: string | null = null): Float32Array[] {
    return this.probabilitiesFor(x, new Array<string | null>(n).fill(user));
  }

  /**
   * `probabilities` for rows that each come with their own user (null: none), in one forward
   * pass of the shared model over all of them: what lets concurrent requests share one
   * (predict-batcher.ts). The features are computed only when some row has a head.
   */
  probabilitiesFor(x: Float32Array, users: readonly (string | null)[]): Float32Array[] {
    const n = users.length;
    const k = this.numClasses;
    const heads = users.map((u) => (u === null ? undefined : this.heads.get(u)));
    const shape = this.config.learner.sampleShape;
    const { features, logits } = heads.some((h) => h !== undefined)
      ? sharedForward(this.model, shape)(x, n)
      : {
          features: new Float32Array(0),
          logits: tf.tidy(() => this.model.logits(tf.tensor(x, [n, ...shape])).dataSync() as Float32Array),
        };
    const featureSize = features.length / n;
    return heads.map((head, i) => {
      const row = logits.subarray(i * k, (i + 1) * k);
      if (!head) return personalProbabilities(new Float32Array(0), row, undefined, this.seenClasses, 0, k);
      const active = [...new Set([...this.seenClasses, ...head.seen])].sort((a, b) => a - b);
      const own = features.subarray(i * featureSize, (i + 1) * featureSize);
      return personalProbabilities(own, row, head, active, featureSize, k);
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}
