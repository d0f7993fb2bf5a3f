/**
 * GEMM benchmark: the linked BLAS (OpenBLAS) vs unforget's portable GEMM, in one process.
 *
 *   npx tsx bench/gemm.ts [--quick] [--cpu-time] [--gemms portable,openblas,auto]
 *
 * 1. GFLOP/s of each GEMM on the products of the training benchmarks: the forward and both
 *    backward GEMMs of every dense layer of MLP 784-256-256-10 (batch 32) and MLP
 *    784-1024-1024-10 (batch 256), and a 1024^3 product; on 1 and 2 threads.
 * 2. A whole training step of MLP 784-256-256-10 (batch 32, tfjs-layers, SGD, as in
 *    src/engine/speed-check.ts) on the native backend with each GEMM (setGemm switches
 *    every native kernel over).
 *
 * The two GEMMs are timed alternately, sample by sample, and each figure is the median of 5
 * samples, so that load from other processes hits both alike. On a machine shared with
 * other work, `--cpu-time` times the 1-thread GEMMs by this process's CPU time instead of
 * the wall clock, which waiting for a core does not inflate.
 */
import { availableParallelism } from 'node:os';
import * as tf from '../src/engine/tf.js';
import { loadAddon } from '../src/native/addon-loader.js';
import { registerNativeBackend } from '../src/native/register.js';
import type { GemmName } from '../src/native/addon-api.js';

const quick = process.argv.includes('--quick');
const cpuTime = process.argv.includes('--cpu-time');
const SAMPLES = 5;
/** Each sample repeats the product for at least this long. */
const SAMPLE_MS = quick ? 20 : 60;

const load = loadAddon();
if (!load.ok) throw new Error(`the native addon is needed: ${load.reason}`);
const addon = load.addon;
const defaultGemm = addon.gemm;
// --gemms a,b: measure only these. Worth doing for the 2-thread columns: alternating with
// OpenBLAS, the other GEMMs run while OpenBLAS's idle workers still spin on the second core.
const gemmsArg = process.argv.indexOf('--gemms');
const gemms: GemmName[] =
  gemmsArg >= 0 ? (process.argv[gemmsArg + 1].split(',') as GemmName[]) : [...addon.gemms];
const blas = gemms.find((g) => g !== 'portable');

