/**
 * A served model's snapshots: `<dataDir>/models/<model>/snapshots/<version>/`, each a saved
 * Learner (model, optimizer, every plugin's state, random state) and `snapshot.json`, written
 * last, with the log position it holds: the last sequence number learnt and the examples learnt.
 * A snapshot is written into `<version>.partial` and renamed, so a crash leaves either the whole
 * snapshot or none; one damaged later (a truncated file) is passed over for the one before it.
 * Deleting a user rewrites every snapshot without their rows (`rewriteSnapshots`), so that no
 * rollback or restart brings them back.
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
  await writeWhole(join(dir, pad(meta.version)), learner, meta, extra);
  for (const old of listSnapshots(dir).slice(keep))
    rmSync(join(dir, pad(old.version)), { recursive: true, force: true });
}

/**
 * Writes `learner`, the `extra` files and `meta` (last) into `<final>.partial`, then swaps it in
 * for `final`: a crash leaves the old folder or the new one (or, between the two renames, both
 * beside it, cleared by the next rewrite).
 */
async function writeWhole(
  final: string,
  learner: Learner,
  meta: SnapshotMeta,
  extra: Readonly<Record<string, string>>,
): Promise<void> {
  const partial = `${final}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await learner.save(partial);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(partial, name), text);
  writeFileSync(join(partial, META), JSON.stringify(meta, null, 1) + '\n');
  const old = `${final}.old`;
  if (existsSync(final)) renameSync(final, old);
  renameSync(partial, final);
  rmSync(old, { recursive: true, force: true });
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

/**
 * Rewrites every snapshot through `change`, which edits its loaded learner and returns the extra
 * files to write beside it (name -> text; the others but snapshot.json are dropped). Each is
 * written whole into `<version>.partial` and swapped in, so a crash leaves the old or the new
 * one. A snapshot that does not load cannot be edited, so it is removed rather than kept as it
 * was. Returns how many were rewritten and how many removed.
 */
export async function rewriteSnapshots(
  dir: string,
  change: (learner: Learner, path: string) => Readonly<Record<string, string>>,
): Promise<{ rewritten: number; removed: number }> {
  let [rewritten, removed] = [0, 0];
  // What a crash in an earlier rewrite left half-swapped still holds the old rows.
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).filter((n) => /^\d+\.(old|partial)$/.test(n)))
      rmSync(join(dir, name), { recursive: true, force: true });
  }
  for (const meta of listSnapshots(dir)) {
    const final = join(dir, pad(meta.version));
    let learner: Learner;
    try {
      learner = await loadLearner(final);
    } catch {
      rmSync(final, { recursive: true, force: true });
      removed++;
      continue;
    }
    try {
      await writeWhole(final, learner, meta, change(learner, final));
      rewritten++;
    } finally {
      learner.dispose();
    }
  }
  return { rewritten, removed };
}

/** Removes every snapshot (a retraining replaces what they learnt). */
export function removeSnapshots(dir: string): void {
  for (const meta of listSnapshots(dir))
    rmSync(join(dir, pad(meta.version)), { recursive: true, force: true });
}

/** Snapshot `version`'s folder. */
export const snapshotPath = (dir: string, version: number) => join(dir, pad(version));
