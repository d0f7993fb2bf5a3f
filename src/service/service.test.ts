/**
 * The service in this process on a free loopback port: a 202 only once the examples are in the
 * log on disk, the trainer learning everything acknowledged, predictions that improve, late
 * labels, tokens scoped to one user, and every bad request answered with the field at fault.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from './log-store.js';
import { startService, type RunningService } from './service.js';
import { UnforgetApiError, UnforgetClient } from './client.js';
import { ADMIN, clusterExamples, eventually, smallConfig } from './testing/fixture.js';

/** The error `f` rejects with, as an UnforgetApiError. */
async function apiError(f: () => Promise<unknown>): Promise<UnforgetApiError> {
  try {
    await f();
  } catch (error) {
    assert.ok(error instanceof UnforgetApiError, `expected an UnforgetApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error answer, got a success');
}

describe('unforget serve, in process', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-serve-')), 'data');
  let service: RunningService;
  let admin: UnforgetClient;

  before(async () => {
    service = await startService(smallConfig(dataDir, { snapshotEvery: 1000, flushAfterMs: 1000 }), {
      adminToken: ADMIN,
      log: () => {},
    });
    admin = new UnforgetClient({ url: service.url, token: ADMIN });
  });
  after(async () => service?.close());

  it('listens on loopback only', () => {
    assert.match(service.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 202 only once the examples are in the log on disk, and learns them all', async () => {
    const examples = clusterExamples(200);
    const first = await admin.learn('clusters', { user: 'alice', examples: examples.slice(0, 100) });
    assert.deepEqual(first, { accepted: 100, sequence: 100 });
    // Read through a second connection: what was acknowledged is committed.
    const reader = await openDatabase(dataDir);
    const row = reader.prepare('SELECT COUNT(*) AS n, MAX(seq) AS last FROM examples').get() as {
      n: number;
      last: number;
    };
    reader.close();
    assert.deepEqual(row, { n: 100, last: 100 });
    const second = await admin.learn('clusters', { user: 'alice', examples: examples.slice(100) });
    assert.equal(second.sequence, 200);
    await eventually(async () => (await admin.model('clusters')).examplesLearned === 200, 20000, 'learning');
    const state = await admin.model('clusters');
    assert.equal(state.examplesAcknowledged, 200);
    assert.deepEqual(state.classes.seen, [0, 1, 2, 3]);
    assert.equal(
      state.version,
      25,
      '200 examples in full micro-batches of 8 (the log was never quiet for 1 s)',
    );
    assert.ok(
      state.metrics.historyAccuracy !== null && state.metrics.historyAccuracy > 0.6,
      `history accuracy (chance 0.25): ${state.metrics.historyAccuracy}`,
    );
    assert.ok(state.metrics.prequentialAccuracy !== null && state.metrics.prequentialAccuracy > 0.4);
  });

  it('predicts with the learnt weights, by class name, and takes late labels for a prediction', async () => {
    const test = clusterExamples(40, 1).slice(0, 40);
    const { predictions, modelVersion } = await admin.predict('clusters', { inputs: test.map((e) => e.x) });
    assert.ok(modelVersion >= 25);
    const names = ['a', 'b', 'c', 'd'];
    const correct = predictions.filter((p, i) => p.label === names[test[i].y]).length;
    assert.ok(correct >= 32, `${correct} of 40 right`);
    for (const p of predictions) assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    // The same inputs as Float32Arrays: the client sends them as float32 in base64.
    const binary = await admin.predict('clusters', { inputs: test.map((e) => Float32Array.from(e.x)) });
    assert.deepEqual(
      binary.predictions.map((p) => p.probabilities),
      predictions.map((p) => p.probabilities),
    );
    const before = (await admin.model('clusters')).examplesAcknowledged;
    const late = await admin.learn('clusters', {
      feedback: [{ predictionId: predictions[0].predictionId, label: 'b' }],
    });
    assert.deepEqual(late, { accepted: 1, sequence: before + 1 });
    await eventually(async () => (await admin.model('clusters')).examplesLearned === before + 1);
    const unknown = await apiError(() =>
      admin.learn('clusters', { feedback: [{ predictionId: 'no-such-prediction', label: 0 }] }),
    );
    assert.equal(unknown.status, 404);
    assert.equal(unknown.field, 'feedback[0].predictionId');
  });

  it("scopes a user's token to that user: 403 for another user, for admin routes", async () => {
    const bob = new UnforgetClient({ url: service.url, token: await admin.issueToken('bob') });
    const [x] = clusterExamples(1);
    assert.equal((await bob.learn('clusters', { examples: [x] })).accepted, 1);
    assert.equal((await bob.user('clusters', 'bob')).examplesAcknowledged, 1);
    for (const attempt of [
      () => bob.learn('clusters', { user: 'alice', examples: [x] }),
      () => bob.predict('clusters', { user: 'alice', inputs: [x.x] }),
      () => bob.user('clusters', 'alice'),
      () => bob.issueToken('carol'),
    ]) {
      const error = await apiError(attempt);
      assert.equal(error.status, 403, error.message);
    }
    const stranger = new UnforgetClient({ url: service.url, token: 'not-a-token' });
    assert.equal((await apiError(() => stranger.model('clusters'))).status, 401);
    // Only hashes are stored.
    const reader = await openDatabase(dataDir);
    const hashes = reader.prepare('SELECT hash FROM tokens').all() as { hash: string }[];
    reader.close();
    assert.ok(hashes.every((h) => /^[0-9a-f]{64}$/.test(h.hash) && h.hash !== ADMIN));
  });

  it('answers a bad request with the field at fault, and no stack trace', async () => {
    const post = async (path: string, body: string, token = ADMIN) => {
      const response = await fetch(`${service.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      return {
        status: response.status,
        body: (await response.json()) as { error: { field: string; message: string } },
      };
    };
    const cases: [string, string, number, string][] = [
      ['/v1/models/clusters/learn', '{"examples":[{"x":[1,2],"y":0}]}', 400, 'examples[0].x'],
      ['/v1/models/clusters/learn', '{"examples":[{"x":"0,0","y":0}]}', 400, 'examples[0].x'],
      ['/v1/models/clusters/learn', '{"examples":[{"x":[0,0,"a",0,0,0],"y":0}]}', 400, 'examples[0].x[2]'],
      ['/v1/models/clusters/predict', '{"inputs":[[0,0,0,0,null,0]]}', 400, 'inputs[0][4]'],
      ['/v1/models/clusters/predict', '{"inputs":["AAAA"]}', 400, 'inputs[0]'],
      ['/v1/models/clusters/predict', '{"inputs":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!"]}', 400, 'inputs[0]'],
      [
        '/v1/models/clusters/predict',
        `{"inputs":["${Buffer.from(new Float32Array([0, 0, NaN, 0, 0, 0]).buffer).toString('base64')}"]}`,
        400,
        'inputs[0][2]',
      ],
      ['/v1/models/clusters/learn', '{"examples":[{"x":[0,0,0,0,0,0],"y":7}]}', 400, 'examples[0].y'],
      ['/v1/models/clusters/learn', '{"examples":[{"x":[0,0,0,0,0,0],"y":"zebra"}]}', 400, 'examples[0].y'],
      ['/v1/models/clusters/learn', '{}', 400, 'examples'],
      ['/v1/models/clusters/learn', '{"examples": [', 400, 'body'],
      ['/v1/models/clusters/predict', '{"inputs":[[0,0,0]]}', 400, 'inputs[0]'],
      ['/v1/models/clusters/predict', '{"inputs":[[0,0,0,0,0,0]],"extra":1}', 400, 'extra'],
      ['/v1/models/nope/predict', '{"inputs":[[0,0,0,0,0,0]]}', 404, 'model'],
      ['/v1/models/clusters/learn', JSON.stringify({ examples: clusterExamples(1025) }), 413, 'examples'],
      [
        '/v1/models/clusters/learn',
        JSON.stringify({ examples: [{ x: 'x'.repeat(5_000_000), y: 0 }] }),
        413,
        'body',
      ],
    ];
    for (const [path, body, status, field] of cases) {
      const answer = await post(path, body);
      assert.equal(answer.status, status, `${path} ${body.slice(0, 60)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.field, field, JSON.stringify(answer.body));
      assert.doesNotMatch(answer.body.error.message, /at .*\.(ts|js):\d+/);
    }
    const examplesBefore = (await admin.model('clusters')).examplesAcknowledged;
    assert.equal(examplesBefore, 202, 'no refused request wrote anything');
  });

  it('shows health and Prometheus metrics', async () => {
    assert.deepEqual(await admin.health(), { ok: true, trainer: 'running' });
    const text = await admin.metrics();
    assert.match(text, /^unforget_examples_acknowledged_total\{model="clusters"\} 202$/m);
    assert.match(text, /^unforget_trainer_up 1$/m);
    assert.match(text, /^unforget_http_errors_total\{status="400"\} \d+$/m);
  });
});
