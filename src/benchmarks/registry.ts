import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { didYouMean } from '../core/validation.js';
import { createRng } from '../core/random.js';
import type { DatasetSplit } from '../data/dataset.js';
import { classSplit } from './class-split.js';
import { permuted } from './permuted.js';
import { rotated } from './rotated.js';
import type { Scenario, Stream } from './stream.js';
import { filesBenchmark, filesOptions, type FilesBenchmarkOptions } from './files.js';
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
  files: FilesBenchmarkOptions;
}

export type BenchmarkName = keyof BenchmarkOptionsByName;

/** What building a benchmark gives: a stream, or the promise of one where it reads files. */
type Built<N extends BenchmarkName> = N extends 'files' ? Promise<Stream> : Stream;

export interface BenchmarkEntry<
  O extends object = BenchmarkBaseOptions,
  S extends Stream | Promise<Stream> = Stream | Promise<Stream>,
> {
  readonly name: string;
  readonly description: string;
  /** The scenarios it runs as; the first is its default. */
  readonly scenarios: readonly Scenario[];
  /**
   * What a config's `benchmark` section may give it besides the options every benchmark takes
   * (`name`, `scenario`, `experiences`, `trainFraction`, `online`).
   */
  readonly options: z.ZodObject;
  build(options: O): S;
}

const SPLIT_SCENARIOS: readonly Scenario[] = ['class-il', 'task-il', 'domain-il'];

/** The options of the split benchmarks. */
const splitOptions = z.strictObject({
  classOrder: z
    .union([z.enum(['fixed', 'shuffled']), z.array(z.number().int().min(0))])
    .optional()
    .describe('the order classes are split in: fixed (0/1, 2/3, ...), shuffled by the seed, or a list'),
});

/** The options of Permuted-MNIST. */
const permutedOptions = z.strictObject({
  pad: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('zero pixels added on every side before permuting (2: MNIST as 32x32, as van de Ven & Tolias)'),
});

/** Where the raw datasets come from; injected so the registry never reads files itself. */
export interface DatasetLoaders {
  mnist: () => DatasetSplit;
  fashionMnist: () => DatasetSplit;
}

export interface BenchmarkRegistry {
  /** The entry called `name`; a name that is not registered throws a ConfigError listing the known ones. */
  get<N extends BenchmarkName>(name: N): BenchmarkEntry<BenchmarkOptionsByName[N], Built<N>>;
  get(name: string): BenchmarkEntry;
  has(name: string): boolean;
  names(): string[];
  /** Adds a benchmark of your own (a name already taken is refused); configs can then name it. */
  register(entry: BenchmarkEntry): void;
}

/** The named benchmarks, built on the given dataset loaders (called on each build). */
export function createBenchmarkRegistry(loaders: DatasetLoaders): BenchmarkRegistry {
  const entries: { [N in BenchmarkName]: BenchmarkEntry<BenchmarkOptionsByName[N], Built<N>> } = {
    'split-mnist': {
      name: 'split-mnist',
      description: 'MNIST in 5 experiences of 2 classes (0/1, 2/3, ...)',
      scenarios: SPLIT_SCENARIOS,
      options: splitOptions,
      build: (o) => buildSplit('split-mnist', loaders.mnist, o),
    },
    'split-fashion-mnist': {
      name: 'split-fashion-mnist',
      description: 'Fashion-MNIST in 5 experiences of 2 classes',
      scenarios: SPLIT_SCENARIOS,
      options: splitOptions,
      build: (o) => buildSplit('split-fashion-mnist', loaders.fashionMnist, o),
    },
    'permuted-mnist': {
      name: 'permuted-mnist',
      description: 'MNIST, 10 experiences, each a fixed pixel permutation (the first the identity)',
      scenarios: ['domain-il'],
      options: permutedOptions,
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
      description: 'MNIST, 5 experiences rotated by evenly spaced angles in [0, 180) degrees',
      scenarios: ['domain-il'],
      options: z.strictObject({}),
      build: (o) =>
        rotated(load(loaders.mnist, o), {
          experiences: Array.isArray(o.angles) ? o.experiences : (o.experiences ?? 5),
          angles: o.angles,
          seed: o.seed,
          name: 'rotated-mnist',
        }),
    },
    files: {
      name: 'files',
      description: 'your own files (CSV/TSV, JSON Lines, .npy, image folders, CIFAR binaries) as experiences',
      scenarios: SPLIT_SCENARIOS,
      options: filesOptions,
      build: filesBenchmark,
    },
  };
  const all = new Map<string, BenchmarkEntry>(Object.entries(entries) as [string, BenchmarkEntry][]);
  const registry: BenchmarkRegistry = {
    get: (name: string) => {
      const entry = all.get(name);
      if (!entry) {
        const names = [...all.keys()];
        const guess = didYouMean(name, names);
        throw new ConfigError(
          'benchmark',
          `expected one of ${names.join(', ')}, got '${name}'${guess ? `; did you mean ${guess}?` : ''}`,
        );
      }
      return entry as never;
    },
    has: (name) => all.has(name),
    names: () => [...all.keys()],
    register(entry) {
      if (all.has(entry.name))
        throw new ConfigError('benchmark', `a benchmark named "${entry.name}" is registered already`);
      all.set(entry.name, entry);
    },
  };
  return registry;
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
