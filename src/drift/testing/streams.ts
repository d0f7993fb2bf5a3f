/**
 * Seeded synthetic streams with known change points, for the drift detectors' tests and
 * scripts/drift-study.ts: each is a list of segments, (distribution, length), drawn in order from
 * one generator seeded with `seed`.
 */
import { createRng } from '../../core/random.js';
import type { DriftDetector } from '../detector.js';

/** 0/1 values, 1 with probability `p` in each segment [p, length]. */
export function bernoulliStream(seed: number, segments: readonly (readonly [number, number])[]): number[] {
  const rng = createRng(seed);
  return segments.flatMap(([p, length]) => Array.from({ length }, () => (rng.next() < p ? 1 : 0)));
}

/** Normal(mean, std²) values in each segment [mean, length] (std 1 unless given as a third entry). */
export function normalStream(
  seed: number,
  segments: readonly (readonly [number, number] | readonly [number, number, number])[],
): number[] {
  const rng = createRng(seed);
  return segments.flatMap(([mean, length, std = 1]) =>
    Array.from({ length }, () => mean + std * rng.normal()),
  );
}

/** Vectors with independent Normal(mean[f], 1) features in each segment [mean, length]. */
export function vectorStream(
  seed: number,
  segments: readonly (readonly [readonly number[], number])[],
): Float64Array[] {
  const rng = createRng(seed);
  return segments.flatMap(([mean, length]) =>
    Array.from({ length }, () => Float64Array.from(mean, (m) => m + rng.normal())),
  );
}

/** Where a detector fed `values` in order reported drifts and warnings (indices into `values`). */
export function detections<Input>(
  detector: DriftDetector<Input>,
  values: readonly Input[],
): { drifts: number[]; warnings: number[] } {
  const drifts: number[] = [];
  const warnings: number[] = [];
  values.forEach((value, i) => {
    detector.update(value);
    if (detector.driftDetected) drifts.push(i);
    if (detector.warningDetected) warnings.push(i);
  });
  return { drifts, warnings };
}
