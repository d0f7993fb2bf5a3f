/**
 * One served model's trainer: a Learner (the same step as `fit` and every Learner) fed from the
 * durable log, and each user's personal head (personal-heads.ts).
 *
 * The shared model learns the log's non-private examples in micro-batches cut by sequence number:
 * `microBatch` of them, or fewer once the log has been quiet for `flushAfterMs` (so that a lull
 * leaves nothing unlearnt, and a busy log is learnt in full batches whatever the arrival timing).
 * Private examples never reach it, so the shared weights, and every prediction made without a
 * personal head, are what they would be without those users. After each shared batch the heads
 * learn, user by user, every example with a user up to that batch's last sequence number, on the
 * shared features as they are then; private examples beyond the last shared batch are learnt by a
 * `personal` batch once the log is quiet.
 *
 * Each batch is recorded in the log before it is learnt, so a restart, which loads the newest
 * snapshot, learns again exactly the batches recorded after it and goes on: every acknowledged
 * example is learnt once by the model that survives, whatever the timing of the crash.
 *
 * Deleting a user (`forgetUser`) takes their rows out of the strategy's memories, their head
 * out of the heads, and both out of every snapshot, then their examples out of the log; asked
 * for durably first, it is carried out again after a crash until it is done. With `retrain`, the
 * shared model and the heads are trained again from the log without them and the old snapshots,
 * whose weights learnt from them, are removed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import { createLearner } from '../learner/create-learner.js';
import { loadLearner } from '../learner/load-learner.js';
import { modelWeights } from '../models/classifier.js';
import type { Learner } from '../training/learner.js';
import { matchRows } from '../memory/forget.js';
import {
  trainerStatements,
  type Database,
  type LoggedExample,
  type PendingDeletion,
  type RecordedBatch,
} from './log-store.js';
import { PersonalHeads, sharedForward, type PersonalHead } from './personal-heads.js';
import { ModelDriftWatch } from './drift-watch.js';
import type { ServedModelConfig } from './service-config.js';
import {
  listSnapshots,
  loadNewestSnapshot,
  removeSnapshots,
  rewriteSnapshots,
  snapshotPath,
  snapshotsDir,
  writeSnapshot,
} from './snapshots.js';
import type { UserDeletion } from './client.js';

const PERSONAL_FILE = 'personal.json';
const DRIFT_FILE = 'drift.json';

/** The shared model's outputs on one row before it learnt the batch that held it. */
interface Untrained {
  readonly features: Float32Array;
  readonly logits: Float32Array;
  readonly sharedActive: readonly number[];
}

/** Rows' outputs joined into the arrays PersonalHeads.learn takes. */
function joinUntrained(rows: readonly Untrained[]) {
  const F = rows[0].features.length;
  const K = rows[0].logits.length;
  const features = new Float32Array(rows.length * F);
  const logits = new Float32Array(rows.length * K);
  rows.forEach((r, i) => {
    features.set(r.features, i * F);
    logits.set(r.logits, i * K);
  });
  return { features, logits, sharedActive: rows[0].sharedActive };
}

/** What the HTTP side needs to predict as the trainer's model does. */
export interface PublishedWeights {
  readonly model: string;
  /** Micro-batches learnt so far: the model's version. */
  readonly version: number;
  readonly lastSeq: number;
  readonly examplesLearned: number;
  /** Examples learnt and then undone by a rollback: never learnt again. */
  readonly examplesSkipped: number;
  readonly seenClasses: readonly number[];
  /** Test-then-train: each example predicted by the shared model just before it learnt it. */
  readonly prequential: { readonly correct: number; readonly total: number };
  readonly weights: readonly Float32Array[];
  /** The personal heads changed since the last publication (null: the user was removed). */
  readonly personal: Readonly<Record<string, PersonalHead | null>>;
  /** True when `personal` holds every head (the server drops any it has beyond them). */
  readonly personalComplete: boolean;
}

