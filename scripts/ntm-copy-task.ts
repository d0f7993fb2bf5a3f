/**
 * The copy task of Graves et al. 2014 ("Neural Turing Machines", arXiv 1410.5401, section 4.1):
 * trains an NTM (feedforward controller by default) and a one-layer LSTM whose width is chosen so
 * that its parameter count is the closest to the NTM's, on sequences from the same generator
 * (8-bit vectors + a delimiter channel, lengths uniform in 1..maxLength, batch 16, Adam, gradients
 * clipped to global norm 10), records the learning curve (training loss and bits wrong per
 * sequence every --every steps) and, after training, bits wrong per sequence on fresh sequences of
 * every length 1-20 and 30-40 (lengths never seen in training).
 *
 *   npx tsx scripts/ntm-copy-task.ts [--steps 3000] [--seeds 0] [--models ntm,lstm] [--lr 5e-3] [--lr-decay cosine|none]
 *       [--controller mlp|lstm] [--gate-bias=-1] [--clip 10] [--guard on|off] [--curriculum 4] [--curriculum-threshold 1] [--every 25]
 *       [--config examples/ntm/copy-task.yaml] [--out docs/reproductions/ntm-copy-task.json]
 *
 * --config reads the same settings from a YAML mapping (keys as the flags' names); flags on the
 * command line win over the file, the file over the defaults.
 *
 * Curriculum (--curriculum s, 0 = off): training lengths are uniform in 1..maxLength, maxLength
 * starting at s and growing by 2 (up to 20) at each checkpoint whose window of training batches
 * averaged under 1 bit wrong per sequence, so a model moves on once it copies the current lengths;
 * each model follows the same rule on its own error, so both see the same number of sequences,
 * not necessarily the same lengths (each record's curve states maxLength). Records are appended to
 * --out (keyed by the row's settings and the seed); with the default
 * --out, docs/results.json entries and the generated block of docs/results.md are rewritten from
 * all records (`--publish` does only that, from the records already there).
 *
 * Defaults are the published protocol: 3,000 steps, the learning rate falling from 5e-3 to 5e-4 on
 * a cosine, the NTM's interpolation gates starting at sigmoid(-1) = 0.27 (closer to location-based
 * addressing), and the divergence guard (src/models/ntm/divergence-guard.ts), which rolls a run
 * back to an earlier state when a window of 25 steps collapses; each record lists its rollbacks.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import * as tf from '../src/engine/tf.js';
import { initEngine } from '../src/engine/backend.js';
import { adam } from '../src/engine/optimizers/index.js';
import { createRng } from '../src/core/random.js';
import {
  copyBatch,
  copyLoss,
  bitsWrongPerSequence,
  sampleLength,
  answerLogits,
} from '../src/data/copy-task.js';
import { ntm } from '../src/models/ntm/ntm.js';
import { lstmNetwork } from '../src/models/ntm/lstm.js';
import { clippedStep, DEFAULT_CLIP_NORM } from '../src/models/ntm/sequence-training.js';
import { parameterCount } from '../src/models/ntm/dense.js';
import { divergenceGuard } from '../src/models/ntm/divergence-guard.js';
import {
  appendRecords,
  groupBy,
  meanStd,
  readJson,
  mergeResultsJson,
  replaceGeneratedBlock,
  round2,
  type ResultEntry,
} from './reproduction/records.js';

const DEFAULT_OUT = 'docs/reproductions/ntm-copy-task.json';
const DEFAULT_LEARNING_RATE = 5e-3;
const SOURCE = 'Graves et al. 2014, Neural Turing Machines (arXiv 1410.5401), copy task (section 4.1)';
const WIDTH = 8;
const BATCH = 16;
const MAX_TRAIN_LENGTH = 20;

/**
 * The settings and their defaults (the published protocol). Each is a command-line flag of the
 * same name and a key of a --config YAML file; flags given on the command line win over the file.
 */
