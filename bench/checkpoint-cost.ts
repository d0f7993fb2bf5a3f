/**
 * What checkpoints cost (issue 7): the same Split-MNIST run (task-IL, MLP 784-400-400-10, Adam
 * 1e-3, batch 128, `--iterations` steps per experience) without checkpoints, with one after each
 * experience, and with one every `--every` steps too, for methods with small and large state; each
 * checkpoint encoded and written atomically to a temporary folder, as a run does.
 *
 *   npx tsx bench/checkpoint-cost.ts [--iterations 200] [--every 100] [--rounds 5] [--methods naive,ewc,lwf,er]
 *
 * Reports per method: the run's wall time in each setting relative to no checkpoints (medians over
 * rounds; settings interleaved within a round, so load from elsewhere hits them alike), the time
 * of one save (the template's snapshot excluded: it is in the ratio) and the file size.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/backend.js';
import { adam } from '../src/engine/optimizers/index.js';
import { benchmarks } from '../src/benchmarks/benchmarks.js';
import { mlp, multiHeadMlp } from '../src/models/mlp.js';
import { fit, type FitCheckpointing } from '../src/training/template.js';
import { createStrategy } from '../src/strategies/registry.js';
import { checkpointToState } from '../src/checkpoint/fit-state.js';
import { checkpointStore } from '../src/checkpoint/store.js';

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200' },
    every: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
    methods: { type: 'string', default: 'naive,ewc,lwf,er' },
  },
});
const iterations = Number(args.iterations);
const every = Number(args.every);
const rounds = Number(args.rounds);
const methods = args.methods.split(',');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const engine = await initEngine();
const stream = benchmarks.get('split-mnist').build({ seed: 0, scenario: 'task-il' });
const options = { inputShape: stream.sampleShape, hiddenSizes: [400, 400], numClasses: 10, seed: 0 };
// Replay through the batch (ER, DER) and iCaRL's class means need one head (task-IL then masks
// the outputs to the task's classes); the others get a head per task.
const singleHead = new Set(['er', 'der', 'derpp', 'icarl']);
const modelFor = (method: string) =>
  singleHead.has(method) ? () => mlp(options) : () => multiHeadMlp({ ...options, heads: 5 });
const methodOptions: Record<string, Record<string, unknown>> = {
  ewc: { lambda: 10000 },
  si: { c: 1 },
  er: { bufferSize: 500 },
  icarl: { budget: 500 },
};

type Setting = 'none' | 'experiences' | 'steps';
const settings: Setting[] = ['none', 'experiences', 'steps'];

function run(method: string, setting: Setting) {
  const makeModel = modelFor(method);
  const model = makeModel();
  const dir = mkdtempSync(join(tmpdir(), 'unforget-ckpt-bench-'));
  const store = checkpointStore(dir, { keep: 2 });
  const saves: number[] = [];
  let bytes = 0;
  const checkpoint: FitCheckpointing | undefined =
    setting === 'none'
      ? undefined
      : {
          everySteps: setting === 'steps' ? every : 0,
          save: (c) => {
            const start = performance.now();
            const file = store.save(checkpointToState(c));
            saves.push(performance.now() - start);
            bytes = statSync(file).size;
          },
        };
  const start = performance.now();
  fit({
    ...createStrategy(method, {
      seed: 0,
      ...methodOptions[method],
      copyModel: makeModel,
    }),
    stream,
    model,
    optimizer: () => adam({ learningRate: 1e-3 }),
    epochs: 1,
    iterations,
    batchSize: 128,
    seed: 0,
    ...(checkpoint ? { checkpoint } : {}),
  });
  const seconds = (performance.now() - start) / 1000;
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
  return { seconds, saves, bytes };
}

console.log(
  `checkpoint cost, ${engine.backend} backend, Split-MNIST task-IL, ${iterations} steps/experience, ${rounds} rounds`,
);
const rows: string[] = [];
for (const method of methods) {
  const times: Record<Setting, number[]> = { none: [], experiences: [], steps: [] };
  const ratios: Record<Setting, number[]> = { none: [], experiences: [], steps: [] };
  const saveMs: number[] = [];
  let bytes = 0;
  let savesPerRun: Record<Setting, number> = { none: 0, experiences: 0, steps: 0 };
  for (let r = 0; r < rounds; r++) {
    // The order rotates from round to round, so no setting always runs first (or last).
    const order = settings.map((_, k) => settings[(k + r) % settings.length]);
    const results = Object.fromEntries(order.map((s) => [s, run(method, s)])) as Record<
      Setting,
      ReturnType<typeof run>
    >;
    for (const s of settings) {
      times[s].push(results[s].seconds);
      ratios[s].push(results[s].seconds / results.none.seconds);
      savesPerRun = { ...savesPerRun, [s]: results[s].saves.length };
    }
    saveMs.push(...results.experiences.saves, ...results.steps.saves);
    bytes = results.experiences.bytes;
  }
  const line =
    `| ${method} | ${median(times.none).toFixed(1)} | ${median(ratios.experiences).toFixed(3)} (${savesPerRun.experiences}) | ` +
    `${median(ratios.steps).toFixed(3)} (${savesPerRun.steps}) | ${median(saveMs).toFixed(0)} | ${(bytes / 2 ** 20).toFixed(1)} |`;
  rows.push(line);
  console.log(line);
}
console.log(
  '\n| method | no checkpoints, s | after each experience, x (saves) | + every ' +
    `${every} steps, x (saves) | one save, ms | file, MiB |\n|---|---|---|---|---|---|\n${rows.join('\n')}`,
);
