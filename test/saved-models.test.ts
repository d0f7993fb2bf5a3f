/**
 * A model that lives on. A run keeps each strategy's final model (`<run>/models/<strategy>/`);
 * `unforget evaluate` on it gives the accuracy the run measured, `unforget predict` writes the
 * classes by name; plain TensorFlow.js, with no unforget code, loads its model.json and computes
 * the same probabilities. A Learner saved and loaded in a fresh process predicts bit for bit as
 * before, and its next 100 steps equal those of the learner never saved.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import { createRng } from '../src/core/random.js';
import { modelWeights } from '../src/models/classifier.js';
import { createLearner } from '../src/learner/create-learner.js';
import { loadLearner } from '../src/learner/load-learner.js';

await initEngine();

const bin = join(process.cwd(), 'bin/unforget.mjs');
const NAMES = ['cycle', 'idle', 'jump', 'run', 'swim', 'walk'];

/** `count` readings per class: 8 features around a class centre, and the activity label. */
function readings(count: number, seed: number, { label = true } = {}): string {
  const rng = createRng(seed);
  const rows = [`f0,f1,f2,f3,f4,f5,f6,f7${label ? ',activity' : ''}`];
  NAMES.forEach((name, c) => {
    for (let i = 0; i < count; i++) {
      const features = Array.from({ length: 8 }, (_, d) =>
        ((d === c || d === (c + 3) % 8 ? 3 : 0) + rng.normal() * 0.8).toFixed(4),
      );
      rows.push([...features, ...(label ? [name] : [])].join(','));
    }
  });
  return `${rows.join('\n')}\n`;
}

const unforget = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });

/** Runs `code` (an ES module importing `modules` by name) in a fresh Node process; its last line as JSON. */
function fresh(code: string, { tsx = true } = {}): unknown {
  const run = spawnSync(
    process.execPath,
    [...(tsx ? ['--import', 'tsx'] : []), '--input-type=module', '-e', code],
    {
      cwd: process.cwd(),
      encoding: 'utf8',
      env: { ...process.env, UNFORGET_BACKEND: '' },
      maxBuffer: 64 << 20,
    },
  );
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}
const src = (path: string) => pathToFileURL(join(process.cwd(), 'src', path)).href;