export class ModelTrainer {
  private learner!: Learner;
  private heads: PersonalHeads | null = null;
  private drift: ModelDriftWatch | null = null;
  private statements: ReturnType<typeof trainerStatements>;
  private lastSeq = 0;
  private personalSeq = 0;
  private lastBatchId = 0;
  private examplesLearned = 0;
  private examplesSkipped = 0;
  private version = 0;
  private sinceSnapshot = 0;
  private prequential = { correct: 0, total: 0 };
  private publishAll = true;
  readonly dir: string;

  constructor(
    db: Database,
    readonly config: ServedModelConfig,
    dataDir: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.statements = trainerStatements(db, config.name);
    this.dir = snapshotsDir(dataDir, config.name);
  }

  /** Loads the newest valid snapshot (or a fresh learner) and learns again the batches recorded after it. */
  async start(): Promise<void> {
    let personalText: string | null = null;
    let drift: ModelDriftWatch | null = null;
    const restored = await loadNewestSnapshot(
      this.dir,
      (version, reason) => this.log(`${this.config.name}: snapshot ${version} passed over: ${reason}`),
      (path) => {
        // A damaged file passes the snapshot over, as a damaged learner does.
        drift = this.driftFrom(path);
        if (!this.config.personal.enabled) return;
        personalText = readFileSync(join(path, PERSONAL_FILE), 'utf8');
        PersonalHeads.check(personalText, join(path, PERSONAL_FILE));
      },
    );
    if (
      restored &&
      JSON.stringify(restored.learner.manifest().description) !== JSON.stringify(this.config.learner)
    ) {
      restored.learner.dispose();
      throw new ConfigError(
        `models (${this.config.name}).learner`,
        `expected the learner config its snapshots in ${this.dir} were made with; a changed model needs a new name or a new data folder`,
      );
    }
    this.learner = restored ? restored.learner : await createLearner(this.config.learner);
    this.heads = this.makeHeads();
    this.drift = restored ? drift : this.driftFrom(null);
    if (restored) {
      const m = restored.meta;
      [this.lastSeq, this.personalSeq, this.lastBatchId] = [m.lastSeq, m.personalSeq, m.lastBatchId];
      [this.examplesLearned, this.examplesSkipped, this.version] = [
        m.examplesLearned,
        m.examplesSkipped ?? 0,
        m.version,
      ];
      this.prequential = { ...m.prequential };
      if (personalText !== null) this.heads?.restore(personalText);
    }
    this.relearn(this.statements.batchesAfter(this.lastBatchId));
    // Deletions a crash interrupted are carried out before anything else is learnt.
    for (const deletion of this.statements.pendingDeletions()) await this.forgetUser(deletion);
  }

  /** The recorded deletion `id` when it is still to be carried out. */
  pendingDeletion(id: number): PendingDeletion | undefined {
    return this.statements.pendingDeletions().find((d) => d.id === id);
  }

  /** Learns the recorded `batches` again, in order, as they were cut. */
  private relearn(batches: readonly RecordedBatch[]): void {
    for (const batch of batches) {
      if (batch.kind === 'shared')
        this.learnShared(this.statements.sharedRange(batch.first, batch.last), batch.last);
      else {
        this.learnPersonal(batch.last);
        this.version += 1;
      }
      this.lastBatchId = batch.id;
    }
  }

