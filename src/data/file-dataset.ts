/**
 * One entry point for datasets in a user's own files: `loadFileDataset(options, context)` with
 * options validated by `fileDatasetOptions`, a union on `format`:
 *
 * - `csv`, `tsv`: tables (table.ts): numeric feature columns, a label column, an optional group column;
 * - `jsonl`, `json`: records `{ "x": [...], "y": ... }` (json-samples.ts);
 * - `npy`: an `x` and a `y` `.npy` file per split (npy.ts);
 * - `images`: class folders of PNG/JPEG/WebP images, decoded with sharp (image-folder.ts);
 * - `cifar10`, `cifar100`: the binary distributions, from one folder (cifar.ts).
 *
 * Paths are relative to `context.baseDir` (the config file's folder). Train and test come from
 * their own files, or, for the formats with a `train` file, `testFraction` holds out a
 * class-stratified part of it, drawn with `context.seed`. Labels of tables, JSON and `.npy` become
 * class ids in train and test together (labels.ts). Errors name the file (as a path from the
 * current folder when it lies under it), the line or record and the field.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, DataFormatError } from '../core/errors.js';
import { createRng, type Rng } from '../core/random.js';
import { schemaProblems } from '../core/validation.js';
import { loadCifar10, loadCifar100 } from './cifar.js';
import { selectSamples, type Dataset, type DatasetSplit } from './dataset.js';
import type { CacheOption } from './file-cache.js';
import { imageFolderClasses, loadImageFolder, type ImageShape } from './image-folder.js';
import { loadJsonSamples } from './json-samples.js';
import { encodeLabels, type Label } from './labels.js';
import { loadNpySamples } from './npy.js';
import { loadTable, type ColumnRef, type Table } from './table.js';

const path = z.string().min(1);
const column = z.union([z.string().min(1), z.number().int().min(0)]);

const splitFields = {
  train: path.describe("the training file, relative to the config file's folder"),
  test: path
    .optional()
    .describe('the test file, in the same layout; without it, testFraction of train is held out'),
  testFraction: z
    .number()
    .gt(0)
    .lt(1)
    .optional()
    .describe(
      'the fraction of train held out as the test set, class-stratified and seeded (instead of test)',
    ),
};

const tableFields = {
  ...splitFields,
  header: z
    .boolean()
    .default(true)
    .describe('whether the first row names the columns (false: columns are named by 0-based index)'),
  label: column
    .optional()
    .describe(
      'the label column, a header name or a 0-based index (default "label"; an index when header is false)',
    ),
  features: z
    .array(column)
    .min(1)
    .optional()
    .describe('the feature columns, names or indices (default: every column but the label and group ones)'),
  group: column
    .optional()
    .describe('a column kept per row as a string, for a benchmark that splits experiences by its value'),
};

const normalize = z
  .strictObject({
    mean: z.array(z.number()).min(1).describe('per channel, in the [0, 1] pixel scale'),
    std: z.array(z.number().positive()).min(1).describe('per channel, positive'),
  })
  .optional()
  .describe(
    "per-channel (x - mean) / std after pixels are scaled to [0, 1], e.g. CIFAR-10's mean [0.4914, 0.4822, 0.4465], std [0.2470, 0.2435, 0.2616]",
  );

const npyPair = z.strictObject({
  x: path.describe('the samples .npy file: any shape, the first axis the samples'),
  y: path.describe('the labels .npy file: 1-D, integers (or floats holding integers)'),
});

/** Options of a dataset read from files (`dataset` of a file benchmark in a config). */
export const fileDatasetOptions = z.discriminatedUnion('format', [
  z.strictObject({
    format: z.literal('csv').describe('comma-separated values with RFC 4180 quoting'),
    ...tableFields,
    delimiter: z.string().length(1).default(',').describe('the cell separator (e.g. ";")'),
  }),
  z.strictObject({
    format: z.literal('tsv').describe('tab-separated values with RFC 4180 quoting'),
    ...tableFields,
  }),
  z.strictObject({
    format: z.literal('jsonl').describe('JSON Lines: one { "x": [...], "y": ... } record a line'),
    ...splitFields,
  }),
  z.strictObject({
    format: z.literal('json').describe('one JSON array of { "x": [...], "y": ... } records'),
    ...splitFields,
  }),
  z.strictObject({
    format: z.literal('npy').describe('NumPy .npy files, an x and a y file per split'),
    train: npyPair.describe('the training x and y files'),
    test: npyPair
      .optional()
      .describe('the test x and y files; without them, testFraction of train is held out'),
    testFraction: splitFields.testFraction,
    scale: z
      .number()
      .positive()
      .default(1)
      .describe('what x is multiplied by, e.g. 0.00392156862745098 (1/255) for 0-255 bytes'),
  }),
  z.strictObject({
    format: z
      .literal('images')
      .describe('class folders of images, root/<class>/*.png|jpg|jpeg|webp (needs sharp)'),
    train: path.describe("the training folder of class subfolders, relative to the config file's folder"),
    test: path.optional().describe('the test folder; without it, testFraction of train is held out'),
    testFraction: splitFields.testFraction,
    // A list refined by hand rather than a tuple, so that each refusal names its entry in words.
    shape: z
      .array(z.number().int().positive())
      .superRefine((shape, ctx) => {
        if (shape.length !== 3) {
          ctx.addIssue({
            code: 'custom',
            message: `expected [height, width, channels], got ${JSON.stringify(shape)}`,
          });
        } else if (![1, 3, 4].includes(shape[2])) {
          ctx.addIssue({
            code: 'custom',
            path: [2],
            message: `expected 1 (grey), 3 (RGB) or 4 (RGBA) channels, got ${shape[2]}`,
          });
        }
      })
      .describe(
        '[height, width, channels] every image is resized to; channels 1 (grey), 3 (RGB) or 4 (RGBA)',
      ),
    normalize,
  }),
  z.strictObject({
    format: z.literal('cifar10').describe('CIFAR-10, binary version (data_batch_1..5.bin, test_batch.bin)'),
    dir: path.describe("the folder holding the .bin files, relative to the config file's folder"),
    normalize,
  }),
  z.strictObject({
    format: z.literal('cifar100').describe('CIFAR-100, binary version (train.bin, test.bin)'),
    dir: path.describe("the folder holding the .bin files, relative to the config file's folder"),
    labels: z.enum(['fine', 'coarse']).default('fine').describe('the 100 fine classes or the 20 coarse ones'),
    normalize,
  }),
]);

