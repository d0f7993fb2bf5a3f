/**
 * `file://` for tf.io in Node, without tfjs-node: `model.save('file:///abs/dir')` writes
 * `dir/model.json` (the model's topology, training config, metadata and a `weightsManifest`) and
 * `dir/weights.bin` (every weight, in the manifest's order), the layout tfjs-node writes and
 * `tensorflowjs_converter` reads; `tf.loadLayersModel('file:///abs/dir/model.json')` reads it back,
 * the weight files named by the manifest resolved beside model.json (a folder is read as its
 * model.json). The routers are registered once, by src/engine/tf.ts, so importing unforget is
 * enough; when another package (tfjs-node) already handles `file://`, unforget's stay out of its way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../core/atomic-write.js';
import { DataFormatError } from '../core/errors.js';

export const FILE_SCHEME = 'file://';
/** The names the save handler writes in its folder. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** A `file://` URL (or a plain path) as an absolute path. */
export function filePath(url: string): string {
  if (!url.startsWith(FILE_SCHEME)) return resolve(url);
  // file:///abs/dir (the standard form); file://relative/dir is read as a path, as tfjs-node does.
  return url.startsWith('file:///') ? fileURLToPath(url) : resolve(url.slice(FILE_SCHEME.length));
}

/** A Node Buffer's bytes as an ArrayBuffer of their own. */
function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Saves model artifacts into the folder `dir` (created if missing) as model.json and weights.bin. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new DataFormatError(
          dir,
          'file:// saves JSON model topologies only (a LayersModel), not binary graphs',
        );
      }
      if (existsSync(dir) && !statSync(dir).isDirectory()) {
        throw new DataFormatError(dir, 'file:// saves into a folder, and this path is a file');
      }
      mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : null;
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: weights ? [WEIGHTS_BIN] : [], weights: artifacts.weightSpecs ?? [] }],
      };
      // Optional fields only when present, as tfjs writes them.
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.modelInitializer) modelJson.modelInitializer = artifacts.modelInitializer;
      if (artifacts.initializerSignature) modelJson.initializerSignature = artifacts.initializerSignature;
      // The weights first: a model.json on disk always names weights that are there.
      if (weights) writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Loads model artifacts from `path`: a model.json, or a folder holding one. */
export function fileLoadHandler(path: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = existsSync(path) && statSync(path).isDirectory() ? join(path, MODEL_JSON) : path;
      if (!existsSync(jsonPath)) throw new DataFormatError(jsonPath, 'no such file');
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new DataFormatError(jsonPath, `not JSON (${(error as Error).message})`);
      }
      if (modelJson === null || typeof modelJson !== 'object' || modelJson.modelTopology == null) {
        throw new DataFormatError(jsonPath, 'expected a model.json with a modelTopology');
      }
      const folder = dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers = manifest.flatMap((group) =>
          group.paths.map((p) => {
            const weightsPath = resolve(folder, p);
            if (!existsSync(weightsPath)) {
              throw new DataFormatError(jsonPath, `its weights manifest names ${p}, which is not there`);
            }
            return arrayBufferOf(readFileSync(weightsPath));
          }),
        );
        return [tf.io.getWeightSpecs(manifest), tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

type IORouter = Parameters<typeof tf.io.registerSaveRouter>[0];

/** A router for `file://` URLs (tf.io asks every router; null: not ours). */
const router = (handler: (path: string) => tf.io.IOHandler): IORouter =>
  ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith(FILE_SCHEME) ? handler(filePath(url)) : null) as IORouter;

let registered: boolean | undefined;

/**
 * Registers the `file://` save and load routers with tf.io, once. Nothing is registered where
 * `file://` already has a handler (tfjs-node's, or another copy of unforget's modules sharing this
 * tfjs): two handlers for one URL make tf.io refuse both. Returns whether this call or an earlier
 * one registered them.
 */
export function registerFileRouters(): boolean {
  if (registered !== undefined) return registered;
  const taken =
    tf.io.getSaveHandlers('file:///unforget-probe').length > 0 ||
    tf.io.getLoadHandlers('file:///unforget-probe/model.json').length > 0;
  if (!taken) {
    tf.io.registerSaveRouter(router(fileSaveHandler));
    tf.io.registerLoadRouter(router(fileLoadHandler));
  }
  registered = !taken;
  return registered;
}