  /**
   * Carries out a deletion the HTTP side recorded: the user's examples up to `deletion.upTo`
   * leave the memories, the snapshots and then the log; their head goes. The log rows go last,
   * in the transaction that marks the deletion done, so that a crash before it repeats the whole.
   */
  async forgetUser(deletion: PendingDeletion): Promise<UserDeletion> {
    const { user, upTo, retrain } = deletion;
    const sampleSize = this.config.learner.sampleShape.reduce((a, b) => a * b, 1);
    const inputs = this.statements.userInputs(user, upTo);
    const x = new Float32Array(inputs.length * sampleSize);
    inputs.forEach((row, i) => x.set(row, i * sampleSize));
    const match = matchRows(x, sampleSize);
    const rowsIn = (removed: Record<string, number>) => Object.values(removed).reduce((a, b) => a + b, 0);
    const memoryRowsDeleted = rowsIn(this.learner.forgetExamples(match));
    this.heads?.remove(user);
    this.drift?.remove(user);
    if (retrain) {
      // Their examples out of the log first (the transaction ends the deletion), then the model
      // learns the log again from nothing; the old snapshots learnt from them and go.
      const examplesDeleted = this.statements.finishDeletion(deletion);
      await this.retrain();
      return {
        user,
        examplesDeleted,
        memoryRowsDeleted,
        snapshotsRewritten: 0,
        snapshotsRemoved: 0,
        retrained: true,
      };
    }
    const snapshots = await rewriteSnapshots(this.dir, (learner, path): Record<string, string> => {
      learner.forgetExamples(match);
      const files: Record<string, string> = {};
      const personal = join(path, PERSONAL_FILE);
      if (this.heads) files[PERSONAL_FILE] = PersonalHeads.withoutUser(readFileSync(personal, 'utf8'), user);
      const drift = join(path, DRIFT_FILE);
      if (existsSync(drift))
        files[DRIFT_FILE] = ModelDriftWatch.withoutUser(readFileSync(drift, 'utf8'), user);
      return files;
    });
    this.version += 1;
    this.publishAll = true;
    await this.snapshot();
    const examplesDeleted = this.statements.finishDeletion(deletion);
    return {
      user,
      examplesDeleted,
      memoryRowsDeleted,
      snapshotsRewritten: snapshots.rewritten,
      snapshotsRemoved: snapshots.removed,
      retrained: false,
    };
  }

  /**
   * Trains a fresh learner and fresh heads on every recorded batch no rollback undid, from the log
   * as it is now, replacing every snapshot with one of the result.
   */
  private async retrain(): Promise<void> {
    const version = this.version;
    this.learner.dispose();
    this.learner = await createLearner(this.config.learner);
    this.heads = this.makeHeads();
    this.drift = this.driftFrom(null);
    [this.lastSeq, this.personalSeq, this.examplesLearned] = [0, 0, 0];
    this.prequential = { correct: 0, total: 0 };
    const lastBatchId = this.lastBatchId;
    this.relearn(this.statements.batchesKept());
    this.lastBatchId = lastBatchId;
    // Versions only grow: the retrained model is newer than anything served before.
    this.version = version + 1;
    this.publishAll = true;
    removeSnapshots(this.dir);
    this.sinceSnapshot = 0;
    await this.snapshot();
  }

  /**
   * The drift detectors a snapshot at `path` saved (fresh ones for null, or for a snapshot made
   * before drift detection existed); null when the config turns drift off. Throws on a damaged file.
   */
  private driftFrom(path: string | null): ModelDriftWatch | null {
    if (this.config.drift === false) return null;
    const watch = new ModelDriftWatch(this.config.drift);
    const file = path === null ? null : join(path, DRIFT_FILE);
    if (file && existsSync(file)) watch.restore(readFileSync(file, 'utf8'), file);
    return watch;
  }

  private makeHeads(): PersonalHeads | null {
    if (!this.config.personal.enabled) return null;
    const model = this.learner.model;
    if (!model.features) {
      throw new ConfigError(
        `models (${this.config.name}).personal.enabled`,
        `expected false: a ${this.config.learner.model.type} model has no features for personal heads`,
      );
    }
    const featureSize = tf.tidy(
      () => model.features!(tf.zeros([1, ...this.config.learner.sampleShape])).shape[1],
    );
    const sampleSize = this.config.learner.sampleShape.reduce((a, b) => a * b, 1);
    return new PersonalHeads(
      featureSize,
      model.numClasses,
      sampleSize,
      this.config.personal,
      this.config.learner.seed,
    );
  }

