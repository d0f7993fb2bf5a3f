/**
 * Your own data, end to end through `unforget run`: a CSV of sensor-like readings with string
 * labels, a folder of generated PNG images and CIFAR-10 binaries, each written by the test in its
 * exact format, as a class-incremental stream; on each, ER forgets measurably less than Naive.
 * The label mapping is kept with the run; a column splits experiences; a bad cell is refused
 * with file, line and column.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRng } from '../src/core/random.js';

const bin = join(process.cwd(), 'bin/unforget.mjs');
const ACTIVITIES = ['cycle', 'idle', 'jump', 'run', 'swim', 'walk'];

function unforget(args: string[], cwd: string) {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
}

/** `count` readings per class: 8 features around a class centre, a site column, the label. */
function readings(count: number, seed: number): string {
  const rng = createRng(seed);
  const rows = ['site,f0,f1,f2,f3,f4,f5,f6,f7,activity'];
  ACTIVITIES.forEach((activity, c) => {
    for (let i = 0; i < count; i++) {
      const features = Array.from({ length: 8 }, (_, d) =>
        ((d === c || d === (c + 3) % 8 ? 3 : 0) + rng.normal() * 0.8).toFixed(4),
      );
      rows.push([`site-${i % 3}`, ...features, activity].join(','));
    }
  });
  return `${rows.join('\n')}\n`;
}

/** Runs a config in `dir` (written there as run.yaml); returns the run folder and the ACC per strategy. */
function run(dir: string, config: string) {
  writeFileSync(join(dir, 'run.yaml'), config);
  const out = unforget(['run', '--config', 'run.yaml', '--out', 'runs'], dir);
  assert.equal(out.status, 0, out.stderr);
  const folder = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]);
  const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as Record<
    string,
    { matrix: number[][]; summary: { acc: number } }
  >;
  return { folder, results, acc: (name: string) => results[name].summary.acc };
}

const strategies = `strategies:\n  - { name: naive }\n  - { name: er, bufferSize: 60 }\n`;

