/**
 * The `files` benchmark: a stream from the user's own files (data/file-dataset.ts). The words mean
 * what they mean for split-mnist: `experiences` shares the classes out in order (`classOrder` as
 * there), and `scenario` says what the model may know; or `split` names the experiences another
 * way: `{ by: column }` (one experience per value of a table's column, in the order the training
 * file first has it) or `{ classes: [[...], ...] }` (the classes of each experience, by name or id).
 *
 *   benchmark:
 *     name: files
 *     dataset: { format: csv, train: train.csv, test: test.csv, label: label }
 *     experiences: 3
 *     scenario: class-il
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { selectSamples, type DatasetSplit } from '../data/dataset.js';
import { fileDatasetOptions, loadFileDataset, type FileDatasetOptions } from '../data/file-dataset.js';
import { subsampleIndices } from '../data/subsample.js';
import { classGroups, classSplit } from './class-split.js';
import { groupSplit } from './group-split.js';
import type { Stream } from './stream.js';

/** What a config's `benchmark` section gives the `files` benchmark besides the common options. */
export const filesOptions = z.strictObject({
  dataset: fileDatasetOptions.describe('the files and how to read them: format, train, test, label, ...'),
  classOrder: z
    .union([z.enum(['fixed', 'shuffled']), z.array(z.number().int().min(0))])
    .optional()
    .describe(
      'the order classes are shared out in (with experiences): fixed, shuffled by the seed, or a list',
    ),
  split: z
    .union([
      z.strictObject({
        by: z.union([z.string().min(1), z.number().int().min(0)]).describe('a table column'),
      }),
      z.strictObject({
        classes: z
          .array(z.array(z.union([z.string().min(1), z.number().int().min(0)])).min(1))
          .min(1)
          .describe('the classes of each experience, by name or id'),
      }),
    ])
    .optional()
    .describe(
      'experiences by a column ({ by: column }) or by explicit classes ({ classes: [[a, b], [c]] }), instead of experiences',
    ),
  baseDir: z
    .string()
    .optional()
    .describe(
      "the folder the dataset's paths are relative to (set to the config file's folder when read from one)",
    ),
});

export interface FilesBenchmarkOptions {
  readonly seed: number;
  readonly trainFraction?: number;
  readonly experiences?: number;
  readonly dataset: FileDatasetOptions;
  readonly classOrder?: readonly number[] | 'fixed' | 'shuffled';
  readonly scenario?: 'class-il' | 'task-il' | 'domain-il';
  readonly split?:
    { readonly by: string | number } | { readonly classes: readonly (readonly (string | number)[])[] };
  readonly baseDir?: string;
}

export async function filesBenchmark(o: FilesBenchmarkOptions): Promise<Stream> {
  const scenario = o.scenario ?? 'class-il';
  if (o.split && o.experiences !== undefined) {
    throw new ConfigError('benchmark.split', 'give experiences or split, not both');
  }
  const by = o.split && 'by' in o.split ? o.split.by : undefined;
  const read = await loadFileDataset(o.dataset, {
    baseDir: o.baseDir ?? process.cwd(),
    seed: o.seed,
    field: 'benchmark.dataset',
    ...(by !== undefined ? { group: by } : {}),
  });
  // The train fraction as the MNIST benchmarks draw it (a fork of the seed), keeping each row's group.
  const kept = subsampleIndices(read.split.train, o.trainFraction ?? 1, createRng(o.seed).fork());
  const split: DatasetSplit = {
    train:
      kept.length === read.split.train.y.length ? read.split.train : selectSamples(read.split.train, kept),
    test: read.split.test,
  };
  const name = `files-${o.dataset.format}`;
  if (by !== undefined) {
    const groups = read.groups!;
    const byKey = { train: kept.map((i) => groups.train[i]), test: groups.test };
    return { ...groupSplit(split, byKey, { scenario, name }), classNames: read.classNames };
  }
  if (o.split && 'classes' in o.split) {
    const ids = o.split.classes.map((group, t) =>
      group.map((c) => {
        const id = typeof c === 'number' ? c : read.classNames.indexOf(c);
        if (id < 0 || id >= read.classNames.length) {
          throw new ConfigError(
            `benchmark.split.classes[${t}]`,
            `unknown class ${JSON.stringify(c)} (classes: ${read.classNames.join(', ')})`,
          );
        }
        return id;
      }),
    );
    return { ...classGroups(split, ids, { scenario, name }), classNames: read.classNames };
  }
  if (o.experiences === undefined) {
    throw new ConfigError(
      'benchmark.experiences',
      'required (a positive integer: the classes are shared out over that many experiences), or give split',
    );
  }
  const stream = classSplit(split, {
    experiences: o.experiences,
    seed: o.seed,
    scenario,
    name,
    ...(o.classOrder ? { classOrder: o.classOrder } : {}),
  });
  return { ...stream, classNames: read.classNames };
}