  /** Learns the next micro-batch of the log, when there is one; the examples it learnt (0: none yet). */
  async step(): Promise<number> {
    const { microBatch, flushAfterMs } = this.config;
    const quiet = (at: number) => Date.now() - at >= flushAfterMs;
    const shared = this.statements.sharedAfter(this.lastSeq, microBatch);
    let learnt = 0;
    if (shared.length === microBatch || (shared.length > 0 && quiet(shared[shared.length - 1].at))) {
      const last = shared[shared.length - 1].seq;
      this.lastBatchId = this.statements.recordBatch('shared', shared[0].seq, last, shared.length);
      learnt = this.learnShared(shared, last);
    } else if (shared.length === 0 && this.heads) {
      // Only private examples wait: the heads learn them once the log is quiet.
      const newest = this.statements.newestPersonal(this.personalSeq);
      if (newest && quiet(newest.at)) {
        this.lastBatchId = this.statements.recordBatch('personal', this.personalSeq + 1, newest.seq, 0);
        learnt = this.learnPersonal(newest.seq);
        this.version += 1;
      }
    }
    if (learnt > 0 && this.sinceSnapshot >= this.config.snapshotEvery) await this.snapshot();
    return learnt;
  }

  /** The shared model learns `examples` (one micro-batch), then the heads everything up to `last`. */
  private learnShared(examples: readonly LoggedExample[], last: number): number {
    const personal = this.personalRows(last);
    let untrained: Map<number, Untrained> | undefined;
    if (examples.length > 0) {
      const size = examples[0].x.length;
      const x = new Float32Array(examples.length * size);
      examples.forEach((e, i) => x.set(e.x, i * size));
      const predicted = this.learner.predict(x);
      // What the heads are tested on: the shared model before it learns this batch.
      untrained = this.untrainedOutputs(personal);
      this.prequential.correct += predicted.filter((p, i) => p.label === examples[i].y).length;
      this.prequential.total += examples.length;
      const errors = examples.map((e, i) => ({ seq: e.seq, wrong: predicted[i].label !== e.y }));
      const drifts = this.drift?.observe(null, errors) ?? [];
      if (drifts.length > 0) {
        this.statements.recordDrifts(drifts);
        // The stream changed before this batch was learnt: what came before is a finished
        // experience, consolidated by the strategies that do so at a boundary.
        if (this.config.drift !== false && this.config.drift.endTask) this.learner.endTask();
      }
      this.learner.learn({ x, y: Int32Array.from(examples, (e) => e.y) });
      this.examplesLearned += examples.length;
      this.sinceSnapshot += examples.length;
    }
    this.lastSeq = last;
    this.version += 1;
    return examples.length + this.learnPersonal(last, personal, untrained);
  }

  /**
   * The examples the heads are to learn next, up to `upTo`: those with a user after `personalSeq`
   * (none without heads).
   */
  private personalRows(upTo: number): LoggedExample[] {
    if (!this.heads || upTo <= this.personalSeq) return [];
    return this.statements.personalRange(this.personalSeq, upTo);
  }

  /**
   * The shared model's features and logits, by sequence number, on the heads' `rows`, and the
   * classes it has seen: taken before a shared step, for the heads' test. One pass over all of
   * them: it only scores (the heads learn from their own passes).
   */
  private untrainedOutputs(rows: readonly LoggedExample[]): Map<number, Untrained> | undefined {
    if (rows.length === 0) return undefined;
    const size = rows[0].x.length;
    const x = new Float32Array(rows.length * size);
    rows.forEach((r, i) => x.set(r.x, i * size));
    const { features, logits } = sharedForward(this.learner.model, this.config.learner.sampleShape)(
      x,
      rows.length,
    );
    const [F, K] = [features.length / rows.length, logits.length / rows.length];
    const sharedActive = [...this.learner.seenClasses];
    return new Map(
      rows.map((r, i) => [
        r.seq,
        {
          features: features.subarray(i * F, (i + 1) * F),
          logits: logits.subarray(i * K, (i + 1) * K),
          sharedActive,
        },
      ]),
    );
  }

