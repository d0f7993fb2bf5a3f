/**
 * Models created through the API (`POST /v1/models`): checked as serve.yaml's entries are,
 * trained beside the configured ones, and served again after a restart with what they learnt.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startService } from './service.js';
import { UnforgetApiError, UnforgetClient } from './client.js';
import { ADMIN, clusterExamples, eventually, smallConfig } from './testing/fixture.js';

const SECOND = {
  name: 'second',
  learner: {
    model: { type: 'mlp', hiddenSizes: [12] },
    strategy: { name: 'derpp', bufferSize: 30 },
    optimizer: { name: 'sgd', lr: 0.1 },
    sampleShape: [6],
    numClasses: 4,
  },
  microBatch: 8,
  flushAfterMs: 50,
};

const refusal = async (promise: Promise<unknown>, message?: RegExp) => {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UnforgetApiError, String(error));
  if (message) assert.match(error.message, message);
  return { status: error.status, field: error.field };
};

describe('POST /v1/models', () => {
  it('creates a model from a config, refusing a bad one by field; a restart serves it with what it learnt', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-models-')), 'data');
    const config = smallConfig(dataDir);
    let service = await startService(config, { adminToken: ADMIN, log: () => {} });
    let admin = new UnforgetClient({ url: service.url, token: ADMIN });
    const examples = clusterExamples(96, 5);
    try {
      const user = new UnforgetClient({ url: service.url, token: await admin.issueToken('ann') });
      assert.deepEqual(await refusal(user.createModel(SECOND)), { status: 403, field: 'authorization' });
      assert.deepEqual(
        await refusal(
          admin.createModel({ ...SECOND, learner: { ...SECOND.learner, model: { type: 'mpl' } } }),
          /model\.type: .*mpl/,
        ),
        { status: 400, field: 'learner' },
      );
      assert.deepEqual(await refusal(admin.createModel({ ...SECOND, name: 'a/b' })), {
        status: 400,
        field: 'name',
      });
      assert.deepEqual(
        await refusal(
          admin.createModel({ ...SECOND, learner: { ...SECOND.learner, strategy: { name: 'er' } } }),
          /bufferSize: required/,
        ),
        { status: 400, field: 'learner' },
      );
      assert.deepEqual(await refusal(admin.createModel({ ...SECOND, name: 'clusters' })), {
        status: 409,
        field: 'name',
      });

      const created = await admin.createModel(SECOND);
      assert.equal(created.name, 'second');
      assert.equal(created.examplesLearned, 0);
      assert.deepEqual(await admin.models(), ['clusters', 'second']);
      assert.deepEqual(await refusal(admin.createModel(SECOND)), { status: 409, field: 'name' });

      await admin.learn('second', { examples });
      await eventually(async () => (await admin.model('second')).examplesLearned === 96, 20000, '96 learnt');
      const probe = examples.slice(0, 32);
      const answer = await admin.predict('second', { inputs: probe.map((e) => e.x) });
      const accuracy = answer.predictions.filter((p, i) => p.label === probe[i].y).length / probe.length;
      assert.ok(accuracy > 0.8, `the created model learnt: ${accuracy}`);
      assert.equal((await admin.model('clusters')).examplesAcknowledged, 0, 'the other model is untouched');

      await service.close();
      service = await startService(config, { adminToken: ADMIN, log: () => {} });
      admin = new UnforgetClient({ url: service.url, token: ADMIN });
      assert.deepEqual(await admin.models(), ['clusters', 'second']);
      const state = await admin.model('second');
      assert.equal(state.examplesLearned, 96);
      const again = await admin.predict('second', { inputs: probe.map((e) => e.x) });
      assert.deepEqual(
        again.predictions.map((p) => p.probabilities),
        answer.predictions.map((p) => p.probabilities),
        'the same weights after the restart',
      );
    } finally {
      await service.close();
    }
  });
});
