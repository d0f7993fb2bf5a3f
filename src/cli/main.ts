#!/usr/bin/env node
/**
 * `unforget` command line. Until the continual-learning runs land, `npm start` checks the
 * engine: it reports the backend it picked and times a few training steps of an MLP.
 */
import { initEngine } from '../engine/backend.js';
import { measureTrainingSpeed } from './speed-check.js';

const info = await initEngine();
const detail = info.gemm
  ? ` (GEMM: ${info.gemm})`
  : info.nativeUnavailable
    ? ` (native: ${info.nativeUnavailable})`
    : '';
console.log(`unforget: training on the ${info.backend} backend${detail}`);
const speed = measureTrainingSpeed({ hidden: 256, batchSize: 32, steps: 200 });
console.log(
  `unforget: MLP 784-256-256-10, batch 32: ${Math.round(speed.samplesPerSecond)} samples/s ` +
    `(loss ${speed.firstLoss.toFixed(3)} -> ${speed.lastLoss.toFixed(3)} over ${speed.steps} SGD steps on random data)`,
);
