/**
 * Experiment: the native addon's conv kernels (src/native/addon/conv.cc: register-blocked
 * direct loops or im2col + sgemm, whichever it picks) against oneDNN (bench/conv/dnnl-conv.cc)
 * on the conv layers of the benchmark CNN (conv 3x3x32 on 28x28x1, maxpool 2, conv 3x3x64,
 * maxpool 2, dense 128, dense 10; batch 64), in one process, with 1 and 2 threads. Prints
 * per-op medians and the conv time of a training step.
 *
 * Build both addons first:
 *   node scripts/build-addon.mjs --force
 *   (cd bench/conv && node $(dirname $(which npm))/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js \
 *      rebuild --release --nodedir=$(dirname $(which node))/..)
 * Run: npx tsx bench/conv/compare.ts [--runs N] [--threads 1,2] [--clock wall|cpu]
 *
 * Errors are max |value - float64 reference| / max(1, |reference|) (the test suite's measure).
 * oneDNN runs twice: on the tfjs layouts as they are (nhwc activations, hwio filters), and with
 * the layouts its primitives prefer (blocked), paying the reorders from and to the tfjs layouts.
 * `--clock cpu` times process CPU time instead of wall time: steadier on a shared machine, and
 * equal to wall time when 1 thread works.
 */
import { createRequire } from 'node:module';
import { backend_util } from '@tensorflow/tfjs-core';
import { loadAddon } from '../../src/native/addon-loader.js';
import type { ConvAddon } from '../../src/native/kernels/conv.js';
import { packConvGeometry } from '../../src/native/kernels/conv-geometry.js';

interface Impl extends ConvAddon {
  setNumThreads(n: number): void;
}
interface DnnlAddon extends Impl {
  setLayout(layout: 'nhwc' | 'blocked'): void;
  implementations(): string[];
  readonly version: string;
}

type OpName = 'forward' | 'backprop input' | 'backprop filter';

interface Layer {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  /** The ops a training step runs (the first layer's input needs no gradient). */
  inStep: OpName[];
}

const BATCH = 64;
const layers: Layer[] = [
  {
    name: 'conv1 3x3, 1->32, 28x28',
    x: [BATCH, 28, 28, 1],
    w: [3, 3, 1, 32],
    inStep: ['forward', 'backprop filter'],
  },
  {
    name: 'conv2 3x3, 32->64, 13x13',
    x: [BATCH, 13, 13, 32],
    w: [3, 3, 32, 64],
    inStep: ['forward', 'backprop input', 'backprop filter'],
  },
];
const ops: OpName[] = ['forward', 'backprop input', 'backprop filter'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const runs = Number(arg('runs', '9'));
const threadCounts = arg('threads', '1,2').split(',').map(Number);
const clock = arg('clock', 'wall');
/** Milliseconds on the chosen clock. */
const now =
  clock === 'cpu'
    ? () => process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000
    : () => performance.now();

/** Deterministic values in [-1, 1) (mulberry32: independent streams for different seeds). */
function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    a[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return a;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Buffers {
  geom: Int32Array;
  x: Float32Array;
  w: Float32Array;
  dy: Float32Array;
  out: { forward: Float32Array; 'backprop input': Float32Array; 'backprop filter': Float32Array };
}

function buffers(layer: Layer): Buffers {
  const info = backend_util.computeConv2DInfo(layer.x, layer.w, 1, 1, 'valid');
  const geom = packConvGeometry(info)!;
  return {
    geom,
    x: random(size(layer.x), 1),
    w: random(size(layer.w), 2),
    dy: random(size(info.outShape), 3),
    out: {
      forward: new Float32Array(size(info.outShape)),
      'backprop input': new Float32Array(size(layer.x)),
      'backprop filter': new Float32Array(size(layer.w)),
    },
  };
}

function runOp(impl: Impl, op: OpName, b: Buffers, out: Float32Array): void {
  if (op === 'forward') impl.conv2d(b.x, b.w, out, b.geom, null, 0, 0);
  else if (op === 'backprop input') impl.conv2dBackpropInput(b.dy, b.w, out, b.geom);
  else impl.conv2dBackpropFilter(b.x, b.dy, out, b.geom);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms per call over `runs` samples; each sample repeats the call for >= 20 ms. */
function time(f: () => void): number {
  for (let i = 0; i < 3; i++) f();
  const t0 = performance.now();
  f();
  const once = performance.now() - t0;
  const reps = Math.max(1, Math.ceil(20 / Math.max(once, 1e-3)));
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = now();
    for (let i = 0; i < reps; i++) f();
    samples.push((now() - s) / reps);
  }
  return median(samples);
}

/** The op in float64, straight from its definition: what both implementations are checked against. */
function reference(op: OpName, b: Buffers): Float64Array {
  const [N, H, W, C, OH, OW, OC, FH, FW, SH, SW, PT, PL, , , DH, DW] = b.geom;
  const out = new Float64Array(b.out[op].length);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        const yOff = ((n * OH + oh) * OW + ow) * OC;
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * SH - PT + fh * DH;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < FW; fw++) {
            const iw = ow * SW - PL + fw * DW;
            if (iw < 0 || iw >= W) continue;
            const xOff = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const wOff = ((fh * FW + fw) * C + c) * OC;
              let acc = 0;
              for (let o = 0; o < OC; o++) {
                if (op === 'forward') out[yOff + o] += b.x[xOff + c] * b.w[wOff + o];
                else if (op === 'backprop input') acc += b.dy[yOff + o] * b.w[wOff + o];
                else out[wOff + o] += b.x[xOff + c] * b.dy[yOff + o];
              }
              if (op === 'backprop input') out[xOff + c] += acc;
            }
          }
        }
      }
  return out;
}

