/**
 * Snapshots and rollback: a model set back to an earlier snapshot predicts exactly as it did then,
 * the examples it had learnt since are skipped (not learnt again, also after a restart), and later
 * examples are learnt as usual.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startService } from './service.js';
import { UnforgetApiError, UnforgetClient } from './client.js';
import { ADMIN, clusterExamples, eventually, smallConfig } from './testing/fixture.js';

describe('snapshots and rollback', () => {
  it('rolls back to a snapshot, bit for bit, and keeps it across a restart', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-rollback-')), 'data');
    const config = smallConfig(dataDir, { snapshotEvery: 40, flushAfterMs: 2000 });
    const all = clusterExamples(400, 4);
    const early = all.filter((e) => e.y < 2).slice(0, 80);
    const late = all.filter((e) => e.y >= 2).slice(0, 80);
    const probe = all.slice(300, 320).map((e) => e.x);
    const learnt = (client: UnforgetClient, n: number) =>
      eventually(async () => (await client.model('clusters')).examplesLearned === n, 20000, `${n} learnt`);

    let service = await startService(config, { adminToken: ADMIN, log: () => {} });
    let admin = new UnforgetClient({ url: service.url, token: ADMIN });
    await admin.learn('clusters', { examples: early });
    await learnt(admin, 80);
    const then = await admin.predict('clusters', { inputs: probe });
    assert.equal(then.modelVersion, 10);
    await admin.learn('clusters', { examples: late });
    await learnt(admin, 160);
    const versions = (await admin.snapshots('clusters')).map((s) => s.version);
    assert.deepEqual(versions, [20, 15, 10, 5]);
    assert.notDeepEqual(
      (await admin.predict('clusters', { inputs: probe })).predictions.map((p) => p.probabilities),
      then.predictions.map((p) => p.probabilities),
    );

    const answer = await admin.rollback('clusters', 10);
    assert.deepEqual(answer, { model: 'clusters', rolledBackTo: 10, version: 21 });
    const back = await admin.predict('clusters', { inputs: probe });
    assert.deepEqual(
      back.predictions.map((p) => p.probabilities),
      then.predictions.map((p) => p.probabilities),
    );
    let state = await admin.model('clusters');
    assert.deepEqual(
      [state.examplesLearned, state.examplesSkipped, state.examplesAcknowledged],
      [80, 80, 160],
    );
    assert.deepEqual(state.classes.seen, [0, 1]);

    const missing = await admin.rollback('clusters', 7).catch((e: unknown) => e);
    assert.ok(missing instanceof UnforgetApiError && missing.status === 404 && missing.field === 'version');
    const user = new UnforgetClient({ url: service.url, token: await admin.issueToken('eve') });
    const refused = await user.rollback('clusters', 10).catch((e: unknown) => e);
    assert.ok(refused instanceof UnforgetApiError && refused.status === 403);

    await service.close();
    service = await startService(config, { adminToken: ADMIN, log: () => {} });
    admin = new UnforgetClient({ url: service.url, token: ADMIN });
    try {
      state = await admin.model('clusters');
      assert.deepEqual(
        [state.version, state.examplesLearned, state.examplesSkipped],
        [21, 80, 80],
        'the skipped examples stay skipped',
      );
      const restarted = await admin.predict('clusters', { inputs: probe });
      assert.deepEqual(
        restarted.predictions.map((p) => p.probabilities),
        then.predictions.map((p) => p.probabilities),
      );
      await admin.learn('clusters', { examples: late.slice(0, 16) });
      await learnt(admin, 96);
      assert.deepEqual((await admin.model('clusters')).classes.seen, [0, 1, 2, 3]);
    } finally {
      await service.close();
    }
  });
});
