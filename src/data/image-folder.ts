/**
 * Images in class folders, `root/<class>/*.png|jpg|jpeg|webp` (extensions in any case), the
 * layout torchvision's ImageFolder reads: the class names are the subfolder names, sorted (by
 * UTF-16 code units, the same on every machine), and a class's id is its place in that order.
 * Only the files directly in a class folder are read; names starting with `.` and other
 * extensions are skipped.
 *
 * Each image is decoded with `sharp` (an optional peer dependency: `npm install sharp`), turned
 * upright by its EXIF orientation, resized to the configured [height, width] (stretched to fit:
 * sharp's `fit: 'fill'`, as torchvision's Resize((h, w)) does), and given the configured channels:
 * 1 (grey, from the luminance), 3 (RGB) or 4 (RGBA; opaque images get alpha 1); an alpha
 * channel is dropped for 1 and 3. Values are scaled to [0, 1], HWC. The decoded bytes are cached
 * (dataset-cache.ts), keyed by every image's path, size and modification time and the shape.
 */
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { ConfigError, DataFormatError } from '../core/errors.js';
import { importOptional } from '../core/optional-package.js';
import type { Dataset } from './dataset.js';
import { cachedDecode, fileStamp, type CacheOption } from './file-cache.js';

/** [height, width, channels]: channels 1 (grey), 3 (RGB) or 4 (RGBA). */
export type ImageShape = readonly [number, number, 1 | 3 | 4];