interface Product {
  label: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** The three GEMMs of a dense layer in training: y = x @ w, dW = x^T @ dy, dx = dy @ w^T. */
function denseLayer(name: string, batch: number, inputs: number, units: number): Product[] {
  return [
    { label: `${name} fwd`, m: batch, n: units, k: inputs, transA: false, transB: false },
    { label: `${name} dW`, m: inputs, n: units, k: batch, transA: true, transB: false },
    { label: `${name} dX`, m: batch, n: inputs, k: units, transA: false, transB: true },
  ];
}

function mlp(name: string, batch: number, sizes: number[]): Product[] {
  return sizes.slice(1).flatMap((units, i) => denseLayer(`${name} L${i + 1}`, batch, sizes[i], units));
}

const products: Product[] = [
  ...mlp('small', 32, [784, 256, 256, 10]),
  ...mlp('large', 256, [784, 1024, 1024, 10]),
  { label: '1024^3', m: 1024, n: 1024, k: 1024, transA: false, transB: false },
];

function randomArray(length: number): Float32Array {
  const a = new Float32Array(length);
  for (let i = 0; i < length; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Seconds now: wall clock, or this process's CPU time (user + system). */
function clock(useCpuTime: boolean): number {
  if (!useCpuTime) return performance.now() / 1000;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Median seconds per call of each runner, sampled alternately. */
function timeAlternately(runners: Array<() => void>, useCpuTime = false): number[] {
  const reps = runners.map((run) => {
    run(); // warm-up: packing buffers, OpenBLAS threads, caches
    let n = 1;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) run();
      const ms = performance.now() - t0;
      if (ms >= SAMPLE_MS / 4) return Math.max(1, Math.ceil((n * SAMPLE_MS) / ms));
      n *= 4;
    }
  });
  const samples: number[][] = runners.map(() => []);
  for (let s = 0; s < SAMPLES; s++) {
    runners.forEach((run, r) => {
      const t0 = clock(useCpuTime);
      for (let i = 0; i < reps[r]; i++) run();
      samples[r].push((clock(useCpuTime) - t0) / reps[r]);
    });
  }
  return samples.map(median);
}

function gemmTable(threadCounts: number[]): void {
  const columns = threadCounts.flatMap((t) => gemms.map((g) => ({ gemm: g, threads: t })));
  const header = ['product', 'M x N x K', 'MFLOP', ...columns.map((c) => `${c.gemm} ${c.threads}T`)];
  if (blas) header.push(...threadCounts.map((t) => `portable/${blas} ${t}T`));
  const rows: string[][] = [];
  for (const p of products) {
    const a = randomArray(p.m * p.k);
    const b = randomArray(p.k * p.n);
    const out = new Float32Array(p.m * p.n);
    const flops = 2 * p.m * p.n * p.k;
    const gflops: number[] = [];
    for (const threads of threadCounts) {
      addon.setNumThreads(threads);
      const seconds = timeAlternately(
        gemms.map((g) => () => {
          addon.setGemm(g);
          addon.matmul(a, b, out, 1, 1, p.m, p.n, p.k, p.transA, p.transB, null, 0, 0);
        }),
        cpuTime && threads === 1,
      );
      gflops.push(...seconds.map((s) => flops / s / 1e9));
    }
    const row = [
      p.label + (p.transA ? ' (A^T)' : p.transB ? ' (B^T)' : ''),
      `${p.m} x ${p.n} x ${p.k}`,
      (flops / 1e6).toFixed(1),
      ...gflops.map((g) => g.toFixed(1)),
    ];
    if (blas) {
      threadCounts.forEach((_, t) => {
        const at = t * gemms.length;
        row.push(
          `${((gflops[at + gemms.indexOf('portable')] / gflops[at + gemms.indexOf(blas)]) * 100).toFixed(0)}%`,
        );
      });
    }
    rows.push(row);
  }
  printTable(header, rows);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  rows.forEach((r) => console.log(line(r)));
}

/** One SGD step of MLP 784-256-256-10 on a batch of 32, as src/engine/speed-check.ts trains. */
function smallMlpStep(): () => void {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const x = tf.randomNormal([32, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32', 2), 10);
  const optimizer = tf.train.sgd(0.05);
  return () =>
    tf.tidy(() => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor),
        true,
      );
      (loss as tf.Scalar).dataSync();
    });
}

async function trainingStepTable(threadCounts: number[]): Promise<void> {
  if (!registerNativeBackend().ok) return;
  await tf.setBackend('native');
  const step = smallMlpStep();
  const header = [
    'MLP 784-256-256-10, batch 32',
    ...threadCounts.flatMap((t) => gemms.map((g) => `${g} ${t}T`)),
  ];
  const cells: string[] = [];
  for (const threads of threadCounts) {
    addon.setNumThreads(threads);
    const seconds = timeAlternately(
      gemms.map((g) => () => {
        addon.setGemm(g);
        step();
      }),
      cpuTime && threads === 1,
    );
    cells.push(...seconds.map((sec) => `${(sec * 1000).toFixed(2)} ms`));
  }
  printTable(header, [['training step', ...cells]]);
}

const threadCounts = availableParallelism() >= 2 ? [1, 2] : [1];
const openblasEnv = Object.entries(process.env).filter(([k]) => k.startsWith('OPENBLAS_'));
console.log(`GEMMs: ${gemms.join(', ')} (default ${defaultGemm}); threads: ${threadCounts.join(', ')}`);
console.log(
  `OPENBLAS_* environment: ${openblasEnv.length ? openblasEnv.map(([k, v]) => `${k}=${v}`).join(' ') : 'none set'}`,
);
console.log(
  `Medians of ${SAMPLES} alternating samples; GFLOP/s (higher is better)` +
    (cpuTime ? '; 1-thread columns (and steps) timed by CPU time.\n' : '.\n'),
);
const initialThreads = addon.getNumThreads();
try {
  gemmTable(threadCounts);
  console.log('');
  await trainingStepTable(threadCounts);
} finally {
  addon.setGemm(defaultGemm);
  addon.setNumThreads(initialThreads);
}