const DEFAULTS = {
  steps: '3000',
  seeds: '0',
  models: 'ntm,lstm',
  lr: String(DEFAULT_LEARNING_RATE),
  // 'cosine': the learning rate falls from --lr to --lr/10 over the run (long runs at a constant
  // 5e-3 collapsed late, docs/results.md); 'none' keeps it constant.
  'lr-decay': 'cosine',
  controller: 'mlp',
  // Initial bias of the NTM heads' interpolation gates (0: g = 0.5 at the start).
  'gate-bias': '-1',
  // Roll back to an earlier healthy state when a window of steps collapses (divergence-guard.ts).
  guard: 'on',
  // Global-norm gradient clipping of both models.
  clip: String(DEFAULT_CLIP_NORM),
  curriculum: '4',
  // Bits wrong per sequence (window mean) under which the curriculum lengthens the sequences.
  'curriculum-threshold': '1',
  every: '25',
};
type Setting = keyof typeof DEFAULTS;
const SETTINGS = Object.keys(DEFAULTS) as Setting[];

const { values: given } = parseArgs({
  options: {
    ...Object.fromEntries(SETTINGS.map((k) => [k, { type: 'string' as const }])),
    config: { type: 'string' },
    out: { type: 'string', default: DEFAULT_OUT },
    publish: { type: 'boolean', default: false },
  },
});

/** A --config file's settings: a YAML mapping of setting names to numbers, strings or booleans. */
function readConfig(path: string): Partial<Record<Setting, string>> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`--config ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`--config ${path}: expected a mapping of settings (${SETTINGS.join(', ')})`);
  }
  return Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => {
      if (!(SETTINGS as string[]).includes(key)) {
        throw new Error(`--config ${path}: ${key}: unknown setting; expected one of ${SETTINGS.join(', ')}`);
      }
      if (!['number', 'string', 'boolean'].includes(typeof value)) {
        throw new Error(`--config ${path}: ${key}: expected a number, a string or a boolean`);
      }
      // YAML reads `guard: on` as a string but `guard: true` as a boolean: both mean on.
      return [key, typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value)];
    }),
  );
}

const onCommandLine = (k: Setting) => (given as Record<string, unknown>)[k] as string | undefined;
const fromCommandLine = Object.fromEntries(
  SETTINGS.filter((k) => onCommandLine(k) !== undefined).map((k) => [k, onCommandLine(k)]),
);
const args: Record<Setting, string> & { out: string; publish: boolean } = {
  ...DEFAULTS,
  ...(given.config ? readConfig(given.config) : {}),
  ...fromCommandLine,
  out: given.out!,
  publish: given.publish!,
};
const wholeNumber = (flag: Setting, min: number) => {
  const value = Number(args[flag]);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${flag}: expected a whole number >= ${min}, got ${args[flag]}`);
  }
  return value;
};
const steps = wholeNumber('steps', 1);
const every = wholeNumber('every', 1);
const curriculumStart = wholeNumber('curriculum', 0);
const learningRate = Number(args.lr);
if (!(learningRate > 0)) throw new Error(`--lr: expected a positive number, got ${args.lr}`);
const gateBias = Number(args['gate-bias']);
const clipNorm = Number(args.clip);
if (!Number.isFinite(gateBias)) throw new Error(`--gate-bias: expected a number, got ${args['gate-bias']}`);
if (args.guard !== 'on' && args.guard !== 'off')
  throw new Error(`--guard: expected on or off, got ${args.guard}`);
const guardOn = args.guard === 'on';
if (!(clipNorm > 0)) throw new Error(`--clip: expected a positive number, got ${args.clip}`);
const lrDecay = args['lr-decay'] as 'none' | 'cosine';
if (lrDecay !== 'none' && lrDecay !== 'cosine') {
  throw new Error(`--lr-decay: expected none or cosine, got ${lrDecay}`);
}
/** The learning rate at `step` (1-based) of `total`: constant, or cosine from lr down to lr/10. */
const learningRateAt = (step: number, total: number) =>
  lrDecay === 'none'
    ? learningRate
    : learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / Math.max(1, total - 1))));
if (args.controller !== 'mlp' && args.controller !== 'lstm') {
  throw new Error(`--controller: expected mlp or lstm, got ${args.controller}`);
}
const controller = args.controller;

interface CurvePoint {
  step: number;
  maxLength: number;
  /** Means over the window's training batches. */
  loss: number;
  bitsWrong: number;
}

interface CopyRecord {
  model: 'ntm' | 'lstm';
  description: string;
  seed: number;
  parameters: number;
  steps: number;
  sequences: number;
  learningRate: number;
  /** Absent in records made before these settings existed: none, 0, 10 and 1. */
  lrDecay?: 'none' | 'cosine';
  /** The NTM's only. */
  gateBias?: number;
  clipNorm?: number;
  curriculumThreshold?: number;
  /** Whether the divergence guard ran, and the steps at which it rolled training back. */
  guard?: boolean;
  rollbacks?: number[];
  curriculumStart: number;
  secondsPerStep: number;
  curve: CurvePoint[];
  /** Bits wrong per sequence on fresh sequences, by length. */
  perLength: Record<string, number>;
  len1to20: number;
  len30to40: number;
  command: string;
}

