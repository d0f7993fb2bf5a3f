/**
 * One served model's trainer: a Learner (the same step as `fit` and every Learner) fed from the
 * durable log in micro-batches cut by sequence number: `microBatch` examples, or fewer once the
 * log has been quiet for `flushAfterMs` (so that a lull does not leave examples unlearnt, and a
 * busy log is learnt in full batches whatever the arrival timing). Each micro-batch is recorded in the log
 * before it is learnt, so a restart, which loads the newest snapshot, learns again exactly the
 * batches recorded after it and then goes on: every acknowledged example is learnt once by the
 * model that survives, whatever the timing of the crash. Snapshots every `snapshotEvery` examples.
 */
import { createLearner } from '../learner/create-learner.js';
import { modelWeights } from '../models/classifier.js';
import type { Learner } from '../training/learner.js';
import { trainerStatements, type Database, type LoggedExample } from './log-store.js';
import type { ServedModelConfig } from './service-config.js';
import { loadLearner } from '../learner/load-learner.js';
import { listSnapshots, loadNewestSnapshot, snapshotPath, snapshotsDir, writeSnapshot } from './snapshots.js';

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
  /** Test-then-train: each example predicted by the model just before it learnt it. */
  readonly prequential: { readonly correct: number; readonly total: number };
  readonly weights: readonly Float32Array[];
}

export class ModelTrainer {
  private learner!: Learner;
  private statements: ReturnType<typeof trainerStatements>;
  private lastSeq = 0;
  private examplesLearned = 0;
  private examplesSkipped = 0;
  private version = 0;
  private sinceSnapshot = 0;
  private prequential = { correct: 0, total: 0 };
  readonly dir: string;

  constructor(
    private readonly db: Database,
    readonly config: ServedModelConfig,
    dataDir: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.statements = trainerStatements(db, config.name);
    this.dir = snapshotsDir(dataDir, config.name);
  }

  /** Loads the newest valid snapshot (or a fresh learner) and learns again the batches recorded after it. */
  async start(): Promise<void> {
    const restored = await loadNewestSnapshot(this.dir, (version, reason) =>
      this.log(`${this.config.name}: snapshot ${version} passed over: ${reason}`),
    );
    if (restored) {
      this.learner = restored.learner;
      ({
        lastSeq: this.lastSeq,
        examplesLearned: this.examplesLearned,
        version: this.version,
      } = restored.meta);
      this.prequential = { ...restored.meta.prequential };
      this.examplesSkipped = restored.meta.examplesSkipped ?? 0;
    } else {
      this.learner = await createLearner(this.config.learner);
    }
    for (const batch of this.statements.batchesAfter(this.lastSeq)) {
      this.learnBatch(this.statements.range(batch.first, batch.last));
    }
  }

  /** Learns the next micro-batch of the log, when there is one; the examples it learnt (0: none yet). */
  async step(): Promise<number> {
    const examples = this.statements.after(this.lastSeq, this.config.microBatch);
    if (examples.length === 0) return 0;
    const quietFor = Date.now() - examples[examples.length - 1].at;
    if (examples.length < this.config.microBatch && quietFor < this.config.flushAfterMs) return 0;
    this.statements.recordBatch(examples[0].seq, examples[examples.length - 1].seq, examples.length);
    this.learnBatch(examples);
    if (this.sinceSnapshot >= this.config.snapshotEvery) await this.snapshot();
    return examples.length;
  }

  private learnBatch(examples: readonly LoggedExample[]): void {
    const size = examples[0].x.length;
    const x = new Float32Array(examples.length * size);
    examples.forEach((e, i) => x.set(e.x, i * size));
    const predicted = this.learner.predict(x);
    this.prequential.correct += predicted.filter((p, i) => p.label === examples[i].y).length;
    this.prequential.total += examples.length;
    this.learner.learn({ x, y: Int32Array.from(examples, (e) => e.y) });
    this.lastSeq = examples[examples.length - 1].seq;
    this.examplesLearned += examples.length;
    this.version += 1;
    this.sinceSnapshot += examples.length;
  }

  async snapshot(): Promise<void> {
    if (this.version === 0) return;
    await writeSnapshot(
      this.dir,
      this.learner,
      {
        version: this.version,
        lastSeq: this.lastSeq,
        examplesLearned: this.examplesLearned,
        prequential: { ...this.prequential },
        examplesSkipped: this.examplesSkipped,
        at: new Date().toISOString(),
      },
      this.config.keepSnapshots,
    );
    this.sinceSnapshot = 0;
  }

  /**
   * Sets the learner back to snapshot `version`. The examples learnt since that snapshot are
   * skipped, not learnt again (a rollback undoes them); later examples are learnt as usual. The
   * result is snapshotted at once, under a new version, so that a restart keeps it.
   */
  async rollback(version: number): Promise<void> {
    const meta = listSnapshots(this.dir).find((s) => s.version === version);
    if (!meta) {
      const kept = listSnapshots(this.dir).map((s) => s.version);
      throw new Error(`no snapshot ${version} (kept: ${kept.join(', ') || 'none'})`);
    }
    const learner = await loadLearner(snapshotPath(this.dir, version));
    this.learner.dispose();
    this.learner = learner;
    this.examplesSkipped += this.examplesLearned - meta.examplesLearned;
    this.examplesLearned = meta.examplesLearned;
    this.prequential = { ...meta.prequential };
    this.version += 1;
    await this.snapshot();
  }

  published(): PublishedWeights {
    return {
      model: this.config.name,
      version: this.version,
      lastSeq: this.lastSeq,
      examplesLearned: this.examplesLearned,
      examplesSkipped: this.examplesSkipped,
      seenClasses: this.learner.seenClasses,
      prequential: { ...this.prequential },
      weights: modelWeights(this.learner.model).map((v) => v.dataSync() as Float32Array),
    };
  }

  dispose(): void {
    this.learner?.dispose();
  }
}
