/**
 * Every registered strategy resumes exactly: stopped mid-epoch, at an experience boundary and late
 * in the run, saved through the checkpoint file format and resumed in fresh objects, it gives the
 * uninterrupted run's evaluations and final weights bit for bit (testing/resume.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../engine/backend.js';
import { adam, sgd } from '../engine/optimizers/index.js';
import { createStrategy, strategies } from './registry.js';
import { assertResumesExactly, type ResumeCase } from './testing/resume.js';
import {
  resumeClassIl as classIl,
  resumeMultiHead as multiHead,
  resumeSingleHead as singleHead,
  resumeTaskIl as taskIl,
} from './testing/resume-fixture.js';

await initEngine();

/** Small settings each method needs to do its work on 16 samples an experience. */
const settings: Partial<Record<string, Record<string, unknown>>> = {
  er: { bufferSize: 8 },
  der: { bufferSize: 8 },
  derpp: { bufferSize: 8 },
  'er-ace': { bufferSize: 8 },
  agem: { bufferSize: 8, minibatchSize: 4 },
  gem: { bufferSize: 8 },
  gdumb: { bufferSize: 8, epochs: 2, batchSize: 4 },
  icarl: { budget: 8 },
  'importance-replay': { bufferSize: 8, minibatchSize: 4 },
  'importance-replay-uniform': { bufferSize: 8, minibatchSize: 4 },
  'memory-augmented': { bufferSize: 8, localAdaptation: { steps: 2 } },
  'multi-task-replay': { bufferSize: 8 },
};
const taskIlOnly = new Set(['multi-task', 'multi-task-replay']);

describe('every registered strategy resumes exactly from a checkpoint', () => {
  for (const name of strategies.names()) {
    it(name, () => {
      const tasks = taskIlOnly.has(name);
      const newModel = tasks ? multiHead : singleHead;
      const c: ResumeCase = {
        strategy: () => createStrategy(name, { seed: 2, ...settings[name], copyModel: newModel }),
        stream: tasks ? taskIl : classIl,
        newModel,
        optimizer: name === 'gem' ? () => sgd({ learningRate: 0.05 }) : () => adam({ learningRate: 0.01 }),
        epochs: 2,
        batchSize: 5,
        seed: 4,
      };
      // 16 samples, batch 5: 4 steps an epoch, 8 an experience; asks 9 and 18 are boundaries.
      const resumed = assertResumesExactly(c, [3, 9, 14, 22]);
      assert.ok(resumed >= 3, `${name}: stopped inside the run ${resumed} times`);
    });
  }
});