const curriculumThreshold = Number(args['curriculum-threshold']);
if (!(curriculumThreshold > 0)) {
  throw new Error(`--curriculum-threshold: expected a positive number, got ${args['curriculum-threshold']}`);
}
const CURRICULUM_STEP = 2;

const ntmOptions = {
  inputSize: WIDTH + 1,
  outputSize: WIDTH,
  controller,
  gateBias,
} as const;
const lstmParameters = (hidden: number) => 4 * hidden * (WIDTH + 1 + hidden + 1) + (hidden + 1) * WIDTH;

function build(model: 'ntm' | 'lstm', seed: number) {
  if (model === 'ntm') {
    const net = ntm({ ...ntmOptions, seed });
    return {
      net,
      description: `NTM: ${controller.toUpperCase()} controller 100, N=128, M=20, 1 read + 1 write head, shifts -1..1${gateBias === 0 ? '' : `, gate bias ${gateBias}`}`,
    };
  }
  // The width whose one-layer LSTM has the parameter count closest to the NTM's.
  const probe = ntm(ntmOptions);
  const target = parameterCount(probe.variables);
  probe.dispose();
  let hidden = 1;
  while (Math.abs(lstmParameters(hidden + 1) - target) < Math.abs(lstmParameters(hidden) - target)) hidden++;
  const net = lstmNetwork({ inputSize: WIDTH + 1, outputSize: WIDTH, hiddenSize: hidden, layers: 1, seed });
  return { net, description: `LSTM: 1 layer of ${hidden} units` };
}

function evaluate(net: { run(xs: tf.Tensor3D): tf.Tensor3D }, seed: number): Record<string, number> {
  const rng = createRng(seed + 7919); // the same fresh sequences for both models
  const lengths = [
    ...Array.from({ length: 20 }, (_, i) => i + 1),
    ...Array.from({ length: 11 }, (_, i) => i + 30),
  ];
  const perLength: Record<string, number> = {};
  for (const length of lengths) {
    const batch = copyBatch(rng, { batch: BATCH, width: WIDTH, length });
    const logits = net.run(batch.inputs);
    perLength[length] = bitsWrongPerSequence(logits, batch);
    tf.dispose([logits, batch.inputs, batch.targets]);
  }
  return perLength;
}