  /**
   * The heads learn every example with a user in (personalSeq, upTo], user by user; the private
   * ones among them, counted. `rows`: those examples, when already read; `untrained`: the shared
   * model's outputs on them before its step.
   */
  private learnPersonal(
    upTo: number,
    rows: readonly LoggedExample[] = this.personalRows(upTo),
    untrained?: Map<number, Untrained>,
  ): number {
    if (!this.heads || upTo <= this.personalSeq) {
      this.personalSeq = Math.max(this.personalSeq, upTo);
      return 0;
    }
    this.personalSeq = upTo;
    const byUser = new Map<string, LoggedExample[]>();
    for (const r of rows) {
      const own = byUser.get(r.user!);
      if (own) own.push(r);
      else byUser.set(r.user!, [r]);
    }
    const forward = sharedForward(this.learner.model, this.config.learner.sampleShape);
    let privateLearnt = 0;
    const chunk = this.config.microBatch;
    for (const [user, examples] of byUser) {
      // A user's examples in batches of microBatch, in order, each with its replay.
      for (let start = 0; start < examples.length; start += chunk) {
        const part = examples.slice(start, start + chunk);
        const size = part[0].x.length;
        const x = new Float32Array(part.length * size);
        part.forEach((e, i) => x.set(e.x, i * size));
        const tested =
          untrained && part.every((e) => untrained.has(e.seq))
            ? joinUntrained(part.map((e) => untrained.get(e.seq)!))
            : undefined;
        const right = this.heads.learn(
          user,
          x,
          part.map((e) => e.y),
          forward,
          this.learner.seenClasses,
          tested,
        );
        const drifts = this.drift?.observe(
          user,
          part.map((e, i) => ({ seq: e.seq, wrong: !right[i] })),
        );
        if (drifts?.length) this.statements.recordDrifts(drifts);
      }
      privateLearnt += examples.filter((e) => e.private).length;
    }
    this.examplesLearned += privateLearnt;
    this.sinceSnapshot += privateLearnt;
    return privateLearnt;
  }

  async snapshot(): Promise<void> {
    if (this.version === 0) return;
    await writeSnapshot(
      this.dir,
      this.learner,
      {
        version: this.version,
        lastSeq: this.lastSeq,
        personalSeq: this.personalSeq,
        lastBatchId: this.lastBatchId,
        examplesLearned: this.examplesLearned,
        prequential: { ...this.prequential },
        examplesSkipped: this.examplesSkipped,
        at: new Date().toISOString(),
      },
      this.config.keepSnapshots,
      {
        ...(this.heads ? { [PERSONAL_FILE]: this.heads.save() } : {}),
        ...(this.drift ? { [DRIFT_FILE]: this.drift.save() } : {}),
      },
    );
    this.sinceSnapshot = 0;
  }

  /**
   * Sets the learner and the heads back to snapshot `version`. The examples learnt since that
   * snapshot are skipped, not learnt again (a rollback undoes them); later examples are learnt as
   * usual. The result is snapshotted at once, under a new version, so that a restart keeps it.
   */
  async rollback(version: number): Promise<void> {
    const meta = listSnapshots(this.dir).find((s) => s.version === version);
    if (!meta) {
      const kept = listSnapshots(this.dir).map((s) => s.version);
      throw new Error(`no snapshot ${version} (kept: ${kept.join(', ') || 'none'})`);
    }
    const path = snapshotPath(this.dir, version);
    const learner = await loadLearner(path);
    if (this.heads) this.heads.restore(readFileSync(join(path, PERSONAL_FILE), 'utf8'));
    this.drift = this.driftFrom(path);
    this.learner.dispose();
    this.learner = learner;
    this.statements.markUndone(meta.lastBatchId, this.lastBatchId);
    this.examplesSkipped += this.examplesLearned - meta.examplesLearned;
    this.examplesLearned = meta.examplesLearned;
    this.prequential = { ...meta.prequential };
    this.version += 1;
    this.publishAll = true;
    await this.snapshot();
  }

  published(): PublishedWeights {
    const all = this.publishAll;
    this.publishAll = false;
    return {
      model: this.config.name,
      version: this.version,
      lastSeq: this.lastSeq,
      examplesLearned: this.examplesLearned,
      examplesSkipped: this.examplesSkipped,
      seenClasses: this.learner.seenClasses,
      prequential: { ...this.prequential },
      weights: modelWeights(this.learner.model).map((v) => v.dataSync() as Float32Array),
      personal: this.heads ? (all ? this.heads.all() : this.heads.takeChanged()) : {},
      personalComplete: all,
    };
  }

  dispose(): void {
    this.learner?.dispose();
  }
}
