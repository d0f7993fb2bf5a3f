/**
 * A run's checkpoints on disk: `<dir>/checkpoint-000001.ckpt`, `-000002`, ..., each written
 * atomically (temporary file, fsync, rename), so a crash while saving leaves the previous
 * checkpoint as the newest one. The newest `keep` files are kept; resuming takes the newest one
 * that loads and fits the run, and says why it refused any newer one.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StateValue } from '../core/state.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { decodeCheckpoint, encodeCheckpoint } from './file-format.js';

const NAME = /^checkpoint-(\d{6,})\.ckpt$/;

export interface LoadedCheckpoint {
  /** The newest usable checkpoint, or null when none is. */
  readonly found: { readonly file: string; readonly state: StateValue } | null;
  /** Newer checkpoints that were refused, and why (truncated, altered, another run's). */
  readonly refused: readonly { file: string; reason: string }[];
}

export interface CheckpointStore {
  readonly dir: string;
  /** Writes a new checkpoint after the newest one; returns its path. */
  save(state: StateValue): string;
  /** Checkpoint files, oldest first. */
  files(): string[];
  /**
   * The newest checkpoint that decodes and that `accept` accepts (it throws, with a reason, to
   * refuse one: e.g. another config's), and the newer ones refused.
   */
  latest(accept?: (state: StateValue, file: string) => void): LoadedCheckpoint;
}

export function checkpointStore(dir: string, { keep = 3 }: { keep?: number } = {}): CheckpointStore {
  if (!(Number.isInteger(keep) && keep >= 1))
    throw new RangeError(`keep: expected an integer >= 1, got ${keep}`);
  const numbered = () => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return []; // no folder yet: no checkpoints
    }
    return names
      .map((name) => ({ name, match: NAME.exec(name) }))
      .filter((f) => f.match)
      .map((f) => ({ file: join(dir, f.name), n: Number(f.match![1]) }))
      .sort((a, b) => a.n - b.n);
  };
  return {
    dir,
    save(state) {
      mkdirSync(dir, { recursive: true });
      const existing = numbered();
      const n = (existing.at(-1)?.n ?? 0) + 1;
      const file = join(dir, `checkpoint-${String(n).padStart(6, '0')}.ckpt`);
      writeFileAtomic(file, encodeCheckpoint(state));
      // Older files go only once the new one is in place.
      for (const old of existing.slice(0, Math.max(0, existing.length + 1 - keep)))
        rmSync(old.file, { force: true });
      return file;
    },
    files: () => numbered().map((f) => f.file),
    latest(accept) {
      const refused: { file: string; reason: string }[] = [];
      for (const { file } of numbered().reverse()) {
        try {
          const state = decodeCheckpoint(readFileSync(file), file);
          accept?.(state, file);
          return { found: { file, state }, refused };
        } catch (error) {
          refused.push({ file, reason: (error as Error).message });
        }
      }
      return { found: null, refused };
    },
  };
}
