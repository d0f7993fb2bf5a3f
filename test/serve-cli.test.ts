/**
 * `unforget serve` as a user runs it: the embedded default starts and shows its admin token once;
 * a bad flag exits with code 2; and the durability promise: the server killed with SIGKILL (with
 * its trainer) while clients post, then started again, has every acknowledged example in its log
 * and learns each exactly once; a truncated newest snapshot is passed over for the one before.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { openDatabase } from '../src/service/log-store.js';
import { UnforgetClient } from '../src/service/client.js';
import { snapshotsDir } from '../src/service/snapshots.js';
import { ADMIN, clusterExamples, eventually } from '../src/service/testing/fixture.js';

const env = { ...process.env, CI: 'true', UNFORGET_ADMIN_TOKEN: ADMIN };

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

/** Starts `unforget serve` in its own process group; resolves once it listens. */
async function serve(args: string[], environment: NodeJS.ProcessEnv = env): Promise<Server> {
  const child = spawn(process.execPath, ['bin/unforget.mjs', 'serve', ...args], {
    env: environment,
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" within 60 s:\n${output}`)), 60_000);
    const check = () => {
      const found = /listening on (http:\/\/\S+),/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** Resolves once `child` has ended: by itself (exitCode) or by a signal (signalCode). */
const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve()),
  );

function writeConfig(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'serve.yaml');
  writeFileSync(
    file,
    stringify({
      dataDir: join(dir, 'data'),
      models: [
        {
          name: 'clusters',
          learner: {
            model: { type: 'mlp', hiddenSizes: [16] },
            strategy: { name: 'derpp', bufferSize: 40 },
            optimizer: { name: 'sgd', lr: 0.05 },
            sampleShape: [6],
            numClasses: 4,
          },
          microBatch: 8,
          snapshotEvery: 40,
        },
      ],
    }),
  );
  return file;
}

/** The log's examples and the micro-batches the trainer recorded, read from the database. */
async function logOf(dataDir: string) {
  const db = await openDatabase(dataDir);
  const seqs = (db.prepare('SELECT seq FROM examples ORDER BY seq').all() as { seq: number }[]).map(
    (r) => r.seq,
  );
  const batches = db
    .prepare('SELECT first_seq AS first, last_seq AS last, size FROM batches ORDER BY last_seq')
    .all() as {
    first: number;
    last: number;
    size: number;
  }[];
  db.close();
  return { seqs, batches };
}

describe('unforget serve', () => {
  const root = mkdtempSync(join(tmpdir(), 'unforget-serve-cli-'));

  it('starts on the embedded default with no config, showing a new admin token only the first time', async () => {
    const dir = join(root, 'default');
    const { UNFORGET_ADMIN_TOKEN: _none, ...noToken } = env;
    const first = await serve(['--port', '0', '--data-dir', dir], noToken);
    const token = /admin token \(shown this once; only its hash is kept\): (uf_\S+)/.exec(
      first.output(),
    )?.[1];
    assert.ok(token, first.output());
    assert.match(first.output(), /models: default$/m);
    const client = new UnforgetClient({ url: first.url, token });
    const state = await client.model('default');
    assert.equal(state.classes.outputs, 10);
    const { predictions } = await client.predict('default', { inputs: [new Array(784).fill(0.5)] });
    assert.equal(predictions[0].probabilities.length, 10);
    first.child.kill('SIGTERM');
    await exited(first.child);
    const again = await serve(['--port', '0', '--data-dir', dir], noToken);
    assert.doesNotMatch(again.output(), /admin token/);
    assert.equal((await new UnforgetClient({ url: again.url, token }).model('default')).name, 'default');
    again.child.kill('SIGTERM');
    await exited(again.child);
  });

  it('refuses a bad flag or config with exit code 2, naming it', () => {
    const port = spawnSync(process.execPath, ['bin/unforget.mjs', 'serve', '--port', 'eighty'], {
      encoding: 'utf8',
      env,
    });
    assert.equal(port.status, 2, port.stderr);
    assert.match(port.stderr, /--port: expected an integer in \[0, 65535\], got "eighty"/);
    const file = join(root, 'bad.yaml');
    writeFileSync(
      file,
      'models:\n  - name: Bad Name\n    learner: { sampleShape: [2], numClasses: 2, strategy: er }\n',
    );
    const config = spawnSync(process.execPath, ['bin/unforget.mjs', 'serve', '--config', file], {
      encoding: 'utf8',
      env,
    });
    assert.equal(config.status, 2, config.stderr);
    assert.match(config.stderr, /models\[0\]\.name: expected 1-64 lower-case letters/);
    writeFileSync(
      file,
      'models:\n  - name: ok\n    learner: { model: { type: mlp }, sampleShape: [2], numClasses: 2, strategy: er }\n',
    );
    const strategy = spawnSync(
      process.execPath,
      ['bin/unforget.mjs', 'serve', '--config', file, '--data-dir', join(root, 'refused')],
      { encoding: 'utf8', env },
    );
    assert.equal(strategy.status, 2, strategy.stderr);
    assert.match(strategy.stderr, /models\[0\]\.learner: bufferSize: required \(a positive integer\)/);
    assert.doesNotMatch(config.stderr, /at .*\.(ts|js):\d+/);
  });

  it('killed with SIGKILL while clients post: every acknowledged example is kept and learnt exactly once', async () => {
    const dir = join(root, 'killed');
    const config = writeConfig(dir);
    const dataDir = join(dir, 'data');
    const server = await serve(['--config', config, '--port', '0']);
    const client = new UnforgetClient({ url: server.url, token: ADMIN });
    const acknowledged: number[] = [];
    const examples = clusterExamples(4000);
    let next = 0;
    let killed = false;
    // Four clients post 5 examples at a time until the server dies under them.
    const poster = async () => {
      while (!killed) {
        const batch = examples.slice(next, next + 5);
        next += 5;
        try {
          const answer = await client.learn('clusters', { user: `u${next % 3}`, examples: batch });
          acknowledged.push(
            ...Array.from({ length: answer.accepted }, (_, k) => answer.sequence - answer.accepted + 1 + k),
          );
        } catch {
          return; // the server is gone: this request was not acknowledged
        }
      }
    };
    const posting = [poster(), poster(), poster(), poster()];
    await eventually(async () => acknowledged.length >= 300, 60_000, '300 acknowledged examples');
    // Past at least one snapshot, so that the restart starts from one.
    await eventually(async () => (await client.model('clusters')).examplesLearned >= 100, 60_000, 'learning');
    process.kill(-server.child.pid!, 'SIGKILL');
    killed = true;
    await Promise.all(posting);
    await exited(server.child);

    const { seqs } = await logOf(dataDir);
    const inLog = new Set(seqs);
    assert.ok(
      acknowledged.every((s) => inLog.has(s)),
      'every acknowledged example is in the log',
    );

    const restarted = await serve(['--config', config, '--port', '0']);
    const after = new UnforgetClient({ url: restarted.url, token: ADMIN });
    await eventually(
      async () => {
        const state = await after.model('clusters');
        return state.examplesLearned === state.examplesAcknowledged;
      },
      60_000,
      'the restarted trainer to learn the whole log',
    );
    const state = await after.model('clusters');
    assert.equal(state.examplesAcknowledged, seqs.length);
    assert.ok(state.examplesAcknowledged >= acknowledged.length);
    // The surviving model learnt the log once: batches cover 1..N with no gap and no overlap.
    const { batches } = await logOf(dataDir);
    let expectedFirst = 1;
    for (const b of batches) {
      assert.equal(b.first, expectedFirst, `batch ${b.first}-${b.last} follows the one before`);
      assert.equal(b.size, b.last - b.first + 1);
      expectedFirst = b.last + 1;
    }
    assert.equal(expectedFirst - 1, seqs.length);
    assert.equal(state.version, batches.length);
    assert.match(restarted.output(), /listening/);
    restarted.child.kill('SIGTERM');
    await exited(restarted.child);
  });

  it('passes over a truncated newest snapshot for the one before, and learns again what came after', async () => {
    const dir = join(root, 'killed');
    const config = join(dir, 'serve.yaml');
    const dataDir = join(dir, 'data');
    const snapshots = snapshotsDir(dataDir, 'clusters');
    const versions = readdirSync(snapshots)
      .filter((n) => /^\d+$/.test(n))
      .sort();
    assert.ok(versions.length >= 2, `two snapshots to fall back on: ${versions.join(', ')}`);
    const newest = join(snapshots, versions[versions.length - 1]);
    const biggest = readdirSync(newest, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
    truncateSync(biggest, Math.floor(statSync(biggest).size / 2));
    const { batches } = await logOf(dataDir);
    const server = await serve(['--config', config, '--port', '0']);
    const client = new UnforgetClient({ url: server.url, token: ADMIN });
    await eventually(async () => {
      const state = await client.model('clusters');
      return state.examplesLearned === state.examplesAcknowledged;
    });
    assert.match(
      server.output(),
      new RegExp(`clusters: snapshot ${Number(versions[versions.length - 1])} passed over`),
    );
    assert.equal((await client.model('clusters')).version, batches.length);
    server.child.kill('SIGTERM');
    await exited(server.child);
  });
});