async function train(model: 'ntm' | 'lstm', seed: number): Promise<CopyRecord> {
  const { net, description } = build(model, seed);
  const optimizer = adam({ learningRate });
  const rng = createRng(seed);
  const guard = guardOn ? divergenceGuard(net.variables, optimizer) : null;
  const rollbacks: number[] = [];
  const curve: CurvePoint[] = [];
  let window = { loss: 0, bits: 0, n: 0 };
  let maxLength = curriculumStart > 0 ? Math.min(curriculumStart, MAX_TRAIN_LENGTH) : MAX_TRAIN_LENGTH;
  const start = performance.now();
  for (let step = 1; step <= steps; step++) {
    if (lrDecay !== 'none') optimizer.setLearningRate(learningRateAt(step, steps));
    const batch = copyBatch(rng, { batch: BATCH, width: WIDTH, length: sampleLength(rng, 1, maxLength) });
    let wrong: tf.Tensor | undefined;
    const loss = clippedStep(
      optimizer,
      net.variables,
      () => {
        const logits = net.run(batch.inputs);
        // Counted from the step's own forward pass (no extra run); kept out of the step's tidy.
        wrong = tf.keep(
          tf.sum(
            tf.cast(
              tf.notEqual(tf.greater(answerLogits(logits, batch.length), 0), tf.greater(batch.targets, 0.5)),
              'float32',
            ),
          ),
        );
        return copyLoss(logits, batch);
      },
      clipNorm,
    );
    window = { loss: window.loss + loss, bits: window.bits + wrong!.dataSync()[0] / BATCH, n: window.n + 1 };
    tf.dispose([wrong!, batch.inputs, batch.targets]);
    if (step % every === 0 || step === steps) {
      const point = { step, maxLength, loss: window.loss / window.n, bitsWrong: window.bits / window.n };
      curve.push(point);
      const elapsed = (performance.now() - start) / 1000;
      console.log(
        `${model} seed ${seed} step ${step} max length ${point.maxLength}: loss ${point.loss.toFixed(4)}, ` +
          `bits wrong/seq ${point.bitsWrong.toFixed(2)} (${elapsed.toFixed(0)} s)`,
      );
      window = { loss: 0, bits: 0, n: 0 };
      if (guard?.endWindow(point.loss)) {
        rollbacks.push(step);
        console.log(`${model} seed ${seed} step ${step}: collapsed, rolled back to an earlier state`);
        continue; // the curriculum does not move on a collapsed window
      }
      if (point.bitsWrong < curriculumThreshold)
        maxLength = Math.min(MAX_TRAIN_LENGTH, maxLength + CURRICULUM_STEP);
    }
  }
  const secondsPerStep = (performance.now() - start) / 1000 / steps;
  const perLength = evaluate(net, seed);
  const mean = (from: number, to: number) => {
    const values = Object.entries(perLength).filter(([l]) => Number(l) >= from && Number(l) <= to);
    return values.reduce((a, [, v]) => a + v, 0) / values.length;
  };
  const record: CopyRecord = {
    model,
    description,
    seed,
    parameters: parameterCount(net.variables),
    steps,
    sequences: steps * BATCH,
    learningRate,
    lrDecay,
    ...(model === 'ntm' ? { gateBias } : {}),
    clipNorm,
    curriculumThreshold,
    guard: guardOn,
    rollbacks,
    curriculumStart,
    secondsPerStep,
    curve,
    perLength,
    len1to20: mean(1, 20),
    len30to40: mean(30, 40),
    // Every setting spelled out, so the command reproduces the record whatever the defaults become.
    command:
      `npx tsx scripts/ntm-copy-task.ts --steps ${steps} --seeds ${seed} --models ${model} --lr ${args.lr}` +
      ` --lr-decay ${lrDecay} --controller ${controller} --curriculum ${curriculumStart}` +
      ` --curriculum-threshold ${curriculumThreshold}${model === 'ntm' ? ` --gate-bias=${gateBias}` : ''}` +
      ` --clip ${clipNorm} --guard ${guardOn ? 'on' : 'off'} --every ${every}`,
  };
  console.log(
    `${model} seed ${seed}: bits wrong/seq len 1-20 ${record.len1to20.toFixed(2)}, len 30-40 ${record.len30to40.toFixed(2)}, ` +
      `${secondsPerStep.toFixed(3)} s/step`,
  );
  net.dispose();
  optimizer.dispose();
  return record;
}

/**
 * What a row of the results names: the model and every setting that differs from the defaults
 * (no curriculum, the learning rate, the NTM's gate bias, the clipping norm, the curriculum threshold). Records made
 * before a setting existed used its default.
 */
const variantOf = (r: CopyRecord) => {
  const settings = [
    r.curriculumStart > 0 ? '' : 'no curriculum',
    r.learningRate === DEFAULT_LEARNING_RATE ? '' : `lr ${r.learningRate}`,
    r.model !== 'ntm' || (r.gateBias ?? 0) === 0 ? '' : `gate bias ${r.gateBias}`,
    (r.clipNorm ?? DEFAULT_CLIP_NORM) === DEFAULT_CLIP_NORM ? '' : `clip ${r.clipNorm}`,
    (r.curriculumThreshold ?? 1) === 1 ? '' : `curriculum threshold ${r.curriculumThreshold}`,
    r.guard ? 'rollback guard' : '',
  ].filter((x) => x !== '');
  return settings.length === 0 ? r.model : `${r.model} (${settings.join(', ')})`;
};
/** Records of one row: the same variant trained the same number of steps under the same schedule. */
const rowOf = (r: CopyRecord) => `${variantOf(r)}/${r.steps}/${r.lrDecay ?? 'none'}`;