describe('the files benchmark', () => {
  it('a CSV with string labels: 3 class-IL experiences, ER forgets less than Naive, the labels kept with the run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-csv-'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'train.csv'), readings(60, 1));
    writeFileSync(join(dir, 'data', 'test.csv'), readings(20, 2));
    const { folder, results, acc } = run(
      dir,
      `benchmark:\n  name: files\n  dataset: { format: csv, train: data/train.csv, test: data/test.csv, label: activity, group: site }\n  experiences: 3\nmodel: { hiddenSizes: [32] }\ntraining: { epochs: 5, batchSize: 16, lr: 0.003 }\n${strategies}`,
    );
    assert.equal(results.naive.matrix.length, 3);
    assert.ok(acc('naive') < 0.45, `Naive forgets: ${acc('naive')}`);
    assert.ok(acc('er') > acc('naive') + 0.2, `ER ${acc('er')} vs Naive ${acc('naive')}`);
    assert.deepEqual(JSON.parse(readFileSync(join(folder, 'classes.json'), 'utf8')).classNames, ACTIVITIES);
    // Paths were read from the config file's folder, recorded so a resume finds them from anywhere.
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    assert.equal(config.benchmark.baseDir, dir);
  });

  it('experiences split by a column, and a bad cell refused naming the file, line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-csv-'));
    writeFileSync(join(dir, 'train.csv'), readings(30, 1));
    writeFileSync(join(dir, 'test.csv'), readings(10, 2));
    const { results } = run(
      dir,
      `benchmark:\n  name: files\n  dataset: { format: csv, train: train.csv, test: test.csv, label: activity, features: [f0, f1, f2, f3, f4, f5, f6, f7] }\n  split: { by: site }\n  scenario: domain-il\nstrategies: [{ name: naive }]\n`,
    );
    assert.equal(results.naive.matrix.length, 3, 'one experience per site');
    const lines = readings(10, 2).split('\n');
    lines[4] = lines[4].replace(/,[-\d.]+,/, ',abc,');
    writeFileSync(join(dir, 'test.csv'), lines.join('\n'));
    const refused = unforget(['run', '--config', 'run.yaml', '--out', 'refused'], dir);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^unforget: test\.csv: line 5, column "f0": expected a number, got "abc"$/m);
    assert.equal(existsSync(join(dir, 'refused')), false);
  });

  it('a folder of PNG images: ER forgets less than Naive', async () => {
    const sharp = (await import('sharp')).default;
    const dir = mkdtempSync(join(tmpdir(), 'unforget-images-'));
    const rng = createRng(4);
    // Each class a different coloured stripe pattern, with noise: learnable, and not by one pixel.
    for (const part of ['train', 'test']) {
      for (let c = 0; c < 6; c++) {
        mkdirSync(join(dir, part, `class-${c}`), { recursive: true });
        for (let i = 0; i < (part === 'train' ? 40 : 15); i++) {
          const pixels = Buffer.alloc(8 * 8 * 3);
          for (let y = 0; y < 8; y++) {
            for (let x = 0; x < 8; x++) {
              const on = (c < 3 ? x : y) % (2 + (c % 3)) === 0;
              for (let ch = 0; ch < 3; ch++) {
                const base = on && ch === c % 3 ? 220 : 40;
                pixels[(y * 8 + x) * 3 + ch] = Math.max(
                  0,
                  Math.min(255, base + Math.round(rng.normal() * 30)),
                );
              }
            }
          }
          await sharp(pixels, { raw: { width: 8, height: 8, channels: 3 } })
            .png()
            .toFile(join(dir, part, `class-${c}`, `${i}.png`));
        }
      }
    }
    const { acc } = run(
      dir,
      `benchmark:\n  name: files\n  dataset: { format: images, train: train, test: test, shape: [8, 8, 3] }\n  experiences: 3\nmodel: { hiddenSizes: [64] }\ntraining: { epochs: 5, batchSize: 16, lr: 0.003 }\n${strategies}`,
    );
    assert.ok(acc('er') > acc('naive') + 0.15, `ER ${acc('er')} vs Naive ${acc('naive')}`);
  });

  it('CIFAR-10 binaries: ER forgets less than Naive on 5 experiences of 2 classes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-cifar-'));
    const rng = createRng(5);
    /** A record of class c: a class-coloured block in a class-placed corner, with noise. */
    const record = (c: number) => {
      const bytes = Buffer.alloc(1 + 3072);
      bytes[0] = c;
      for (let p = 0; p < 1024; p++) {
        const [row, col] = [Math.floor(p / 32), p % 32];
        const inBlock = row < 16 === (c % 2 === 0) && col < 16 === c < 5;
        for (let ch = 0; ch < 3; ch++) {
          const lit = inBlock && ch === c % 3;
          bytes[1 + ch * 1024 + p] = Math.max(
            0,
            Math.min(255, (lit ? 200 : 50) + Math.round(rng.normal() * 25)),
          );
        }
      }
      return bytes;
    };
    const batch = (perClass: number) =>
      Buffer.concat(Array.from({ length: 10 * perClass }, (_, i) => record(i % 10)));
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), batch(8));
    writeFileSync(join(dir, 'test_batch.bin'), batch(10));
    const { results, acc } = run(
      dir,
      `benchmark:\n  name: files\n  dataset: { format: cifar10, dir: . }\n  experiences: 5\nmodel: { hiddenSizes: [64] }\ntraining: { epochs: 4, batchSize: 16, lr: 0.001 }\nstrategies:\n  - { name: naive }\n  - { name: er, bufferSize: 100 }\n`,
    );
    assert.equal(results.er.matrix.length, 5);
    assert.ok(acc('er') > acc('naive') + 0.15, `ER ${acc('er')} vs Naive ${acc('naive')}`);
  });
});