export type FileDatasetOptions = z.input<typeof fileDatasetOptions>;
export type FileDatasetFormat = FileDatasetOptions['format'];

export interface FileDatasetContext {
  /** The folder paths are relative to (the config file's). */
  readonly baseDir: string;
  /** A column kept per row (tabular formats only); overrides the options' `group`. */
  readonly group?: ColumnRef;
  /** The seed of the testFraction hold-out (default 0). */
  readonly seed?: number;
  /** The decoded-data cache: a folder, default `cacheDir()`, or false for none. */
  readonly cache?: CacheOption;
  /** Where the options sit in a config (e.g. `benchmark.dataset`), as the prefix of the fields errors name. */
  readonly field?: string;
}

export interface FileDataset {
  /** Train and test datasets, both with classNames. */
  readonly split: DatasetSplit;
  readonly classNames: readonly string[];
  /** Per-row value of the group column (train and test), when `group` was asked for (tabular formats only; others refuse it). */
  readonly groups?: { readonly train: readonly string[]; readonly test: readonly string[] };
}

/** Samples and raw labels of one split, before labels become class ids. */
interface Part {
  file: string;
  x: Float32Array;
  labels: readonly Label[];
  sampleShape: readonly number[];
  groups?: readonly string[];
}

/** Reads the dataset `options` describe (see the file's comment). */
export async function loadFileDataset(
  options: FileDatasetOptions,
  context: FileDatasetContext,
): Promise<FileDataset> {
  const field = (name: string) => (context.field ? `${context.field}.${name}` : name);
  const format = (options as { format?: unknown } | null)?.format;
  const branch = fileDatasetOptions.options.find((o) => o.shape.format.value === format);
  if (!branch) {
    const known = fileDatasetOptions.options.map((o) => JSON.stringify(o.shape.format.value));
    const got = format === undefined ? 'nothing' : JSON.stringify(format);
    throw new ConfigError(field('format'), `expected one of ${known.join(', ')}, got ${got}`);
  }
  // The format's own schema, so that an unknown key gets a "did you mean" among its keys.
  const parsed = branch.safeParse(options, { reportInput: true });
  if (!parsed.success) {
    const [first] = schemaProblems(branch, parsed.error, context.field);
    throw new ConfigError(first.path, first.message);
  }
  const o = parsed.data as z.output<typeof fileDatasetOptions>;
  const at = (p: string) => displayPath(context.baseDir, p);
  const group = context.group ?? ('group' in o ? o.group : undefined);
  if (group !== undefined && o.format !== 'csv' && o.format !== 'tsv') {
    throw new ConfigError(
      field('group'),
      `expected no group column for format "${o.format}" (only csv and tsv have columns), got ${JSON.stringify(group)}`,
    );
  }
  if ('train' in o) {
    if (o.test !== undefined && o.testFraction !== undefined) {
      throw new ConfigError(
        field('testFraction'),
        `expected either test or testFraction, got both (test and ${o.testFraction})`,
      );
    }
    if (o.test === undefined && o.testFraction === undefined) {
      throw new ConfigError(
        field('test'),
        'required (the test file), or testFraction to hold out part of train',
      );
    }
  }
  const held = {
    fraction: 'testFraction' in o ? o.testFraction : undefined,
    seed: context.seed,
    field: field('testFraction'),
  };
  const cache = context.cache;
  switch (o.format) {
    case 'cifar10':
      return whole(normalized(loadCifar10(at(o.dir), { cache }), o.normalize, field('normalize')));
    case 'cifar100':
      return whole(
        normalized(loadCifar100(at(o.dir), { cache, labels: o.labels }), o.normalize, field('normalize')),
      );
    case 'images': {
      const trainDir = at(o.train);
      const testDir = o.test === undefined ? undefined : at(o.test);
      const found = [...imageFolderClasses(trainDir), ...(testDir ? imageFolderClasses(testDir) : [])];
      const classNames = [...new Set(found)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const shape = o.shape as unknown as ImageShape;
      const read = (dir: string) => loadImageFolder(dir, { shape, classNames, cache });
      const train = await read(trainDir);
      const norm = (split: DatasetSplit) => normalized(split, o.normalize, field('normalize'));
      if (testDir) return whole(norm({ train, test: await read(testDir) }));
      const [kept, heldOut] = holdOut(train, held.fraction as number, rng(held.seed), held.field);
      return whole(norm({ train: selectSamples(train, kept), test: selectSamples(train, heldOut) }));
    }
    case 'csv':
    case 'tsv': {
      const settings = {
        delimiter: o.format === 'csv' ? o.delimiter : '\t',
        header: o.header,
        label: o.label,
        features: o.features,
        group,
        cache,
      };
      const part = (file: string, table: Table): Part => ({
        file,
        x: table.x,
        labels: table.labels,
        sampleShape: [table.featureNames.length],
        ...(table.groups ? { groups: table.groups } : {}),
      });
      const trainFile = at(o.train);
      const trainTable = loadTable(trainFile, settings);
      if (o.test === undefined) return labelled(part(trainFile, trainTable), undefined, held);
      // The test file's features are the train file's: by name (its columns may be in another order), else by index.
      const testFile = at(o.test);
      const features = o.header ? trainTable.featureNames : trainTable.featureIndices;
      const testTable = loadTable(testFile, { ...settings, features });
      return labelled(part(trainFile, trainTable), part(testFile, testTable), held);
    }
    case 'jsonl':
    case 'json': {
      const read = (file: string): Part => ({ file, ...loadJsonSamples(file, { format: o.format, cache }) });
      return labelled(read(at(o.train)), o.test === undefined ? undefined : read(at(o.test)), held);
    }
    case 'npy': {
      const read = (pair: { x: string; y: string }): Part => {
        const files = { x: at(pair.x), y: at(pair.y) };
        return { file: files.x, ...loadNpySamples(files, { scale: o.scale }) };
      };
      return labelled(read(o.train), o.test === undefined ? undefined : read(o.test), held);
    }
  }
}

/** How the test set is held out of train when there is no test file. */
interface HeldOut {
  fraction: number | undefined;
  seed: number | undefined;
  /** The option's path, for the error when nothing can be held out. */
  field: string;
}

/** Class ids for train and test (labels.ts), then the hold-out when there is no test part. */
function labelled(train: Part, test: Part | undefined, held: HeldOut): FileDataset {
  if (test) sameShape(train, test);
  const encoded = encodeLabels(
    train.labels,
    test?.labels ?? [],
    test ? `${train.file} and ${test.file}` : train.file,
  );
  const { classNames } = encoded;
  const dataset = (part: Part, y: Int32Array): Dataset => ({
    x: part.x,
    y,
    sampleShape: [...part.sampleShape],
    numClasses: classNames.length,
    classNames,
  });
  const trainSet = dataset(train, encoded.train);
  if (test) {
    const groups = train.groups && test.groups ? { train: train.groups, test: test.groups } : undefined;
    return {
      split: { train: trainSet, test: dataset(test, encoded.test) },
      classNames,
      ...(groups ? { groups } : {}),
    };
  }
  const [kept, heldOut] = holdOut(trainSet, held.fraction as number, rng(held.seed), held.field);
  const g = train.groups;
  return {
    split: { train: selectSamples(trainSet, kept), test: selectSamples(trainSet, heldOut) },
    classNames,
    ...(g ? { groups: { train: kept.map((i) => g[i]), test: heldOut.map((i) => g[i]) } } : {}),
  };
}

function sameShape(train: Part, test: Part): void {
  const a = train.sampleShape.join(', ');
  const b = test.sampleShape.join(', ');
  if (a !== b) {
    throw new DataFormatError(test.file, `expected samples of shape [${a}] as in ${train.file}, got [${b}]`);
  }
}

/**
 * The split with every channel c of its images mapped to (x - mean[c]) / std[c] (as torchvision's
 * Normalize does after ToTensor), in new arrays; the split itself when there is nothing to do.
 */
function normalized(
  split: DatasetSplit,
  options: { mean: number[]; std: number[] } | undefined,
  field: string,
): DatasetSplit {
  if (!options) return split;
  const channels = split.train.sampleShape[split.train.sampleShape.length - 1];
  for (const key of ['mean', 'std'] as const) {
    if (options[key].length !== channels) {
      throw new ConfigError(
        `${field}.${key}`,
        `expected ${channels} values (one per channel of the images), got ${options[key].length}`,
      );
    }
  }
  const apply = (d: Dataset): Dataset => {
    const x = new Float32Array(d.x.length);
    for (let i = 0; i < x.length; i++) {
      const c = i % channels;
      x[i] = (d.x[i] - options.mean[c]) / options.std[c];
    }
    return { ...d, x };
  };
  return { train: apply(split.train), test: apply(split.test) };
}

/** A split whose classNames are the datasets' own (CIFAR, image folders). */
function whole(split: DatasetSplit): FileDataset {
  return { split, classNames: split.train.classNames ?? [] };
}

function rng(seed: number | undefined): Rng {
  return createRng(seed ?? 0).fork();
}

/**
 * The indices kept for train and those held out for test, both ascending: of each class c with
 * n_c samples, `round(fraction * n_c)` are held out, at least one and at most n_c - 1 (a class of
 * one sample stays in train), drawn by `rng` class by class in ascending order of class id.
 */
export function holdOut(
  dataset: Pick<Dataset, 'y'>,
  fraction: number,
  rng: Rng,
  field = 'testFraction',
): [number[], number[]] {
  if (!(fraction > 0 && fraction < 1))
    throw new ConfigError(field, `expected a number in (0, 1), got ${fraction}`);
  const byClass = new Map<number, number[]>();
  dataset.y.forEach((label, i) => {
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  });
  const held: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label) ?? [];
    if (members.length < 2) continue;
    const count = Math.min(members.length - 1, Math.max(1, Math.round(fraction * members.length)));
    held.push(...rng.shuffle(members).slice(0, count));
  }
  if (held.length === 0) {
    throw new ConfigError(
      field,
      'expected a train set with two or more samples of some class to hold out from, got one of each',
    );
  }
  held.sort((a, b) => a - b);
  const isHeld = new Uint8Array(dataset.y.length);
  for (const i of held) isHeld[i] = 1;
  const kept: number[] = [];
  for (let i = 0; i < dataset.y.length; i++) if (!isHeld[i]) kept.push(i);
  return [kept, held];
}

/** `p` against `baseDir`, as a path from the current folder when it lies under it (for messages), else absolute. */
function displayPath(baseDir: string, p: string): string {
  const absolute = resolve(baseDir, p);
  const fromHere = relative(process.cwd(), absolute);
  return fromHere && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : absolute;
}
