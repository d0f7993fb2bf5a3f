import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../engine/backend.js';
import { naive } from './naive.js';
import { forgetting, newModel } from './testing/task-il-forgetting.js';
import { lwf } from './lwf.js';

await initEngine();

describe('LwF', () => {
  it('forgets less than Naive on a task-IL stream, leaking no tensors', () => {
    const plain = forgetting(naive());
    const distilled = forgetting(lwf({ copyModel: newModel, alpha: 1, temperature: 2 }));
    assert.ok(plain > 0.05, `Naive forgetting ${plain}`);
    assert.ok(distilled < plain - 0.04, `LwF forgetting ${distilled} vs Naive ${plain}`);
  });
});
