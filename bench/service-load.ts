/**
 * `unforget serve` under load, on loopback only: the default MNIST-shaped model (784 inputs, MLP,
 * DER++ with 500 examples), the server in its own process (its trainer a third), autocannon in
 * this one. Phase 1: single-input predict requests alone. Phase 2: predict and learn at once,
 * learn requests carrying `--learn-batch` examples each, every one durable before its 202.
 * Reports requests/s, p50 / p99 latency, examples acknowledged per second, examples the trainer
 * learnt per second over the same window, and the load generator's own CPU share.
 *
 *   npx tsx bench/service-load.ts [--seconds 10] [--connections 16] [--learn-batch 16] [--encoding json|base64] [--out docs/bench/service-load.json]
 *
 * `--encoding base64` sends every input as float32 in base64 (what UnforgetClient does with a
 * Float32Array), `json` (the default) as a list of numbers with three decimals.
 *
 * The trainer runs with UNFORGET_THREADS=1 (one core for it, one for the server and autocannon).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { stringify } from 'yaml';
import { float32Base64, UnforgetClient } from '../src/service/client.js';
import { DEFAULT_MODEL } from '../src/service/service-config.js';
import { gaussianClusters } from '../src/data/synthetic.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    'learn-batch': { type: 'string', default: '16' },
    encoding: { type: 'string', default: 'json' },
    out: { type: 'string' },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const learnBatch = Number(args['learn-batch']);
if (args.encoding !== 'json' && args.encoding !== 'base64') {
  console.error(`--encoding: expected json or base64, got ${args.encoding}`);
  process.exit(2);
}
const encoding = args.encoding;
const TOKEN = 'bench-admin-token';

const dir = mkdtempSync(join(tmpdir(), 'unforget-load-'));
const config = join(dir, 'serve.yaml');
writeFileSync(
  config,
  stringify({
    port: 0,
    dataDir: join(dir, 'data'),
    limits: { requestsPerSecond: 0, examplesPerRequest: 4096 },
    // The embedded default model, as `unforget serve` with no config serves it.
    models: [DEFAULT_MODEL],
  }),
);
const server = spawn(process.execPath, ['bin/unforget.mjs', 'serve', '--config', config], {
  env: { ...process.env, UNFORGET_ADMIN_TOKEN: TOKEN, UNFORGET_THREADS: '1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += String(d);
    const found = /listening on (http:\/\/\S+),/.exec(out);
    if (found) resolve(found[1]);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
});
const client = new UnforgetClient({ url, token: TOKEN });

// MNIST-shaped inputs with some structure (10 clusters), so learning has something to learn.
const data = gaussianClusters({
  numClasses: 10,
  samplesPerClass: 200,
  testSamplesPerClass: 1,
  dims: 784,
  spread: 0.5,
  seed: 1,
});
const numbers = (i: number) =>
  Array.from(
    data.train.x.subarray((i % 2000) * 784, ((i % 2000) + 1) * 784),
    (v) => Math.round(v * 1000) / 1000,
  );
const row = (i: number) => (encoding === 'json' ? numbers(i) : float32Base64(Float32Array.from(numbers(i))));
const predictBodies = Array.from({ length: 64 }, (_, i) => JSON.stringify({ inputs: [row(i)] }));
const learnBodies = Array.from({ length: 64 }, (_, i) =>
  JSON.stringify({
    user: `user${i % 8}`,
    examples: Array.from({ length: learnBatch }, (_, k) => ({
      x: row(i * learnBatch + k),
      y: data.train.y[(i * learnBatch + k) % 2000],
    })),
  }),
);
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

/** One autocannon run of `path`, cycling through `bodies`. */
function load(path: string, bodies: string[], conns: number): Promise<Result> {
  let k = 0;
  return autocannon({
    url: `${url}${path}`,
    method: 'POST',
    headers,
    connections: conns,
    duration: seconds,
    requests: [{ setupRequest: (req: object) => ({ ...req, body: bodies[k++ % bodies.length] }) }],
  }) as Promise<Result>;
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const summary = (r: Result) => ({
  requestsPerSecond: Math.round(r.requests.average),
  p50ms: r.latency.p50,
  p99ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors,
});

// Warm-up: the first requests compile the routes and the model's kernels.
await load('/v1/models/default/predict', predictBodies, 4).catch(() => {});

let cpu0 = cpu();
let t0 = performance.now();
const predictAlone = await load('/v1/models/default/predict', predictBodies, connections);
const predictAloneCpu = (cpu() - cpu0) / ((performance.now() - t0) / 1000);

const before = await client.model('default');
cpu0 = cpu();
t0 = performance.now();
const [predictMixed, learnMixed] = await Promise.all([
  load('/v1/models/default/predict', predictBodies, connections / 2),
  load('/v1/models/default/learn', learnBodies, connections / 2),
]);
const wall = (performance.now() - t0) / 1000;
const mixedCpu = (cpu() - cpu0) / wall;
const after = await client.model('default');
// Then until the trainer has caught up with everything acknowledged.
const catchUpStart = performance.now();
let caughtUp = after;
while (
  caughtUp.examplesLearned < caughtUp.examplesAcknowledged &&
  performance.now() - catchUpStart < 120_000
) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  caughtUp = await client.model('default');
}

const result = {
  date: new Date().toISOString(),
  seconds,
  connections,
  learnBatch,
  encoding,
  trainerThreads: 1,
  predictAlone: { ...summary(predictAlone), loadGeneratorCpuCores: Number(predictAloneCpu.toFixed(2)) },
  mixed: {
    predict: summary(predictMixed),
    learn: {
      ...summary(learnMixed),
      examplesAcknowledgedPerSecond: Math.round(
        (after.examplesAcknowledged - before.examplesAcknowledged) / wall,
      ),
    },
    trainerExamplesLearnedPerSecond: Math.round((after.examplesLearned - before.examplesLearned) / wall),
    loadGeneratorCpuCores: Number(mixedCpu.toFixed(2)),
  },
  catchUp: {
    seconds: Number(((performance.now() - catchUpStart) / 1000).toFixed(1)),
    examplesAcknowledged: caughtUp.examplesAcknowledged,
    examplesLearned: caughtUp.examplesLearned,
  },
};
console.log(JSON.stringify(result, null, 1));
if (args.out) writeFileSync(args.out, JSON.stringify(result, null, 1) + '\n');
server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
