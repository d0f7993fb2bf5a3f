/**
 * The registry's `layers` model (`model: { type: layers, path: model.json }`): a tfjs-layers model
 * saved in tf.io's layout (`model.save('file:///dir')`, tensorflowjs_converter's output), read once
 * by `readLayersFile` (the definition's `prepare`: reading is asynchronous) into a snapshot of its
 * architecture and weights, from which `buildLayersFileModel` (its `build`: synchronous) makes as
 * many classifiers as a run needs, each starting from the file's weights. Its dense layers are
 * built fused (the native backend's training step; they save as Dense). The run's seed has no
 * part: the file fixes the weights.
 */
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import {
  fromLayersModel,
  layersModelFromSnapshot,
  snapshotLayersModel,
  type LayersClassifier,
  type LayersModelSnapshot,
} from './layers-model.js';

/** What `prepare` read: the file's path and its model as plain values. */
export interface LayersFile {
  readonly path: string;
  readonly snapshot: LayersModelSnapshot;
  /** The model's outputs (its logits' width, checked against the stream's classes). */
  readonly numClasses: number;
}

/** Reads the model at `path` (relative to `baseDir`): architecture and weights, then frees the tensors. */
export async function readLayersFile(path: string, baseDir: string): Promise<LayersFile> {
  const file = resolve(baseDir, path);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(pathToFileURL(file).href);
  } catch (error) {
    throw new ConfigError(
      'model.path',
      `cannot load a tfjs LayersModel from ${file}: ${(error as Error).message}`,
    );
  }
  try {
    // Refuses what cannot train (several inputs, no [batch, classes] logits) here, before the run.
    const probe = fromLayersModel(model, { name: 'model.path', disposeModel: false });
    return { path: file, snapshot: snapshotLayersModel(model), numClasses: probe.numClasses };
  } finally {
    model.dispose();
  }
}

/** A classifier from what `readLayersFile` read, checked against the stream's sample shape and classes. */
export function buildLayersFileModel(
  path: string,
  shape: { readonly inputShape: readonly number[]; readonly numClasses: number },
  prepared: LayersFile | undefined,
): LayersClassifier {
  if (!prepared) {
    throw new ConfigError(
      'model',
      `the layers model ${path} is read by the definition's prepare(options, { baseDir }), awaited before build`,
    );
  }
  const { snapshot } = prepared;
  const matches =
    snapshot.inputShape.length === shape.inputShape.length &&
    snapshot.inputShape.every((d, i) => d === -1 || d === shape.inputShape[i]);
  if (!matches) {
    throw new ConfigError(
      'model.path',
      `${prepared.path} takes samples of shape [${snapshot.inputShape.join(', ')}], the stream's are [${shape.inputShape.join(', ')}]`,
    );
  }
  if (prepared.numClasses !== shape.numClasses) {
    throw new ConfigError(
      'model.path',
      `${prepared.path} has ${prepared.numClasses} outputs, the stream has ${shape.numClasses} classes`,
    );
  }
  return fromLayersModel(layersModelFromSnapshot(snapshot, { fuseDense: true }), {
    name: `layers(${basename(dirname(prepared.path))}/${basename(prepared.path)})`,
  });
}
