/**
 * Deleting a user: their examples leave the log, their head goes, and their rows leave the replay
 * memory of the running model and of every snapshot, so that neither a rollback nor a restart
 * brings them back; with `retrain`, the shared model is trained again from the log without them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadLearner } from '../learner/load-learner.js';
import { matchRows } from '../memory/forget.js';
import { logStatements, openDatabase } from './log-store.js';
import { startService } from './service.js';
import { snapshotPath, snapshotsDir } from './snapshots.js';
import { UnforgetApiError, UnforgetClient } from './client.js';
import { ADMIN, clusterExamples, eventually, smallConfig } from './testing/fixture.js';

const MODEL = 'clusters';

/** Per snapshot on disk: how many of `rows` its replay memory holds, and whether its heads know `user`. */
async function traces(dataDir: string, versions: readonly number[], rows: { x: number[] }[], user: string) {
  const match = matchRows(Float32Array.from(rows.flatMap((r) => r.x)), 6);
  const found = [];
  for (const version of versions) {
    const path = snapshotPath(snapshotsDir(dataDir, MODEL), version);
    const learner = await loadLearner(path);
    // Counting by removing from a copy loaded for the purpose; the files stay as they are.
    const inMemory = Object.values(learner.forgetExamples(match)).reduce((a, b) => a + b, 0);
    learner.dispose();
    const heads = JSON.parse(readFileSync(join(path, 'personal.json'), 'utf8')) as { users: object };
    found.push({ version, inMemory, head: user in heads.users });
  }
  return found;
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );

describe('deleting a user', () => {
  it('removes their examples, head and replay rows, in every snapshot; a rollback does not bring them back', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-delete-')), 'data');
    const config = smallConfig(dataDir, { snapshotEvery: 40, flushAfterMs: 2000 });
    const alice = clusterExamples(80, 11);
    const bob = clusterExamples(80, 12);
    const service = await startService(config, { adminToken: ADMIN, log: () => {} });
    const admin = new UnforgetClient({ url: service.url, token: ADMIN });
    const learnt = (n: number) =>
      eventually(async () => (await admin.model(MODEL)).examplesLearned === n, 20000, `${n} learnt`);
    try {
      // Interleaved, so that both are in every snapshot's buffer of 40 rows.
      for (let i = 0; i < 80; i += 8) {
        await admin.learn(MODEL, { user: 'alice', examples: alice.slice(i, i + 8) });
        await admin.learn(MODEL, { user: 'bob', examples: bob.slice(i, i + 8) });
      }
      await learnt(160);
      const aliceToken = await admin.issueToken('alice');
      const bobToken = await admin.issueToken('bob');
      const asAlice = new UnforgetClient({ url: service.url, token: aliceToken });
      const forbidden = await rejection(asAlice.deleteUser(MODEL, 'bob'));
      assert.ok(forbidden instanceof UnforgetApiError && forbidden.status === 403, String(forbidden));
      const badQuery = await fetch(`${service.url}/v1/models/${MODEL}/users/bob?retrain=yes`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      assert.equal(badQuery.status, 400);
      assert.equal(((await badQuery.json()) as { error: { field: string } }).error.field, 'retrain');

      const versions = (await admin.snapshots(MODEL)).map((s) => s.version);
      assert.ok(versions.length >= 3, `snapshots ${versions.join(', ')}`);
      const before = await traces(dataDir, versions, bob, 'bob');
      assert.ok(
        before.every((s) => s.inMemory > 0 && s.head),
        `bob is in every snapshot before: ${JSON.stringify(before)}`,
      );
      const aliceBefore = await traces(dataDir, versions, alice, 'alice');

      const asBob = new UnforgetClient({ url: service.url, token: bobToken });
      const deleted = await asBob.deleteUser(MODEL, 'bob');
      assert.equal(deleted.user, 'bob');
      assert.equal(deleted.examplesDeleted, 80);
      assert.ok(deleted.memoryRowsDeleted > 0, JSON.stringify(deleted));
      assert.equal(deleted.snapshotsRewritten, versions.length);
      assert.equal(deleted.retrained, false);

      const gone = await rejection(admin.user(MODEL, 'bob'));
      assert.ok(gone instanceof UnforgetApiError && gone.status === 404);
      const tokenGone = await rejection(asBob.model(MODEL));
      assert.ok(
        tokenGone instanceof UnforgetApiError && tokenGone.status === 401,
        'their token went with them',
      );
      const state = await admin.model(MODEL);
      assert.equal(state.examplesAcknowledged, 80);
      const after = (await admin.snapshots(MODEL)).map((s) => s.version);
      const remaining = await traces(dataDir, after, bob, 'bob');
      assert.ok(
        remaining.every((s) => s.inMemory === 0 && !s.head),
        JSON.stringify(remaining),
      );
      assert.deepEqual(
        (
          await traces(
            dataDir,
            versions.filter((v) => after.includes(v)),
            alice,
            'alice',
          )
        ).map((s) => s.inMemory),
        aliceBefore.filter((s) => after.includes(s.version)).map((s) => s.inMemory),
        "alice's rows are untouched",
      );

      // Back to the oldest snapshot, made when bob's rows were in it: they stay gone.
      const oldest = after[after.length - 1];
      await admin.rollback(MODEL, oldest);
      const newest = (await admin.snapshots(MODEL))[0].version;
      const rolledBack = await traces(dataDir, [newest], bob, 'bob');
      assert.deepEqual(rolledBack, [{ version: newest, inMemory: 0, head: false }]);
      const plain = await admin.predict(MODEL, { inputs: [bob[0].x] });
      const asIfBob = await admin.predict(MODEL, { user: 'bob', inputs: [bob[0].x] });
      assert.deepEqual(
        asIfBob.predictions[0].probabilities,
        plain.predictions[0].probabilities,
        'no head of bob',
      );
    } finally {
      await service.close();
    }
  });

  it('with retrain, trains the shared model again from the log without them', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-retrain-')), 'data');
    const config = smallConfig(dataDir, { snapshotEvery: 40, flushAfterMs: 2000 });
    // One draw of the clusters (the seed places them), split three ways.
    const all = clusterExamples(200, 21);
    const alice = all.slice(0, 64);
    // Bob labels every input class 0: what he taught shows in the shared model's answers.
    const bob = all.slice(64, 128).map((e) => ({ ...e, y: 0 }));
    const service = await startService(config, { adminToken: ADMIN, log: () => {} });
    const admin = new UnforgetClient({ url: service.url, token: ADMIN });
    try {
      for (let i = 0; i < 64; i += 8) {
        await admin.learn(MODEL, { user: 'alice', examples: alice.slice(i, i + 8) });
        await admin.learn(MODEL, { user: 'bob', examples: bob.slice(i, i + 8) });
      }
      await eventually(async () => (await admin.model(MODEL)).examplesLearned === 128, 20000, '128 learnt');
      const probe = all.slice(160, 200);
      const accuracy = async () => {
        const answer = await admin.predict(MODEL, { inputs: probe.map((e) => e.x) });
        return (
          answer.predictions.filter((p, i) => p.label === ['a', 'b', 'c', 'd'][probe[i].y]).length /
          probe.length
        );
      };
      const withBob = await accuracy();
      const versionBefore = (await admin.model(MODEL)).version;
      const deleted = await admin.deleteUser(MODEL, 'bob', { retrain: true });
      assert.equal(deleted.retrained, true);
      assert.equal(deleted.examplesDeleted, 64);
      const state = await admin.model(MODEL);
      assert.equal(state.examplesLearned, 64, 'learnt again: alice only');
      assert.ok(state.version > versionBefore, 'a newer version');
      const snapshots = (await admin.snapshots(MODEL)).map((s) => s.version);
      assert.deepEqual(snapshots, [state.version], 'the snapshots that learnt from bob are gone');
      const without = await accuracy();
      assert.ok(
        without > withBob + 0.2,
        `accuracy ${withBob} with bob's labels, ${without} retrained without`,
      );
      assert.deepEqual(await traces(dataDir, snapshots, bob, 'bob'), [
        { version: snapshots[0], inMemory: 0, head: false },
      ]);
    } finally {
      await service.close();
    }
  });
  it('carries out, at the next start, a deletion recorded before a crash', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-delete-crash-')), 'data');
    const config = smallConfig(dataDir, { snapshotEvery: 40, flushAfterMs: 2000 });
    const carol = clusterExamples(48, 31);
    let service = await startService(config, { adminToken: ADMIN, log: () => {} });
    let admin = new UnforgetClient({ url: service.url, token: ADMIN });
    await admin.learn(MODEL, { user: 'carol', examples: carol });
    await admin.learn(MODEL, { user: 'dave', examples: clusterExamples(48, 32) });
    await eventually(async () => (await admin.model(MODEL)).examplesLearned === 96, 20000, '96 learnt');
    await service.close();
    // What the DELETE route commits before the trainer acts on it, the process then gone.
    const db = await openDatabase(dataDir);
    logStatements(db).requestDeletion(MODEL, 'carol', false);
    db.close();
    service = await startService(config, { adminToken: ADMIN, log: () => {} });
    admin = new UnforgetClient({ url: service.url, token: ADMIN });
    try {
      const gone = await rejection(admin.user(MODEL, 'carol'));
      assert.ok(gone instanceof UnforgetApiError && gone.status === 404);
      assert.equal((await admin.model(MODEL)).examplesAcknowledged, 48);
      const versions = (await admin.snapshots(MODEL)).map((s) => s.version);
      const left = await traces(dataDir, versions, carol, 'carol');
      assert.ok(
        left.every((s) => s.inMemory === 0 && !s.head),
        JSON.stringify(left),
      );
      assert.equal((await admin.user(MODEL, 'dave')).examplesAcknowledged, 48);
    } finally {
      await service.close();
    }
  });
});