describe('saved models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unforget-saved-'));
  writeFileSync(join(dir, 'train.csv'), readings(60, 1));
  writeFileSync(join(dir, 'test.csv'), readings(20, 2));
  writeFileSync(join(dir, 'new.csv'), readings(3, 3, { label: false }));
  writeFileSync(
    join(dir, 'run.yaml'),
    'benchmark:\n  name: files\n  dataset: { format: csv, train: train.csv, test: test.csv, label: activity }\n  experiences: 3\nmodel: { hiddenSizes: [32] }\ntraining: { epochs: 5, batchSize: 16, lr: 0.003 }\nstrategies:\n  - { name: naive }\n  - { name: er, bufferSize: 60 }\n  - { name: icarl, budget: 60 }\n',
  );
  const ran = unforget(['run', '--config', 'run.yaml', '--out', 'runs'], dir);
  assert.equal(ran.status, 0, ran.stderr);
  const run = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]);
  const results = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as Record<
    string,
    { matrix: number[][] }
  >;

  it('a run keeps every strategy; evaluate gives the accuracy the run measured, by class name', () => {
    assert.deepEqual(readdirSync(join(run, 'models')).sort(), ['er', 'icarl', 'naive']);
    for (const strategy of ['naive', 'er', 'icarl']) {
      const out = unforget(['evaluate', '--model', join(run, 'models', strategy), '--data', 'test.csv'], dir);
      assert.equal(out.status, 0, out.stderr);
      // The run's last evaluation: equal test sets per experience, so the mean of the last row.
      const last = results[strategy].matrix.at(-1)!;
      const measured = last.reduce((a, b) => a + b, 0) / last.length;
      const printed = Number(/^accuracy ([\d.]+)% on 120 examples$/m.exec(out.stdout)?.[1]);
      assert.ok(
        Math.abs(printed - measured * 100) < 0.005,
        `${strategy}: ${printed}% vs the run's ${measured * 100}%`,
      );
      assert.match(
        out.stdout,
        new RegExp(`^\\s+${NAMES.map((n) => `\\s*${n}`).join('')}$`, 'm'),
        'the confusion matrix names the classes',
      );
    }
  });

  it("predict writes each example's class by name and its probabilities, from a table without labels", () => {
    const out = unforget(
      ['predict', '--model', join(run, 'models', 'er'), '--input', 'new.csv', '--out', 'predicted.csv'],
      dir,
    );
    assert.equal(out.status, 0, out.stderr);
    const [header, ...rows] = readFileSync(join(dir, 'predicted.csv'), 'utf8').trim().split('\n');
    assert.equal(header, 'id,label,className,p0,p1,p2,p3,p4,p5');
    assert.equal(rows.length, 18);
    const named = rows.map((r) => r.split(',')[2]);
    assert.ok(named.every((n) => NAMES.includes(n)));
    // Three readings of each activity, in order: most are recognised.
    const right = named.filter((n, i) => n === NAMES[Math.floor(i / 3)]).length;
    assert.ok(right >= 12, `${right} of 18 right`);
    const jsonl = unforget(
      ['predict', '--model', join(run, 'models', 'er'), '--input', 'new.csv', '--format', 'jsonl'],
      dir,
    );
    const first = JSON.parse(jsonl.stdout.split('\n')[0]) as {
      id: string;
      label: number;
      className: string;
      probabilities: number[];
    };
    assert.equal(first.id, 'row 1');
    assert.equal(first.className, named[0]);
    assert.ok(Math.abs(first.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  });

  it('plain TensorFlow.js, with no unforget code, loads the saved model.json and computes the same probabilities', async () => {
    const learner = await loadLearner(join(run, 'models', 'er'));
    const x = Float32Array.from(
      readings(2, 9, { label: false })
        .trim()
        .split('\n')
        .slice(1)
        .flatMap((r) => r.split(',').map(Number)),
    );
    const ours = learner.predict(x).map((p) => p.probabilities);
    learner.dispose();
    const modelDir = join(run, 'models', 'er');
    const theirs = fresh(
      `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
const json = JSON.parse(readFileSync(${JSON.stringify(join(modelDir, 'model.json'))}, 'utf8'));
const weights = readFileSync(${JSON.stringify(join(modelDir, 'weights.bin'))});
const model = await loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology,
  weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
  weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
}));
const x = tf.tensor(${JSON.stringify(Array.from(x))}, [12, 8]);
console.log(JSON.stringify(tf.softmax(model.predict(x)).arraySync()));`,
      { tsx: false },
    ) as number[][];
    theirs.forEach((row, i) =>
      row.forEach((p, c) =>
        assert.ok(Math.abs(p - ours[i][c]) < 1e-5, `row ${i} class ${c}: ${p} vs ${ours[i][c]}`),
      ),
    );
  });

  it("a Learner saved and loaded in a fresh process predicts bit for bit; loaded, its next 100 steps equal the unsaved one's", async () => {
    const config = {
      model: { type: 'mlp', hiddenSizes: [16] },
      strategy: { name: 'derpp', bufferSize: 50 },
      optimizer: { name: 'adam' as const, lr: 0.01 },
      sampleShape: [8],
      numClasses: 6,
      classNames: NAMES,
      seed: 4,
    };
    const rows = readings(40, 5)
      .trim()
      .split('\n')
      .slice(1)
      .map((r) => r.split(','));
    const order = createRng(1).permutation(rows.length);
    const batch = (k: number) => {
      const picked = Array.from({ length: 10 }, (_, j) => rows[order[(k * 10 + j) % rows.length]]);
      return {
        x: picked.flatMap((r) => r.slice(0, 8).map(Number)),
        y: picked.map((r) => NAMES.indexOf(r[8])),
      };
    };
    const learner = await createLearner(config);
    for (let k = 0; k < 30; k++) learner.learn(batch(k));
    const saved = join(dir, 'learner');
    await learner.save(saved);
    const probe = rows.slice(0, 12).flatMap((r) => r.slice(0, 8).map(Number));
    const before = learner.predict(probe);
    const after = fresh(`import { initEngine } from '${src('engine/backend.ts')}';
import { loadLearner } from '${src('learner/load-learner.ts')}';
await initEngine();
const learner = await loadLearner(${JSON.stringify(saved)});
console.log(JSON.stringify(learner.predict(${JSON.stringify(probe)})));`);
    assert.deepEqual(after, before, 'the same predictions, bit for bit, in a fresh process');
    const loaded = await loadLearner(saved);
    for (let k = 30; k < 130; k++) {
      learner.learn(batch(k));
      loaded.learn(batch(k));
    }
    assert.equal(loaded.stepCount, 130);
    modelWeights(learner.model).forEach((v, i) =>
      assert.deepEqual(
        v.dataSync(),
        modelWeights(loaded.model)[i].dataSync(),
        `variable ${i} after 100 more steps`,
      ),
    );
    assert.deepEqual(loaded.predict(probe), learner.predict(probe));
    learner.dispose();
    loaded.dispose();
  });
});
