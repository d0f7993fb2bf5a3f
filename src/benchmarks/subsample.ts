import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import type { Dataset } from '../data/dataset.js';
import { selectSamples } from '../data/dataset.js';

/**
 * A seeded, class-stratified fraction of `dataset`: each class keeps `round(fraction * count)`
 * samples (at least one where it had any), so a small fraction still holds every class and
 * class splits stay balanced. Samples keep their original order.
 */
export function subsampleFraction(dataset: Dataset, fraction: number, rng: Rng): Dataset {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new ConfigError('trainFraction', `expected a number in (0, 1], got ${fraction}`);
  }
  if (fraction === 1) return dataset;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < dataset.y.length; i++) {
    const list = byClass.get(dataset.y[i]);
    if (list) list.push(i);
    else byClass.set(dataset.y[i], [i]);
  }
  const keep: number[] = [];
  for (const indices of [...byClass.keys()].sort((a, b) => a - b).map((k) => byClass.get(k) ?? [])) {
    const n = Math.max(1, Math.round(fraction * indices.length));
    keep.push(...rng.shuffle(indices).slice(0, n));
  }
  return selectSamples(
    dataset,
    keep.sort((a, b) => a - b),
  );
}
