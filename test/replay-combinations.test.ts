/**
 * Replay composes with the regularisers: `er+lwf` and `derpp+ewc` train as one strategy (both
 * methods' contributions in every step) and keep far more than Naive on a small class-IL stream.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import { createStrategy } from '../src/strategies/registry.js';
import { newModel, runSummary } from '../src/strategies/testing/class-il-replay.js';

await initEngine();

function run(name: string, options: Record<string, unknown> = {}) {
  const strategy = createStrategy(name, { copyModel: newModel, ...options });
  return { strategy, summary: runSummary(strategy) };
}

describe('replay combined with regularisers', () => {
  const naive = run('naive').summary;
  for (const [name, options] of [
    ['er+lwf', { bufferSize: 80, alpha: 1 }],
    ['derpp+ewc', { bufferSize: 80, lambda: 10 }],
  ] as const) {
    it(`${name} has both methods' plugins and beats Naive's ACC by a wide margin`, () => {
      const { strategy, summary } = run(name, options);
      assert.deepEqual(
        strategy.plugins.map((p) => p.name),
        name.split('+'),
      );
      assert.ok(summary.acc > naive.acc + 0.3, `${name} ACC ${summary.acc} vs Naive ${naive.acc}`);
      assert.ok(summary.methodMemoryBytes! > 0);
    });
  }
});
