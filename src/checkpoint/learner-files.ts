/**
 * A saved model that lives on: the folder a Learner's `save(dir)` writes, and a finished run
 * under `<run>/models/<strategy>/`. One layout for both, read by `loadLearner`, `unforget
 * predict` and `unforget evaluate`:
 *
 *   model.json, weights.bin  the model in the TensorFlow.js format, where it is a tfjs-layers
 *                            model (plain `tf.loadLayersModel` reads it, with no unforget code)
 *   state.ckpt               the learner's state in the checkpoint file format (file-format.ts):
 *                            weights bit for bit, optimizer, every plugin's state, classes seen
 *   unforget.json            what it is and how to build it again; written last, so a folder
 *                            that has it is complete
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError } from '../core/errors.js';
import type { StateValue } from '../core/state.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { decodeCheckpoint, encodeCheckpoint } from './file-format.js';

export const MODEL_MANIFEST = 'unforget.json';
export const MODEL_STATE = 'state.ckpt';
export const SAVED_MODEL_FORMAT = 'unforget-model/1';

/** What unforget.json holds. */
export interface SavedModelManifest {
  readonly format: typeof SAVED_MODEL_FORMAT;
  /** The strategy's name (as its state names it). */
  readonly strategy: string;
  /** How to build the learner again: its model, strategy and optimizer configs, as given. */
  readonly description: Readonly<Record<string, unknown>> | null;
  readonly sampleShape: readonly number[];
  readonly numClasses: number;
  readonly classNames: readonly string[] | null;
  readonly seenClasses: readonly number[];
  /** The TensorFlow.js model file beside it, or null when the model is not a tfjs-layers one. */
  readonly tfjs: string | null;
}

/** Writes the state, then the manifest (the model files are written before, by the caller). */
export function writeSavedModel(dir: string, manifest: SavedModelManifest, state: StateValue): void {
  writeFileAtomic(join(dir, MODEL_STATE), encodeCheckpoint(state));
  writeFileAtomic(join(dir, MODEL_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads a saved model's manifest and state, refusing a folder that is not one, naming why. */
export function readSavedModel(dir: string): { manifest: SavedModelManifest; state: StateValue } {
  const manifestFile = join(dir, MODEL_MANIFEST);
  if (!existsSync(manifestFile)) {
    throw new DataFormatError(dir, `not a saved model: it has no ${MODEL_MANIFEST}`);
  }
  let manifest: SavedModelManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as SavedModelManifest;
  } catch (error) {
    throw new DataFormatError(manifestFile, `not valid JSON (${(error as Error).message})`);
  }
  if (manifest?.format !== SAVED_MODEL_FORMAT) {
    throw new DataFormatError(
      manifestFile,
      `expected format ${SAVED_MODEL_FORMAT}, got ${JSON.stringify(manifest?.format)}`,
    );
  }
  const stateFile = join(dir, MODEL_STATE);
  if (!existsSync(stateFile)) throw new DataFormatError(dir, `not a saved model: it has no ${MODEL_STATE}`);
  return { manifest, state: decodeCheckpoint(readFileSync(stateFile), stateFile) };
}
