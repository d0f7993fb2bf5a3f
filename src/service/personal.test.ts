/**
 * Personal parts: a user whose preferences differ from everyone's gets them through their own
 * head while the shared model keeps the common ones; a private user's examples leave every other
 * prediction bit for bit as it would be without them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startService, type RunningService } from './service.js';
import { UnforgetClient } from './client.js';
import { ADMIN, clusterExamples, eventually, smallConfig } from './testing/fixture.js';

const NAMES = ['a', 'b', 'c', 'd'];
const accuracy = (labels: readonly (string | number)[], expected: readonly number[]) =>
  labels.filter((l, i) => l === NAMES[expected[i]]).length / labels.length;

async function withService<T>(
  work: (admin: UnforgetClient, service: RunningService) => Promise<T>,
  overrides: Record<string, unknown> = {},
): Promise<T> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-personal-')), 'data');
  const config = smallConfig(dataDir, {
    flushAfterMs: 5000,
    snapshotEvery: 100000,
    personal: { lr: 0.3, history: 100, replay: 16 },
    ...overrides,
  });
  const service = await startService(config, { adminToken: ADMIN, log: () => {} });
  try {
    return await work(new UnforgetClient({ url: service.url, token: ADMIN }), service);
  } finally {
    await service.close();
  }
}

const learntAll = (admin: UnforgetClient) =>
  eventually(async () => {
    const s = await admin.model('clusters');
    return s.examplesLearned === s.examplesAcknowledged;
  });

describe('personal parts', () => {
  const data = clusterExamples(480, 7);
  const common = data.slice(0, 320);
  const probe = data.slice(400, 480);
  // The contrarian's preference over the same inputs: every cluster one class further.
  const shifted = (y: number) => (y + 1) % 4;

  it("learns a private user's own preferences in their head, and leaves the shared model everyone's", async () => {
    await withService(async (admin) => {
      await admin.setPersonal('clusters', 'contrarian', 'private');
      for (let i = 0; i < 320; i += 64) {
        await admin.learn('clusters', { user: 'alice', examples: common.slice(i, i + 64) });
        await admin.learn('clusters', {
          user: 'contrarian',
          examples: common.slice(i, i + 64).map((e) => ({ x: e.x, y: shifted(e.y) })),
        });
      }
      await learntAll(admin);
      const inputs = probe.map((e) => e.x);
      const truth = probe.map((e) => e.y);
      const shared = (await admin.predict('clusters', { inputs })).predictions.map((p) => p.label);
      const theirs = (await admin.predict('clusters', { user: 'contrarian', inputs })).predictions.map(
        (p) => p.label,
      );
      const alices = (await admin.predict('clusters', { user: 'alice', inputs })).predictions.map(
        (p) => p.label,
      );
      assert.ok(
        accuracy(shared, truth) >= 0.75,
        `shared model on everyone's labels: ${accuracy(shared, truth)}`,
      );
      assert.ok(accuracy(alices, truth) >= 0.75, `alice on hers: ${accuracy(alices, truth)}`);
      const mine = accuracy(theirs, truth.map(shifted));
      assert.ok(
        mine >= 0.7,
        `the contrarian's head on their own labels: ${mine} (the shared model gives ${accuracy(shared, truth.map(shifted))})`,
      );
      const user = await admin.user('clusters', 'contrarian');
      assert.equal(user.personal, 'private');
      assert.equal(user.examplesLearned, 320);
      assert.deepEqual(user.classesTaught, [0, 1, 2, 3]);
    });
  });

  it("a private user's examples leave the shared model and other users' predictions unchanged, bit for bit", async () => {
    const run = (withPrivate: boolean) =>
      withService(async (admin) => {
        await admin.setPersonal('clusters', 'bob', 'private');
        for (let i = 0; i < 160; i += 32) {
          await admin.learn('clusters', { user: 'alice', examples: common.slice(i, i + 32) });
          await admin.learn('clusters', { user: 'carol', examples: common.slice(160 + i, 160 + i + 32) });
          if (withPrivate) {
            await admin.learn('clusters', {
              user: 'bob',
              examples: common.slice(i, i + 24).map((e) => ({ x: e.x, y: shifted(e.y) })),
            });
          }
        }
        await learntAll(admin);
        const inputs = probe.map((e) => e.x);
        const probabilities = async (user?: string) =>
          (await admin.predict('clusters', { ...(user ? { user } : {}), inputs })).predictions.map(
            (p) => p.probabilities,
          );
        return {
          shared: await probabilities(),
          alice: await probabilities('alice'),
          carol: await probabilities('carol'),
          bob: await probabilities('bob'),
          state: await admin.model('clusters'),
        };
      });
    const without = await run(false);
    const withBob = await run(true);
    assert.equal(withBob.state.examplesLearned, without.state.examplesLearned + 120);
    assert.deepEqual(withBob.shared, without.shared, 'the shared model is unchanged');
    assert.deepEqual(withBob.alice, without.alice, "alice's predictions are unchanged");
    assert.deepEqual(withBob.carol, without.carol, "carol's predictions are unchanged");
    assert.notDeepEqual(withBob.bob, without.bob, "bob's own predictions did change");
  });
  it("tests a user's head before the shared model learns their batch: no peeking at the labels", async () => {
    // A large step: one batch is enough for the shared model to answer what it just learnt.
    const learner = { ...smallConfig('unused').models[0].learner, optimizer: { name: 'sgd', lr: 3 } };
    await withService(
      async (admin) => {
        const all = clusterExamples(120, 9);
        // The shared model knows a and b; then alice's first batch is all c, a class nobody taught.
        await admin.learn('clusters', { examples: all.filter((e) => e.y < 2).slice(0, 40) });
        await learntAll(admin);
        await admin.learn('clusters', { user: 'alice', examples: all.filter((e) => e.y === 2).slice(0, 8) });
        await learntAll(admin);
        await eventually(async () => (await admin.user('clusters', 'alice')).examplesLearned === 8);
        const alice = await admin.user('clusters', 'alice');
        // Tested over the classes known before the batch (a, b): each of her 8 answers was wrong.
        assert.equal(alice.prequentialAccuracy, 0);
        // After learning them, the shared model does answer c on those inputs: a test made after
        // the step would have counted them right.
        const after = await admin.predict('clusters', {
          inputs: all
            .filter((e) => e.y === 2)
            .slice(0, 8)
            .map((e) => e.x),
        });
        assert.ok(
          after.predictions.filter((p) => p.label === 'c').length >= 4,
          JSON.stringify(after.predictions.map((p) => p.label)),
        );
      },
      { learner },
    );
  });
});
