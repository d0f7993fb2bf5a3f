/**
 * `unforget predict` and `unforget evaluate`: a saved model (a run's `models/<strategy>/`, or a
 * Learner's save) answering new inputs. Inputs are read as the files a dataset is read from:
 * CSV/TSV (the run's own table settings when the model was saved by a run of the `files`
 * benchmark: its feature columns, its label column), JSON Lines / JSON `{ "x": [...] }` records,
 * a `.npy` array, an image, or a folder of images (class subfolders give the labels `evaluate`
 * needs). Predictions are CSV or JSON Lines: the class, its name and the probabilities.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { ConfigError, DataFormatError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { loadTable, type TableOptions } from '../data/table.js';
import { loadJsonSamples } from '../data/json-samples.js';
import { readNpy } from '../data/npy.js';
import { IMAGE_EXTENSIONS, loadImageFolder, loadImages, type ImageShape } from '../data/image-folder.js';
import type { Learner, Prediction } from '../training/learner.js';
import { loadLearner } from '../learner/load-learner.js';
import { initEngine } from '../engine/backend.js';

/** Examples read from a file or folder: values row-major, and the raw labels when it has them. */
export interface Inputs {
  readonly x: Float32Array;
  readonly count: number;
  /** The label of each example, as written (a class name or id), when the input has labels. */
  readonly labels?: readonly (string | number)[];
  /** Where each example came from (a line, a record, an image file), for the predictions' rows. */
  readonly ids: readonly string[];
}

const isImage = (name: string) =>
  (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());

