/**
 * The task-free methods on an online stream (batches of 10 seen once, blurry boundaries): each
 * keeps far more of the earlier classes than Naive, and the run still gives a full accuracy matrix.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import { onlineStream } from '../src/benchmarks/online.js';
import { createStrategy } from '../src/strategies/registry.js';
import { classIlReplay } from '../src/strategies/testing/class-il-replay.js';
import { ConfigError } from '../src/core/errors.js';

await initEngine();

const offline = classIlReplay({ clusters: { samplesPerClass: 60 } });
const stream = onlineStream(offline.stream, { batchSize: 10, blurry: 20, seed: 2 });
const { newModel, runSummary } = offline;

function online(name: string, options: Record<string, unknown> = {}) {
  return runSummary(createStrategy(name, { copyModel: newModel, ...options }), {
    stream,
    epochs: 1,
    seed: 4,
  });
}

describe('task-free methods on an online stream', () => {
  const naive = online('naive');

  it('Naive forgets, with a full 4 x 4 matrix', () => {
    assert.equal(naive.methodMemoryBytes, undefined);
    assert.equal(naive.matrix.length, 4);
    assert.ok(naive.matrix.every((row) => row.length === 4));
    assert.ok(naive.forgetting > 0.5, `forgetting ${naive.forgetting}`);
  });

  for (const [name, options] of [
    ['er', { bufferSize: 80 }],
    ['derpp', { bufferSize: 80, alpha: 0.5, beta: 1 }],
    ['er-ace', { bufferSize: 80 }],
    ['gdumb', { bufferSize: 80, epochs: 20, batchSize: 10, lr: 0.05 }],
  ] as const) {
    it(`${name} beats Naive's ACC by a wide margin and forgets less`, () => {
      const summary = online(name, options);
      assert.ok(summary.acc > naive.acc + 0.25, `${name} ACC ${summary.acc} vs Naive ${naive.acc}`);
      assert.ok(summary.forgetting < naive.forgetting, `${name} forgetting ${summary.forgetting}`);
      // 80 stored examples: 4 input floats, a label and a task id each (DER++ adds 8 logits).
      const perExample = 4 * (4 + 1 + 1 + (name === 'derpp' ? 8 : 0));
      assert.equal(summary.methodMemoryBytes, 80 * perExample);
    });
  }

  it('refuses methods that need experience boundaries', () => {
    assert.throws(() => online('ewc'), ConfigError);
    assert.throws(() => online('agem', { bufferSize: 40 }), ConfigError);
  });
});
