/**
 * Stratified sub-sampling, behind `--train-fraction`: keeps the same fraction of every class, so
 * a smaller run sees the same class balance (and every class) as the full one.
 */
import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import { selectSamples, type Dataset } from './dataset.js';

/**
 * Keeps `round(fraction * n_c)` samples of each class c (at least one of each class present),
 * chosen at random by `rng`, in their original order.
 */
export function subsample(dataset: Dataset, fraction: number, rng: Rng): Dataset {
  return fraction === 1
    ? checked(fraction, dataset)
    : selectSamples(dataset, subsampleIndices(dataset, fraction, rng));
}

/** The positions `subsample` keeps, ascending (to pick what goes with each row, e.g. its group). */
export function subsampleIndices(dataset: Dataset, fraction: number, rng: Rng): number[] {
  checked(fraction, dataset);
  if (fraction === 1) return [...dataset.y.keys()];
  const byClass = new Map<number, number[]>();
  dataset.y.forEach((label, i) => {
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  });
  const kept: number[] = [];
  // Classes in ascending order, so the draws do not depend on which class appears first.
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label) ?? [];
    const count = Math.max(1, Math.round(fraction * members.length));
    kept.push(...rng.shuffle(members).slice(0, count));
  }
  return kept.sort((a, b) => a - b);
}

function checked(fraction: number, dataset: Dataset): Dataset {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) {
    throw new ConfigError('trainFraction', `expected a number in (0, 1], got ${String(fraction)}`);
  }
  return dataset;
}
