/**
 * Drift in the service: a change of the labelling, for everyone or for one user, is detected on
 * the prequential errors (ADWIN by default), stored once as an event (also across a restart that
 * learns the same batches again), shown by the events route and /metrics, and starts a new
 * experience for the strategy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadLearner } from '../learner/load-learner.js';
import { StateReader } from '../core/state.js';
import { startService } from './service.js';
import { snapshotPath, snapshotsDir } from './snapshots.js';
import { UnforgetApiError, UnforgetClient } from './client.js';
import { ADMIN, clusterExamples, eventually, smallConfig } from './testing/fixture.js';

const MODEL = 'clusters';

describe('drift in the service', () => {
  it("detects a change of everyone's labels and of one user's, stores each event once, and ends the task", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-drift-')), 'data');
    const config = smallConfig(dataDir, { flushAfterMs: 50, snapshotEvery: 100000 });
    const all = clusterExamples(1200, 7);
    const shift = (e: { x: number[]; y: number }) => ({ ...e, y: (e.y + 1) % 4 });
    let service = await startService(config, { adminToken: ADMIN, log: () => {} });
    let admin = new UnforgetClient({ url: service.url, token: ADMIN });
    const learnt = (n: number) =>
      eventually(async () => (await admin.model(MODEL)).examplesLearned === n, 30000, `${n} learnt`);
    try {
      // 400 examples as labelled, then 400 relabelled: the shared model's errors jump.
      const sent: number[] = [];
      for (let i = 0; i < 800; i += 50) {
        const part = all.slice(i, i + 50).map((e) => (i < 400 ? e : shift(e)));
        sent.push((await admin.learn(MODEL, { examples: part })).sequence);
      }
      await learnt(800);
      const changeSeq = sent[7]; // the last sequence number before the relabelling
      const shared = await admin.events(MODEL, { scope: 'shared' });
      assert.ok(shared.length >= 1, 'a drift of the shared model');
      assert.equal(
        shared.filter((e) => e.seq <= changeSeq).length,
        0,
        `no false alarm before the change: ${JSON.stringify(shared)}`,
      );
      assert.ok(
        shared[0].seq - changeSeq <= 200,
        `detected within 200 examples: at ${shared[0].seq - changeSeq}`,
      );
      assert.equal(shared[0].detector, 'adwin');
      assert.equal(shared[0].user, null);

      // One user, whose own labelling changes while nobody else's does.
      const user = await admin.issueToken('uma');
      const asUma = new UnforgetClient({ url: service.url, token: user });
      const umaSeq: number[] = [];
      for (let i = 800; i < 1200; i += 25) {
        const part = all.slice(i, i + 25).map((e) => (i < 1000 ? shift(e) : e));
        umaSeq.push((await asUma.learn(MODEL, { examples: part })).sequence);
      }
      await learnt(1200);
      await eventually(
        async () => (await admin.user(MODEL, 'uma')).examplesLearned === 400,
        30000,
        'uma learnt',
      );
      const umaChange = umaSeq[7];
      const own = await asUma.events(MODEL);
      assert.ok(own.length >= 1 && own.every((e) => e.user === 'uma'), JSON.stringify(own));
      assert.ok(
        own.some((e) => e.seq > umaChange),
        `uma's change detected: ${JSON.stringify(own)}`,
      );
      const refused = await asUma.events(MODEL, { user: 'other' }).catch((e: unknown) => e);
      assert.ok(refused instanceof UnforgetApiError && refused.status === 403);
      const bad = await admin.events(MODEL, { scope: 'everything' as 'all' }).catch((e: unknown) => e);
      assert.ok(bad instanceof UnforgetApiError && bad.status === 400 && bad.field === 'scope');

      const metrics = await admin.metrics();
      const total = await admin.events(MODEL, { limit: 1000 });
      const counted = [...metrics.matchAll(/unforget_drifts_total\{model="clusters",scope="(\w+)"\} (\d+)/g)];
      assert.equal(
        counted.reduce((n, m) => n + Number(m[2]), 0),
        total.length,
      );

      // The batches learnt since the last snapshot are learnt again after a restart; their drifts are stored once.
      await service.close();
      service = await startService(config, { adminToken: ADMIN, log: () => {} });
      admin = new UnforgetClient({ url: service.url, token: ADMIN });
      assert.deepEqual(await admin.events(MODEL, { limit: 1000 }), total);

      // The drift began a new experience: the saved learner has more than one.
      const newest = (await admin.snapshots(MODEL))[0].version;
      const learner = await loadLearner(snapshotPath(snapshotsDir(dataDir, MODEL), newest));
      const experiences = new StateReader(learner.state(), 'learner').list('experiences').length;
      learner.dispose();
      assert.ok(experiences >= 2, `experiences ${experiences}`);
    } finally {
      await service.close();
    }
  });
});