async function publish(records: CopyRecord[]): Promise<void> {
  const groups = groupBy(
    [...records].sort((a, b) => a.seed - b.seed),
    rowOf,
  );
  const entries: ResultEntry[] = groups.flatMap((group) =>
    (['len1to20', 'len30to40'] as const).map((key) => {
      const { mean, std } = meanStd(group.map((r) => r[key]));
      return {
        benchmark: 'copy-task',
        scenario: 'sequence',
        method: variantOf(group[0]),
        metric: key === 'len1to20' ? 'bits-wrong-per-sequence-len-1-20' : 'bits-wrong-per-sequence-len-30-40',
        mean: round2(mean),
        std: std === null ? null : round2(std),
        seeds: group.map((r) => r.seed),
        published: null,
        source: SOURCE,
        command: group[0].command.replace(/--seeds \d+/, `--seeds ${group.map((r) => r.seed).join(',')}`),
      };
    }),
  );
  await mergeResultsJson('docs/results.json', SOURCE, entries);
  const cell = (values: number[]) => {
    const { mean, std } = meanStd(values);
    return std === null ? mean.toFixed(2) : `${mean.toFixed(2)} ± ${std.toFixed(2)}`;
  };
  const f = (v?: number, d = 2) => (v === undefined ? '—' : v.toFixed(d));
  const lines = [
    '| model | curriculum | parameters | steps x batch | learning rate | s per step | seeds | rollbacks (per seed) | bits wrong/seq, len 1-20 | len 30-40 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...groups.map(
      (g) =>
        `| ${[
          g[0].description,
          g[0].curriculumStart > 0 ? `from ${g[0].curriculumStart}` : 'none',
          g[0].parameters,
          `${g[0].steps} x ${BATCH}`,
          (g[0].lrDecay ?? 'none') === 'none'
            ? `${g[0].learningRate}`
            : `${g[0].learningRate} cosine to ${g[0].learningRate / 10}`,
          cell(g.map((r) => r.secondsPerStep)),
          g.map((r) => r.seed).join(', '),
          g[0].guard ? g.map((r) => r.rollbacks?.length ?? 0).join(', ') : '— (no guard)',
          cell(g.map((r) => r.len1to20)),
          cell(g.map((r) => r.len30to40)),
        ].join(' | ')} |`,
    ),
    '',
    'Learning curve of the first seed of each (training batches; loss in nats per bit and bits wrong per',
    'sequence, means over each window of steps; max = the maximum training length then):',
    '',
  ];
  const firsts = groups.map((g) => g[0]);
  const base = firsts.reduce((a, b) => (b.curve.length > a.curve.length ? b : a), firsts[0]);
  const stride = Math.max(1, Math.ceil(base.curve.length / 16));
  lines.push(`| step | ${firsts.map((r) => `${variantOf(r)}: max, loss, bits wrong`).join(' | ')} |`);
  lines.push(`| --- | ${firsts.map(() => '---').join(' | ')} |`);
  base.curve.forEach((p, i) => {
    if (i % stride !== 0 && i !== base.curve.length - 1) return;
    const cells = firsts.map((r) => {
      const q = r.curve.find((c) => c.step === p.step);
      return q ? `${q.maxLength}, ${f(q.loss, 4)}, ${f(q.bitsWrong)}` : '—';
    });
    lines.push(`| ${p.step} | ${cells.join(' | ')} |`);
  });
  lines.push(
    '',
    'Bits wrong per sequence by length after training (fresh sequences, 16 per length; first seed):',
    '',
  );
  const lengths = Object.keys(base.perLength);
  lines.push(`| model | ${lengths.join(' | ')} |`, `| --- | ${lengths.map(() => '---').join(' | ')} |`);
  for (const r of firsts)
    lines.push(`| ${variantOf(r)} | ${lengths.map((l) => f(r.perLength[l], 1)).join(' | ')} |`);
  await replaceGeneratedBlock('docs/results.md', 'ntm-copy-task', 'scripts/ntm-copy-task.ts', lines);
}

await initEngine();
const seeds = args.seeds.split(',').map(Number);
if (seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
  throw new Error(`--seeds: expected whole numbers >= 0 separated by commas, got ${args.seeds}`);
}
const models = args.models.split(',') as ('ntm' | 'lstm')[];
if (models.some((m) => m !== 'ntm' && m !== 'lstm')) {
  throw new Error(`--models: expected ntm and/or lstm separated by commas, got ${args.models}`);
}
if (args.publish) {
  await publish(readJson<CopyRecord[]>(DEFAULT_OUT, []));
} else {
  for (const seed of seeds) {
    for (const model of models) {
      const record = await train(model, seed);
      const all = await appendRecords(args.out, [record], (r) => `${rowOf(r)}:${r.seed}`);
      if (args.out === DEFAULT_OUT) await publish(all);
    }
  }
}
