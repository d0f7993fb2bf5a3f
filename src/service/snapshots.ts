/**
 * A served model's snapshots: `<dataDir>/models/<model>/snapshots/<version>/`, each a saved
 * Learner (model, optimizer, every plugin's state, random state) and `snapshot.json`, written
 * last, with the log position it holds: the last sequence number learnt and the examples learnt.
 * A snapshot is written into `<version>.partial` and renamed, so a crash leaves either the whole
 * snapshot or none; one damaged later (a truncated file) is passed over for the one before it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Learner } from '../training/learner.js';
import { loadLearner } from '../learner/load-learner.js';

export interface SnapshotMeta {
  readonly version: number;
  /** The last log sequence number the snapshot's learner has learnt (0: none). */
  readonly lastSeq: number;
  readonly examplesLearned: number;
  readonly prequential: { readonly correct: number; readonly total: number };
  /** Examples undone by rollbacks so far (absent before the first). */
  readonly examplesSkipped?: number;
  /** The last sequence number the personal heads have learnt. */
  readonly personalSeq: number;
  /** The last recorded micro-batch the snapshot holds. */
  readonly lastBatchId: number;
  readonly at: string;
}

const META = 'snapshot.json';
const pad = (version: number) => String(version).padStart(9, '0');

export const snapshotsDir = (dataDir: string, model: string) => join(dataDir, 'models', model, 'snapshots');

/**
 * Writes `learner` and the `extra` files (name -> text) as snapshot `meta.version`, and removes
 * all but the newest `keep`.
 */
export async function writeSnapshot(
  dir: string,
  learner: Learner,
  meta: SnapshotMeta,
  keep: number,
  extra: Readonly<Record<string, string>> = {},
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const final = join(dir, pad(meta.version));
  const partial = `${final}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await learner.save(partial);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(partial, name), text);
  writeFileSync(join(partial, META), JSON.stringify(meta, null, 1) + '\n');
  rmSync(final, { recursive: true, force: true });
  renameSync(partial, final);
  for (const old of listSnapshots(dir).slice(keep))
    rmSync(join(dir, pad(old.version)), { recursive: true, force: true });
}

/** The snapshots whose snapshot.json reads, newest first (their learner files are checked on load). */
export function listSnapshots(dir: string): SnapshotMeta[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d+$/.test(name))
    .sort()
    .reverse()
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(join(dir, name, META), 'utf8')) as SnapshotMeta];
      } catch {
        return [];
      }
    });
}

/**
 * The newest snapshot that loads, with its learner; the ones that do not load are reported to
 * `skipped` (why) and passed over. Null when none loads.
 */
export async function loadNewestSnapshot(
  dir: string,
  skipped: (version: number, reason: string) => void = () => {},
  /** Reads what the caller keeps beside the learner; throwing passes the snapshot over too. */
  extra: (path: string) => void = () => {},
): Promise<{ meta: SnapshotMeta; learner: Learner } | null> {
  for (const meta of listSnapshots(dir)) {
    try {
      const path = join(dir, pad(meta.version));
      const learner = await loadLearner(path);
      try {
        extra(path);
      } catch (error) {
        learner.dispose();
        throw error;
      }
      return { meta, learner };
    } catch (error) {
      skipped(meta.version, error instanceof Error ? error.message : String(error));
    }
  }
  return null;
}

/** Snapshot `version`'s folder. */
export const snapshotPath = (dir: string, version: number) => join(dir, pad(version));
