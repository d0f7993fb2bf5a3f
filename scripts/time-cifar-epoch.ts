/**
 * Time per epoch of the CIFAR configs (examples/cifar/), measured on a fraction: the config as a
 * user runs it (ResNet-18, batch 32, augmentation, each method's settings), one epoch, on CIFAR
 * files written here in the binary distribution's format with `--per-class` training images per
 * class (the real files cannot be downloaded here; the cost of a step does not depend on the
 * pixels). Each method's seconds per new training sample, over every experience but the first
 * (its first steps warm the engine up; replay methods replay from the second experience on), times
 * an experience's training images in the real dataset gives the time of one epoch there.
 *
 *   npx tsx scripts/time-cifar-epoch.ts [--configs seq-cifar10,split-cifar100] [--methods naive,er,derpp] [--per-class n]
 *
 * Joint is not timed on its own: its step is Naive's, over all 50000 images per epoch.
 * Records go to docs/reproductions/cifar-epoch-time.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRunConfig, readConfigFile } from '../src/cli/config.js';
import { runExperiment } from '../src/cli/run-experiment.js';
import { cifarRecord } from '../src/data/testing/files.js';
import { appendRecords } from './reproduction/records.js';

interface Layout {
  classes: number;
  experiences: number;
  /** Training images of one experience in the real dataset. */
  realPerExperience: number;
  /** Training images per class written when `--per-class` is not given (2 steps of 32 or so per experience). */
  perClass: number;
  /** Label bytes of a record: CIFAR-100's coarse then fine label. */
  labels: (label: number) => number[];
  write: (dir: string, records: (count: number, offset: number) => Buffer, perClass: number) => void;
}

const LAYOUTS: Record<string, Layout> = {
  'seq-cifar10': {
    classes: 10,
    experiences: 5,
    realPerExperience: 10000,
    perClass: 32,
    labels: (label) => [label],
    write: (dir, records, perClass) => {
      // Five training batch files share the training images; the test batch holds 10 per class.
      const train = records(10 * perClass, 0);
      const size = train.length / (10 * perClass);
      for (let b = 0; b < 5; b++) {
        const from = Math.floor((b * 10 * perClass) / 5);
        const to = Math.floor(((b + 1) * 10 * perClass) / 5);
        writeFileSync(join(dir, `data_batch_${b + 1}.bin`), train.subarray(from * size, to * size));
      }
      writeFileSync(join(dir, 'test_batch.bin'), records(100, 1));
    },
  },
  'split-cifar100': {
    classes: 100,
    experiences: 10,
    realPerExperience: 5000,
    perClass: 4,
    labels: (label) => [Math.floor(label / 5), label],
    write: (dir, records, perClass) => {
      writeFileSync(join(dir, 'train.bin'), records(100 * perClass, 0));
      writeFileSync(join(dir, 'test.bin'), records(100, 1)); // one test image per class: evaluation is not timed
    },
  },
};

const { values: args } = parseArgs({
  options: {
    configs: { type: 'string', default: Object.keys(LAYOUTS).join(',') },
    methods: { type: 'string', default: 'naive,er,derpp' },
    'per-class': { type: 'string' },
    out: { type: 'string', default: 'docs/reproductions/cifar-epoch-time.json' },
  },
});

interface TimingRecord {
  config: string;
  method: string;
  model: string;
  perClass: number;
  secondsPerSample: number;
  realPerExperience: number;
  epochSeconds: number;
  runHours: number;
  date: string;
}

const records: TimingRecord[] = [];
for (const name of args.configs.split(',')) {
  const layout = LAYOUTS[name];
  if (!layout)
    throw new Error(`--configs: expected names among ${Object.keys(LAYOUTS).join(', ')}, got "${name}"`);
  const perClass = Number(args['per-class'] ?? layout.perClass);
  const dir = mkdtempSync(join(tmpdir(), `unforget-${name}-`));
  try {
    // Class c's images come in order: image k of the split is class k % classes.
    const records_ = (count: number, offset: number) =>
      Buffer.concat(
        Array.from({ length: count }, (_, k) => cifarRecord(layout.labels(k % layout.classes), k + offset)),
      );
    layout.write(dir, records_, perClass);
    const raw = readConfigFile(join('examples', 'cifar', `${name}.yaml`)) as {
      benchmark: { dataset: { dir: string } };
      training: { epochs: number };
      strategies: { name: string }[];
      model: { type: string };
    };
    raw.benchmark.dataset.dir = dir;
    raw.training.epochs = 1;
    const wanted = args.methods.split(',');
    raw.strategies = raw.strategies.filter((s) => wanted.includes(s.name));
    const config = parseRunConfig(raw);
    const quiet = { write: (_chunk: string) => true };
    const result = await runExperiment({ ...config, out: join(dir, 'runs') }, { stdout: quiet });
    const newPerExperience = perClass * (layout.classes / layout.experiences);
    for (const [method, summary] of Object.entries(result.summaries)) {
      const timed = summary.secondsPerExperience.slice(1);
      const secondsPerSample = timed.reduce((a, b) => a + b, 0) / (timed.length * newPerExperience);
      const epochSeconds = secondsPerSample * layout.realPerExperience;
      const record: TimingRecord = {
        config: name,
        method,
        model: raw.model.type,
        perClass,
        secondsPerSample,
        realPerExperience: layout.realPerExperience,
        epochSeconds,
        runHours: (epochSeconds * 50 * layout.experiences) / 3600,
        date: new Date().toISOString().slice(0, 10),
      };
      records.push(record);
      process.stderr.write(
        `${name} ${method}: ${secondsPerSample.toFixed(3)} s per new training image, ` +
          `${(epochSeconds / 60).toFixed(0)} min per epoch of ${layout.realPerExperience} images, ` +
          `${record.runHours.toFixed(0)} h for 50 epochs x ${layout.experiences} experiences\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
await appendRecords(args.out, records, (r) => `${r.config}/${r.method}`);