/** The table settings of the run that saved `modelDir`, when it read a table (`files` benchmark). */
function runTableSettings(modelDir: string): TableOptions | undefined {
  const configFile = join(dirname(dirname(resolve(modelDir))), 'config.json');
  if (!existsSync(configFile)) return undefined;
  try {
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as {
      benchmark?: { name?: string; dataset?: Record<string, unknown> };
    };
    const dataset = config.benchmark?.name === 'files' ? config.benchmark.dataset : undefined;
    if (!dataset || (dataset.format !== 'csv' && dataset.format !== 'tsv')) return undefined;
    return {
      ...(dataset.header !== undefined ? { header: dataset.header as boolean } : {}),
      ...(dataset.features ? { features: dataset.features as TableOptions['features'] } : {}),
      ...(dataset.format === 'csv' && dataset.delimiter ? { delimiter: dataset.delimiter as string } : {}),
      ...(dataset.label !== undefined ? { label: dataset.label as string } : {}),
      ...(dataset.group !== undefined ? { group: dataset.group as string } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Reads `path` as inputs of `sampleShape`; `labelled`: labels are needed (evaluate). */
export async function readInputs(
  path: string,
  learner: Learner,
  {
    labelled,
    label,
    modelDir,
    field,
  }: { labelled: boolean; label?: string; modelDir: string; field: string },
): Promise<Inputs> {
  if (!existsSync(path)) throw new ConfigError(field, `${path}: no such file or folder`);
  const shape = learner.sampleShape;
  const size = shape.reduce((a, b) => a * b, 1);
  let inputs: Inputs;
  if (statSync(path).isDirectory()) inputs = await readImageFolder(path, shape, labelled);
  else {
    const ext = extname(path).toLowerCase();
    if (ext === '.csv' || ext === '.tsv') {
      const settings = runTableSettings(modelDir) ?? {};
      // A table to predict from may hold the label column or not; evaluate needs it.
      const wanted = label ?? settings.label ?? 'label';
      const table = loadTable(path, {
        ...settings,
        cache: false,
        label: labelled || hasColumn(path, wanted) ? wanted : null,
      });
      const count = table.x.length / table.featureNames.length;
      inputs = {
        x: table.x,
        count,
        ...(table.labels.length ? { labels: table.labels } : {}),
        ids: [...Array(count).keys()].map((i) => `row ${i + 1}`),
      };
    } else if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') {
      const samples = loadJsonSamples(path, { cache: false, labelled });
      const count = samples.x.length / Math.max(1, size);
      inputs = {
        x: samples.x,
        count,
        ...(labelled ? { labels: samples.labels } : {}),
        ids: [...Array(count).keys()].map((i) => `record ${i + 1}`),
      };
    } else if (ext === '.npy') {
      const array = readNpy(path);
      const x = Float32Array.from(array.data as ArrayLike<number>);
      inputs = {
        x,
        count: x.length / size,
        ids: [...Array(x.length / size).keys()].map((i) => `row ${i + 1}`),
      };
    } else if (isImage(path)) {
      inputs = { x: await loadImages([path], shape as unknown as ImageShape), count: 1, ids: [path] };
    } else {
      throw new ConfigError(
        field,
        `${path}: expected a .csv, .tsv, .jsonl, .json, .npy file, an image or a folder of images`,
      );
    }
  }
  if (inputs.x.length !== inputs.count * size || !Number.isInteger(inputs.count)) {
    throw new DataFormatError(
      path,
      `expected examples of shape [${shape.join(', ')}] (${size} values each), as the model takes`,
    );
  }
  if (labelled && !inputs.labels)
    throw new ConfigError(
      'data',
      `${path}: expected labelled examples (a label column, "y" fields or class folders)`,
    );
  return inputs;
}

/** Whether a table's header row names `column`. */
function hasColumn(path: string, column: string | number): boolean {
  if (typeof column === 'number') return true;
  const header = readFileSync(path, 'utf8').split('\n', 1)[0];
  return header.split(/[,\t;]/).some((cell) => cell.trim().replace(/^"|"$/g, '') === column);
}

async function readImageFolder(path: string, shape: readonly number[], labelled: boolean): Promise<Inputs> {
  const entries = readdirSync(path, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  if (entries.some((e) => e.isDirectory())) {
    const data = await loadImageFolder(path, { shape: shape as unknown as ImageShape, cache: false });
    return {
      x: data.x,
      count: data.y.length,
      labels: Array.from(data.y, (c) => data.classNames![c]),
      ids: Array.from(data.y, (c, i) => `${data.classNames![c]}/${i}`),
    };
  }
  if (labelled)
    throw new ConfigError('data', `${path}: expected class subfolders (the labels evaluate needs)`);
  const files = entries
    .filter((e) => e.isFile() && isImage(e.name))
    .map((e) => join(path, e.name))
    .sort();
  if (!files.length)
    throw new DataFormatError(path, `expected ${IMAGE_EXTENSIONS.join('/')} images, got none`);
  return { x: await loadImages(files, shape as unknown as ImageShape), count: files.length, ids: files };
}

/** The class id of each raw label: by the learner's class names, or as an id where it has none. */
export function classIds(labels: readonly (string | number)[], learner: Learner, where: string): Int32Array {
  const names = learner.classNames;
  return Int32Array.from(labels, (label, i) => {
    if (names) {
      const id = names.indexOf(String(label));
      if (id >= 0) return id;
    } else {
      const id = typeof label === 'number' ? label : /^\d+$/.test(label) ? Number(label) : NaN;
      if (Number.isInteger(id) && id >= 0 && id < learner.model.numClasses) return id;
    }
    const known = names
      ? ` (classes: ${names.join(', ')})`
      : ` (class ids 0..${learner.model.numClasses - 1})`;
    throw new DataFormatError(
      where,
      `example ${i + 1}: the model knows no class ${JSON.stringify(label)}${known}`,
    );
  });
}

/** Predictions as CSV (`id,label,className,p0,p1,...`) or JSON Lines. */
export function formatPredictions(
  predictions: readonly Prediction[],
  ids: readonly string[],
  format: 'csv' | 'jsonl',
): string {
  if (format === 'jsonl') {
    return predictions.map((p, i) => JSON.stringify({ id: ids[i], ...p })).join('\n') + '\n';
  }
  const k = predictions[0]?.probabilities.length ?? 0;
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const header = ['id', 'label', 'className', ...Array.from({ length: k }, (_, c) => `p${c}`)].join(',');
  const rows = predictions.map((p, i) =>
    [quote(ids[i]), p.label, quote(p.className ?? ''), ...p.probabilities.map((v) => v.toPrecision(6))].join(
      ',',
    ),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

export interface PredictFlags {
  model: string;
  input: string;
  out?: string;
  format?: string;
  task?: string;
  label?: string;
}

export async function predictCommand(flags: PredictFlags): Promise<string> {
  const format = flags.format ?? (flags.out && extname(flags.out) === '.jsonl' ? 'jsonl' : 'csv');
  if (format !== 'csv' && format !== 'jsonl')
    throw new ConfigError('format', `expected csv or jsonl, got ${JSON.stringify(format)}`);
  const taskId = taskOf(flags.task);
  await initEngine();
  const learner = await loadLearner(flags.model);
  try {
    const inputs = await readInputs(flags.input, learner, {
      field: 'input',
      labelled: false,
      modelDir: flags.model,
      ...(flags.label ? { label: flags.label } : {}),
    });
    const predictions = learner.predict(inputs.x, taskId === undefined ? {} : { taskId });
    const text = formatPredictions(predictions, inputs.ids, format);
    if (flags.out) writeFileAtomic(flags.out, text);
    return flags.out ? `predictions: ${flags.out} (${predictions.length} examples)` : text.trimEnd();
  } finally {
    learner.dispose();
  }
}

export interface EvaluateFlags {
  model: string;
  data: string;
  task?: string;
  label?: string;
}

export async function evaluateCommand(flags: EvaluateFlags): Promise<string> {
  const taskId = taskOf(flags.task);
  await initEngine();
  const learner = await loadLearner(flags.model);
  try {
    const inputs = await readInputs(flags.data, learner, {
      field: 'data',
      labelled: true,
      modelDir: flags.model,
      ...(flags.label ? { label: flags.label } : {}),
    });
    const y = classIds(inputs.labels!, learner, flags.data);
    const result = learner.evaluate({ x: inputs.x, y }, taskId === undefined ? {} : { taskId });
    const names = learner.classNames ?? Array.from({ length: learner.model.numClasses }, (_, c) => String(c));
    const present = result.confusion
      .map((row, c) => (row.some((n) => n > 0) || result.confusion.some((r) => r[c] > 0) ? c : -1))
      .filter((c) => c >= 0);
    const width = Math.max(5, ...present.map((c) => names[c].length));
    const lines = [
      `accuracy ${(result.accuracy * 100).toFixed(2)}% on ${result.total} examples`,
      '',
      `confusion matrix (rows: true class, columns: predicted)`,
      [''.padEnd(width), ...present.map((c) => names[c].padStart(width))].join(' '),
      ...present.map((t) =>
        [names[t].padEnd(width), ...present.map((p) => String(result.confusion[t][p]).padStart(width))].join(
          ' ',
        ),
      ),
    ];
    return lines.join('\n');
  } finally {
    learner.dispose();
  }
}

function taskOf(task: string | undefined): number | undefined {
  if (task === undefined) return undefined;
  const id = Number(task);
  if (!Number.isInteger(id) || id < 0)
    throw new ConfigError('task', `expected a task id (an integer >= 0), got ${JSON.stringify(task)}`);
  return id;
}