/** Max |a - ref| / max(1, |ref|). */
function maxError(a: Float32Array, ref: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - ref[i]) / Math.max(1, Math.abs(ref[i])));
  return m;
}

// Idle threads of OpenBLAS (pthreads) and of oneDNN (OpenMP) spin for a while after a call;
// a pause between the two implementations' blocks keeps one's spinners off the other's cores.
const pause = () => new Promise((resolve) => setTimeout(resolve, 300));

const load = loadAddon();
if (!load.ok) throw new Error(`native addon: ${load.reason}`);
const ours = load.addon as unknown as Impl;
const require = createRequire(import.meta.url);
const dnnl = require('./build/Release/dnnl_conv.node') as DnnlAddon;

console.log(
  `native addon (gemm: ${load.addon.gemm}) vs oneDNN ${dnnl.version}; batch ${BATCH}; ` +
    `median of ${runs} samples, ${clock} clock`,
);
const rows: string[][] = [
  [
    'layer',
    'op',
    'in step',
    'threads',
    'native ms',
    'oneDNN nhwc ms',
    'oneDNN blocked ms',
    'best oneDNN/native',
    'error native / nhwc / blocked',
  ],
];
const totals = new Map<number, { ours: number; nhwc: number; blocked: number }>();

const layerBuffers = layers.map(buffers);
const references = new Map(layerBuffers.map((b) => [b, new Map(ops.map((op) => [op, reference(op, b)]))]));

for (const threads of threadCounts) {
  ours.setNumThreads(threads);
  dnnl.setNumThreads(threads);
  const total = { ours: 0, nhwc: 0, blocked: 0 };
  for (const [li, layer] of layers.entries()) {
    const b = layerBuffers[li];
    for (const op of ops) {
      const outOurs = b.out[op];
      const outNhwc = new Float32Array(outOurs.length);
      const outBlocked = new Float32Array(outOurs.length);
      await pause();
      const tOurs = time(() => runOp(ours, op, b, outOurs));
      await pause();
      dnnl.setLayout('nhwc');
      const tNhwc = time(() => runOp(dnnl, op, b, outNhwc));
      await pause();
      dnnl.setLayout('blocked');
      const tBlocked = time(() => runOp(dnnl, op, b, outBlocked));
      const inStep = layer.inStep.includes(op);
      if (inStep) {
        total.ours += tOurs;
        total.nhwc += tNhwc;
        total.blocked += tBlocked;
      }
      rows.push([
        layer.name,
        op,
        inStep ? 'yes' : 'no',
        String(threads),
        tOurs.toFixed(3),
        tNhwc.toFixed(3),
        tBlocked.toFixed(3),
        (Math.min(tNhwc, tBlocked) / tOurs).toFixed(2),
        [outOurs, outNhwc, outBlocked]
          .map((o) => maxError(o, references.get(b)!.get(op)!).toExponential(1))
          .join(' / '),
      ]);
    }
  }
  totals.set(threads, total);
}

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join('  '));
console.log('\nconv time of one training step (the ops marked "in step"):');
for (const [threads, t] of totals) {
  console.log(
    `  ${threads} thread(s): native ${t.ours.toFixed(2)} ms, oneDNN nhwc ${t.nhwc.toFixed(2)} ms, ` +
      `oneDNN blocked ${t.blocked.toFixed(2)} ms`,
  );
}
console.log('\noneDNN implementations:');
for (const line of dnnl.implementations()) console.log(`  ${line}`);