export interface ImageFolderOptions {
  /** What every image is resized to: [height, width, channels]. */
  shape: ImageShape;
  /**
   * The class names, by id, when they are to cover more than this folder's (a train and a test
   * folder share one list: see `imageFolderClasses`); every subfolder must be among them.
   * Default: this folder's subfolders, sorted.
   */
  classNames?: readonly string[];
  /** The decoded-image cache: a folder, default `cacheDir()`, or false for none. */
  cache?: CacheOption;
  /** Images decoded at once (default: the number of CPUs, at most 8). */
  concurrency?: number;
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;
/** Bump when the decoding changes, so old caches are decoded again. */
const IMAGE_FOLDER_VERSION = 1;
const PURPOSE = 'image folders';

/** The part of sharp's API used here (its own types stay out of this package's declarations). */
interface SharpPipeline {
  rotate(): SharpPipeline;
  resize(width: number, height: number, options: { fit: 'fill' }): SharpPipeline;
  removeAlpha(): SharpPipeline;
  ensureAlpha(): SharpPipeline;
  toColourspace(space: string): SharpPipeline;
  raw(options: { depth: 'uchar' }): SharpPipeline;
  toBuffer(options: { resolveWithObject: true }): Promise<{
    data: Uint8Array;
    info: { width: number; height: number; channels: number };
  }>;
}
type Sharp = (input: string) => SharpPipeline;

/**
 * sharp's entry, imported on first use; a MissingPackageError (`npm install sharp`, for image
 * folders) when it is not installed. `specifier` is for tests.
 */
export async function importSharp(specifier = 'sharp'): Promise<Sharp> {
  return importOptional(
    async () => ((await import(specifier)) as { default: Sharp }).default,
    [specifier],
    PURPOSE,
  );
}

/** The class subfolders of `root`, sorted; an error naming it when it is no folder or has none. */
export function imageFolderClasses(root: string): string[] {
  const classes = entries(root)
    .filter((e) => e.directory && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(byCodeUnits);
  if (classes.length === 0) {
    throw new DataFormatError(root, 'expected a folder of class subfolders (root/<class>/*.png), got none');
  }
  return classes;
}

/** Reads `root/<class>/*` into a dataset with `classNames` (see the file's comment). */
export async function loadImageFolder(root: string, options: ImageFolderOptions): Promise<Dataset> {
  const [height, width, channels] = checkShape(options.shape);
  const own = imageFolderClasses(root);
  const classNames = options.classNames ? [...options.classNames] : own;
  const files: string[] = [];
  const labels: number[] = [];
  for (const name of own) {
    const id = classNames.indexOf(name);
    if (id < 0) {
      throw new DataFormatError(
        join(root, name),
        `expected a class folder among ${classNames.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(name)}`,
      );
    }
    const folder = join(root, name);
    const images = entries(folder)
      .filter((e) => !e.name.startsWith('.') && !e.directory && isImage(e.name))
      .map((e) => e.name)
      .sort(byCodeUnits);
    if (images.length === 0) {
      throw new DataFormatError(
        folder,
        `expected at least one ${IMAGE_EXTENSIONS.join('/')} image, got none`,
      );
    }
    for (const image of images) {
      files.push(join(folder, image));
      labels.push(id);
    }
  }
  const decoded = await cachedDecode(
    options.cache,
    'image-folder',
    IMAGE_FOLDER_VERSION,
    files.map(fileStamp),
    { shape: [height, width, channels], labels },
    async () => ({
      meta: {},
      arrays: { pixels: await decodeImages(files, [height, width, channels], options.concurrency) },
    }),
  );
  const pixels = decoded.arrays.pixels as Uint8Array;
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
  return {
    x,
    y: Int32Array.from(labels),
    sampleShape: [height, width, channels],
    numClasses: classNames.length,
    classNames,
  };
}

/** `files` decoded and resized to `shape` (as a folder's images are), values in [0, 1], in order. */
export async function loadImages(files: readonly string[], shape: ImageShape): Promise<Float32Array> {
  const pixels = await decodeImages(files, checkShape(shape));
  return Float32Array.from(pixels, (v) => v / 255);
}

async function decodeImages(
  files: readonly string[],
  [height, width, channels]: readonly [number, number, number],
  concurrency = Math.min(8, availableParallelism()),
): Promise<Uint8Array> {
  const sharp = await importSharp();
  const size = height * width * channels;
  const pixels = new Uint8Array(files.length * size);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const k = next++;
      const file = files[k];
      let pipeline: SharpPipeline;
      let result: Awaited<ReturnType<SharpPipeline['toBuffer']>>;
      try {
        pipeline = sharp(file).rotate().resize(width, height, { fit: 'fill' });
        if (channels === 1) pipeline = pipeline.removeAlpha().toColourspace('b-w');
        else if (channels === 3) pipeline = pipeline.removeAlpha().toColourspace('srgb');
        else pipeline = pipeline.ensureAlpha().toColourspace('srgb');
        result = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      } catch (error) {
        throw new DataFormatError(
          file,
          `expected a PNG, JPEG or WebP image, got one sharp cannot decode (${(error as Error).message})`,
        );
      }
      const { data, info } = result;
      if (
        info.width !== width ||
        info.height !== height ||
        info.channels !== channels ||
        data.length !== size
      ) {
        throw new DataFormatError(
          file,
          `expected ${height}x${width}x${channels} pixels after resizing, got ${info.height}x${info.width}x${info.channels}`,
        );
      }
      pixels.set(data, k * size);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker));
  return pixels;
}

function checkShape(shape: ImageShape): [number, number, 1 | 3 | 4] {
  const [height, width, channels] = shape;
  const side = (n: number) => Number.isInteger(n) && n > 0;
  if (shape.length !== 3 || !side(height) || !side(width) || ![1, 3, 4].includes(channels)) {
    throw new ConfigError(
      'shape',
      `expected [height, width, channels] with positive sizes and channels 1, 3 or 4, got ${JSON.stringify(shape)}`,
    );
  }
  return [height, width, channels];
}

/** The entries of `folder`; a link to a folder counts as a folder. */
function entries(folder: string): { name: string; directory: boolean }[] {
  let found;
  try {
    found = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    throw new DataFormatError(
      folder,
      `expected a readable folder, got ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  return found.map((e) => ({
    name: e.name,
    directory:
      e.isDirectory() ||
      (e.isSymbolicLink() &&
        (statSync(join(folder, e.name), { throwIfNoEntry: false })?.isDirectory() ?? false)),
  }));
}

function isImage(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
