import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../engine/backend.js';
import { ConfigError } from '../core/errors.js';
import { naive } from '../strategies/baselines/naive.js';
import { joint } from '../strategies/baselines/joint.js';
import { cumulative } from '../strategies/baselines/cumulative.js';
import { ewc } from '../strategies/regularization/ewc.js';
import { lwf } from '../strategies/regularization/lwf.js';
import { combine } from './combine.js';
import { createStrategy } from '../strategies/registry.js';
import { forgetting, newModel } from '../strategies/testing/task-il-forgetting.js';

await initEngine();

describe('combine', () => {
  it('trains with every part: EWC + LwF forgets less than Naive, leaking no tensors', () => {
    const both = combine(ewc({ lambda: 100 }), lwf({ copyModel: newModel }));
    assert.equal(both.name, 'ewc+lwf');
    assert.deepEqual(
      both.plugins.map((p) => p.name),
      ['ewc', 'lwf'],
    );
    const plain = forgetting(naive());
    const combined = forgetting(both);
    assert.ok(combined < plain - 0.04, `EWC+LwF forgetting ${combined} vs Naive ${plain}`);
  });

  it('is what the registry builds from names joined by +, each part taking its options', () => {
    const strategy = createStrategy('si+lwf', { copyModel: newModel });
    assert.equal(strategy.name, 'si+lwf');
    assert.deepEqual(
      strategy.plugins.map((p) => p.name),
      ['si', 'lwf'],
    );
    assert.throws(
      () => createStrategy('si+nope'),
      /^ConfigError: strategy: unknown strategy "nope" \(known: naive, .*\)$/,
    );
    assert.throws(
      () => createStrategy('si+lwf', { copyModel: newModel, lamda: 1 } as never),
      /^ConfigError: lamda: unknown option of si\+lwf \(known: c, xi, alpha, temperature, classReduction\)$/,
    );
  });

  it('refuses two strategies that both choose the training data', () => {
    assert.throws(
      () => combine(joint(), cumulative()),
      (e: unknown) => e instanceof ConfigError && /joint and cumulative/.test(e.message),
    );
    assert.equal(combine(cumulative(), ewc()).trainingSet !== undefined, true);
  });
});
