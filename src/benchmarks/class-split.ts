import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { Dataset, DatasetSplit } from '../data/dataset.js';
import { selectSamples } from '../data/dataset.js';
import type { Experience } from './experience.js';
import type { Stream } from './stream.js';

export interface ClassSplitOptions {
  /** Number of experiences; the class count must be a multiple of it. */
  experiences: number;
  /**
   * Order in which classes are dealt to experiences: `'fixed'` (0..C-1, the default, so that
   * split-MNIST is the usual 0/1, 2/3, ...), `'shuffled'` (by `seed`), or an explicit permutation.
   */
  classOrder?: readonly number[] | 'fixed' | 'shuffled';
  seed: number;
  /**
   * `task-il` gives the same split with the task id visible at test time; `domain-il` relabels
   * each experience's classes 0..k-1 (in ascending order of the original class), so every
   * experience poses the same k-way question on new inputs (van de Ven & Tolias's Split-MNIST
   * domain-IL: "first or second digit of the pair?").
   */
  scenario: 'class-il' | 'task-il' | 'domain-il';
  /** Stream name; defaults to `<scenario>-<experiences>`. */
  name?: string;
}

/**
 * Splits a dataset's classes into equal groups, one per experience. Labels stay the original
 * class ids (one shared label space, as class-IL needs; a multi-head task-IL model maps them
 * per head). Task ids are 0..T-1.
 */
export function classSplit(split: DatasetSplit, options: ClassSplitOptions): Stream {
  const { experiences, seed, scenario } = options;
  const numClasses = split.train.numClasses;
  if (!Number.isInteger(experiences) || experiences < 1 || numClasses % experiences !== 0) {
    throw new ConfigError(
      'experiences',
      `expected a positive divisor of the class count ${numClasses}, got ${experiences}`,
    );
  }
  const order = resolveClassOrder(options.classOrder ?? 'fixed', numClasses, seed);
  const perExperience = numClasses / experiences;
  const groups = Array.from({ length: experiences }, (_, t) =>
    order.slice(t * perExperience, (t + 1) * perExperience),
  );
  return classGroups(split, groups, { scenario, name: options.name ?? `${scenario}-${experiences}` });
}

/**
 * A stream whose experience t holds the classes `groups[t]` (each class in at most one group):
 * labels stay the original class ids in class-IL and task-IL; in domain-IL, where every group
 * must be as large, each experience's classes are relabelled 0..k-1 in ascending order.
 */
export function classGroups(
  split: DatasetSplit,
  groups: readonly (readonly number[])[],
  options: { readonly scenario: ClassSplitOptions['scenario']; readonly name: string },
): Stream {
  const { scenario } = options;
  const numClasses = split.train.numClasses;
  const used = new Set<number>();
  groups.forEach((group, t) => {
    if (!group.length) throw new ConfigError('experiences', `experience ${t} has no classes`);
    for (const c of group) {
      if (!Number.isInteger(c) || c < 0 || c >= numClasses || used.has(c)) {
        throw new ConfigError(
          'experiences',
          `experience ${t}: class ${c} is not one of 0..${numClasses - 1} or is in two experiences`,
        );
      }
      used.add(c);
    }
  });
  const perExperience = groups[0].length;
  if (scenario === 'domain-il' && groups.some((g) => g.length !== perExperience)) {
    throw new ConfigError(
      'scenario',
      'domain-il asks every experience the same k-way question: give each as many classes',
    );
  }
  const list: Experience[] = groups.map((group, t) => {
    const classes = [...group].sort((a, b) => a - b);
    const train = samplesOfClasses(split.train, classes);
    const test = samplesOfClasses(split.test, classes);
    return scenario === 'domain-il'
      ? {
          index: t,
          train: relabel(train, classes),
          test: relabel(test, classes),
          classes: classes.map((_, k) => k),
          taskId: t,
        }
      : { index: t, train, test, classes, taskId: t };
  });
  return {
    name: options.name,
    scenario,
    experiences: list,
    numClasses: scenario === 'domain-il' ? perExperience : numClasses,
    sampleShape: split.train.sampleShape,
    taskIdVisibleAtTest: scenario === 'task-il',
  };
}

/** The class order to deal from, validated when given explicitly. */
export function resolveClassOrder(
  classOrder: readonly number[] | 'fixed' | 'shuffled',
  numClasses: number,
  seed: number,
): number[] {
  if (classOrder === 'fixed') return Array.from({ length: numClasses }, (_, i) => i);
  if (classOrder === 'shuffled') return Array.from(createRng(seed).permutation(numClasses));
  const seen = new Set<number>();
  for (const c of classOrder) {
    if (!Number.isInteger(c) || c < 0 || c >= numClasses || seen.has(c)) break;
    seen.add(c);
  }
  if (classOrder.length !== numClasses || seen.size !== numClasses) {
    throw new ConfigError(
      'classOrder',
      `expected a permutation of 0..${numClasses - 1}, got [${classOrder.join(', ')}]`,
    );
  }
  return [...classOrder];
}

/** `dataset` with label `classes[k]` replaced by k. */
function relabel(dataset: Dataset, classes: readonly number[]): Dataset {
  const y = Int32Array.from(dataset.y, (label) => classes.indexOf(label));
  return { ...dataset, y, numClasses: classes.length };
}

/** The samples whose label is in `classes`, in their original order. */
export function samplesOfClasses(dataset: Dataset, classes: readonly number[]): Dataset {
  const keep = new Set(classes);
  const indices: number[] = [];
  for (let i = 0; i < dataset.y.length; i++) if (keep.has(dataset.y[i])) indices.push(i);
  return selectSamples(dataset, indices);
}
