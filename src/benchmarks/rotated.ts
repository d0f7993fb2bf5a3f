import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { Dataset, DatasetSplit } from '../data/dataset.js';
import type { Experience } from './experience.js';
import type { Stream } from './stream.js';

export interface RotatedOptions {
  /** Number of experiences; needed unless `angles` is a list. */
  experiences?: number;
  /**
   * Rotation of each experience in degrees, counter-clockwise as displayed. `'evenly-spaced'`
   * (default): `180 * t / T` for t = 0..T-1, so experience 0 is the original data and no two
   * share an angle; `'random'`: uniform in [0, 180) drawn from `seed`; or an explicit list.
   */
  angles?: readonly number[] | 'evenly-spaced' | 'random';
  seed: number;
  /** Stream name; defaults to `rotated-<experiences>`. */
  name?: string;
}

/**
 * Domain-IL by rotation: every experience holds all classes, its train and test images rotated
 * by its angle about the image centre, with bilinear interpolation and zero outside the image.
 */
export function rotated(split: DatasetSplit, options: RotatedOptions): Stream {
  const angles = resolveAngles(options);
  const all = Array.from({ length: split.train.numClasses }, (_, i) => i);
  const list: Experience[] = angles.map((angle, t) => ({
    index: t,
    train: rotateImages(split.train, angle),
    test: rotateImages(split.test, angle),
    classes: all,
    taskId: t,
  }));
  return {
    name: options.name ?? `rotated-${angles.length}`,
    scenario: 'domain-il',
    experiences: list,
    numClasses: split.train.numClasses,
    sampleShape: split.train.sampleShape,
    taskIdVisibleAtTest: false,
  };
}

/** The angle of each experience, from an explicit list or from `experiences`. */
export function resolveAngles(options: RotatedOptions): number[] {
  const { angles = 'evenly-spaced', experiences, seed } = options;
  if (typeof angles !== 'string') {
    if (angles.length === 0 || angles.some((a) => !Number.isFinite(a))) {
      throw new ConfigError(
        'angles',
        `expected a non-empty list of finite degrees, got [${angles.join(', ')}]`,
      );
    }
    if (experiences !== undefined && experiences !== angles.length) {
      throw new ConfigError('experiences', `expected ${angles.length} (one per angle), got ${experiences}`);
    }
    return [...angles];
  }
  if (experiences === undefined || !Number.isInteger(experiences) || experiences < 1) {
    throw new ConfigError('experiences', `expected a positive integer, got ${experiences}`);
  }
  if (angles === 'evenly-spaced')
    return Array.from({ length: experiences }, (_, t) => (180 * t) / experiences);
  const rng = createRng(seed);
  return Array.from({ length: experiences }, () => rng.next() * 180);
}

/** Every image of `dataset` (shape [H, W] or channel-last [H, W, C]) rotated by `degrees`. */
export function rotateImages(dataset: Dataset, degrees: number): Dataset {
  const [h, w, c = 1] = dataset.sampleShape;
  if (dataset.sampleShape.length < 2 || dataset.sampleShape.length > 3) {
    throw new ConfigError(
      'sampleShape',
      `expected [H, W] or [H, W, C], got [${dataset.sampleShape.join(', ')}]`,
    );
  }
  const size = h * w * c;
  const x = new Float32Array(dataset.x.length);
  for (let s = 0; s < dataset.y.length; s++) {
    rotateImage(
      dataset.x.subarray(s * size, (s + 1) * size),
      x.subarray(s * size, (s + 1) * size),
      h,
      w,
      c,
      degrees,
    );
  }
  return { ...dataset, x, y: dataset.y.slice() };
}

/**
 * Writes `src` rotated counter-clockwise (as displayed, row 0 at the top) by `degrees` about
 * the centre into `out`. Each output pixel samples the source at the inversely rotated
 * position, so there are no holes; neighbours outside the image count as zero.
 */
export function rotateImage(
  src: Float32Array,
  out: Float32Array,
  h: number,
  w: number,
  c: number,
  degrees: number,
): void {
  const rad = (degrees * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  const at = (r: number, col: number, ch: number) =>
    r < 0 || r >= h || col < 0 || col >= w ? 0 : src[(r * w + col) * c + ch];
  for (let r = 0; r < h; r++) {
    // Cartesian coordinates (y up) of the output pixel, rotated back by -angle.
    const yOut = cy - r;
    for (let col = 0; col < w; col++) {
      const xOut = col - cx;
      const xIn = cos * xOut + sin * yOut;
      const yIn = -sin * xOut + cos * yOut;
      const srcCol = cx + xIn;
      const srcRow = cy - yIn;
      const r0 = Math.floor(srcRow);
      const c0 = Math.floor(srcCol);
      const fr = srcRow - r0;
      const fc = srcCol - c0;
      for (let ch = 0; ch < c; ch++) {
        out[(r * w + col) * c + ch] =
          (1 - fr) * ((1 - fc) * at(r0, c0, ch) + fc * at(r0, c0 + 1, ch)) +
          fr * ((1 - fc) * at(r0 + 1, c0, ch) + fc * at(r0 + 1, c0 + 1, ch));
      }
    }
  }
}
