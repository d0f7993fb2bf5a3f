import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { DatasetSplit } from '../data/dataset.js';
import { classSplit } from './class-split.js';
import { permuted } from './permuted.js';
import { rotated } from './rotated.js';
import type { Stream } from './stream.js';
import { subsample } from '../data/subsample.js';

/** Options every benchmark takes. */
export interface BenchmarkBaseOptions {
  seed: number;
  /** Fraction of the training set to keep (class-stratified, drawn from `seed`); 1 by default. */
  trainFraction?: number;
  /** Number of experiences; each benchmark has its usual default. */
  experiences?: number;
}

export interface SplitBenchmarkOptions extends BenchmarkBaseOptions {
  classOrder?: readonly number[] | 'fixed' | 'shuffled';
  /** `class-il` (default), `task-il` or `domain-il`. */
  scenario?: 'class-il' | 'task-il' | 'domain-il';
}

export interface PermutedBenchmarkOptions extends BenchmarkBaseOptions {
  /** Zero pixels added on every side of each image before permuting (2: MNIST as 32x32). Default 0. */
  pad?: number;
}

export interface RotatedBenchmarkOptions extends BenchmarkBaseOptions {
  angles?: readonly number[] | 'evenly-spaced' | 'random';
}

/** The options of each named benchmark. */
export interface BenchmarkOptionsByName {
  'split-mnist': SplitBenchmarkOptions;
  'split-fashion-mnist': SplitBenchmarkOptions;
  'permuted-mnist': PermutedBenchmarkOptions;
  'rotated-mnist': RotatedBenchmarkOptions;
}

export type BenchmarkName = keyof BenchmarkOptionsByName;

export interface BenchmarkEntry<O extends BenchmarkBaseOptions = BenchmarkBaseOptions> {
  readonly name: string;
  readonly description: string;
  build(options: O): Stream;
}

/** Where the raw datasets come from; injected so the registry never reads files itself. */
export interface DatasetLoaders {
  mnist: () => DatasetSplit;
  fashionMnist: () => DatasetSplit;
}

export interface BenchmarkRegistry {
  /** The entry called `name`; a name that is not registered throws a ConfigError listing the known ones. */
  get<N extends BenchmarkName>(name: N): BenchmarkEntry<BenchmarkOptionsByName[N]>;
  has(name: string): name is BenchmarkName;
  names(): BenchmarkName[];
}

/** The named benchmarks, built on the given dataset loaders (called on each build). */
export function createBenchmarkRegistry(loaders: DatasetLoaders): BenchmarkRegistry {
  const entries: { [N in BenchmarkName]: BenchmarkEntry<BenchmarkOptionsByName[N]> } = {
    'split-mnist': {
      name: 'split-mnist',
      description: 'MNIST in 5 experiences of 2 classes (0/1, 2/3, ...); class-IL or task-IL',
      build: (o) => buildSplit('split-mnist', loaders.mnist, o),
    },
    'split-fashion-mnist': {
      name: 'split-fashion-mnist',
      description: 'Fashion-MNIST in 5 experiences of 2 classes; class-IL or task-IL',
      build: (o) => buildSplit('split-fashion-mnist', loaders.fashionMnist, o),
    },
    'permuted-mnist': {
      name: 'permuted-mnist',
      description:
        'MNIST, 10 experiences, each a fixed pixel permutation (the first the identity); domain-IL',
      build: (o) =>
        permuted(load(loaders.mnist, o), {
          experiences: o.experiences ?? 10,
          seed: o.seed,
          name: 'permuted-mnist',
          ...(o.pad !== undefined ? { pad: o.pad } : {}),
        }),
    },
    'rotated-mnist': {
      name: 'rotated-mnist',
      description: 'MNIST, 5 experiences rotated by evenly spaced angles in [0, 180) degrees; domain-IL',
      build: (o) =>
        rotated(load(loaders.mnist, o), {
          experiences: Array.isArray(o.angles) ? o.experiences : (o.experiences ?? 5),
          angles: o.angles,
          seed: o.seed,
          name: 'rotated-mnist',
        }),
    },
  };
  const names = Object.keys(entries) as BenchmarkName[];
  const has = (name: string): name is BenchmarkName => Object.hasOwn(entries, name);
  return {
    get: (name) => {
      if (!has(name))
        throw new ConfigError('benchmark', `expected one of ${names.join(', ')}, got '${name}'`);
      return entries[name];
    },
    has,
    names: () => [...names],
  };
}

function buildSplit(name: string, loader: () => DatasetSplit, o: SplitBenchmarkOptions): Stream {
  const scenario = o.scenario ?? 'class-il';
  return classSplit(load(loader, o), {
    experiences: o.experiences ?? 5,
    classOrder: o.classOrder,
    seed: o.seed,
    scenario,
    name: scenario === 'class-il' ? name : `${name}-${scenario}`,
  });
}

// The train subsample uses a fork of the seed so it does not shift the scenario's own draws.
function load(loader: () => DatasetSplit, o: BenchmarkBaseOptions): DatasetSplit {
  const split = loader();
  if (o.trainFraction === undefined) return split;
  return {
    train: subsample(split.train, o.trainFraction, createRng(o.seed).fork()),
    test: split.test,
  };
}
