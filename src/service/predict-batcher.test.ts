/**
 * Concurrent predict requests share forward passes, and each gets what it would get alone: its
 * own user's head, its own rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startService } from './service.js';
import { UnforgetClient, type PredictResponse } from './client.js';
import { ADMIN, clusterExamples, eventually, smallConfig } from './testing/fixture.js';

describe('predict batching', () => {
  it('answers concurrent requests from shared passes as each would be answered alone', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-batch-')), 'data');
    const service = await startService(smallConfig(dataDir, { flushAfterMs: 20 }), {
      adminToken: ADMIN,
      log: () => {},
    });
    const admin = new UnforgetClient({ url: service.url, token: ADMIN });
    try {
      const examples = clusterExamples(120, 3);
      // Alice labels everything 'd': her head answers differently from the shared model.
      await admin.learn('clusters', {
        user: 'alice',
        examples: examples.slice(0, 40).map((e) => ({ ...e, y: 3 })),
      });
      await admin.learn('clusters', { examples: examples.slice(40, 120) });
      await eventually(async () => (await admin.model('clusters')).examplesLearned === 120, 20000, 'learnt');
      await eventually(
        async () => (await admin.user('clusters', 'alice')).examplesLearned === 40,
        20000,
        'alice',
      );
      const requests = Array.from({ length: 12 }, (_, i) => ({
        ...(i % 2 === 0 ? { user: 'alice' } : {}),
        inputs: examples.slice(i * 3, i * 3 + 1 + (i % 3)).map((e) => e.x),
      }));
      const alone: PredictResponse[] = [];
      for (const r of requests) alone.push(await admin.predict('clusters', r));
      const passes = async () =>
        Number(/unforget_predict_passes_total\{model="clusters"\} (\d+)/.exec(await admin.metrics())![1]);
      const before = await passes();
      const together = await Promise.all(requests.map((r) => admin.predict('clusters', r)));
      const shared = (await passes()) - before;
      assert.ok(shared < requests.length, `12 concurrent requests took ${shared} passes`);
      together.forEach((answer, i) => {
        assert.equal(answer.predictions.length, alone[i].predictions.length);
        answer.predictions.forEach((p, j) => {
          assert.equal(p.label, alone[i].predictions[j].label);
          p.probabilities.forEach((v, c) =>
            assert.ok(Math.abs(v - alone[i].predictions[j].probabilities[c]) < 1e-5),
          );
        });
      });
      const labels = (i: number) => alone[i].predictions.map((p) => p.label);
      assert.ok(
        requests.some((_, i) => i % 2 === 0 && labels(i).some((l) => l === 'd')),
        "alice's head answers her requests",
      );
    } finally {
      await service.close();
    }
  });
});
