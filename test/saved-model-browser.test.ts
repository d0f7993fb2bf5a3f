/**
 * A saved model in a browser with TensorFlow.js alone: headless Chromium loads tfjs-core, its cpu
 * backend and tfjs-layers (their own bundles, no unforget code), then `tf.loadLayersModel` reads
 * the model.json a run saved, over HTTP on 127.0.0.1; its probabilities are those the Learner
 * gives in Node. CI installs Debian's `chromium`; elsewhere a missing browser skips, saying so.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumSkip, launchChromium } from './support/chromium.js';
import { initEngine } from '../src/engine/backend.js';
import { gaussianClusters } from '../src/data/synthetic.js';
import { classSplit } from '../src/benchmarks/class-split.js';
import { mlp } from '../src/models/mlp.js';
import { er } from '../src/strategies/replay/er.js';
import { adam } from '../src/engine/optimizers/index.js';
import { Learner } from '../src/training/learner.js';

const skip = chromiumSkip;

/** Serves `routes` (URL path -> file) on 127.0.0.1, and a page; answers 404 to anything else. */
function serve(routes: Record<string, string>, page: string): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json' };
  const server = createServer((request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const file = routes[path];
    if (!file || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ server, origin: `http://127.0.0.1:${address.port}` });
    }),
  );
}

describe('a saved model in headless Chromium with tfjs alone', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('loads model.json over HTTP and gives the probabilities the Learner gives in Node', async () => {
    await initEngine();
    const stream = classSplit(
      gaussianClusters({ numClasses: 4, samplesPerClass: 40, testSamplesPerClass: 10, dims: 6, seed: 2 }),
      { experiences: 2, seed: 1, scenario: 'class-il' },
    );
    const model = mlp({ inputShape: [6], hiddenSizes: [12], numClasses: 4, seed: 3 });
    const learner = new Learner({
      model,
      strategy: er({ bufferSize: 20 }),
      optimizer: () => adam({ learningRate: 0.02 }),
      sampleShape: [6],
    });
    for (const e of stream.experiences) {
      for (let start = 0; start < e.train.y.length; start += 10) {
        learner.learn({
          x: e.train.x.subarray(start * 6, (start + 10) * 6),
          y: e.train.y.subarray(start, start + 10),
        });
      }
    }
    const dir = join(mkdtempSync(join(tmpdir(), 'unforget-browser-model-')), 'model');
    await learner.save(dir);
    const probe = Array.from(stream.experiences[0].test.x.subarray(0, 5 * 6));
    const ours = learner.predict(probe).map((p) => p.probabilities);
    learner.dispose();
    model.dispose();

    const modules = join(process.cwd(), 'node_modules', '@tensorflow');
    const { server, origin } = await serve(
      {
        '/tf-core.js': join(modules, 'tfjs-core', 'dist', 'tf-core.min.js'),
        '/tf-backend-cpu.js': join(modules, 'tfjs-backend-cpu', 'dist', 'tf-backend-cpu.min.js'),
        '/tf-layers.js': join(modules, 'tfjs-layers', 'dist', 'tf-layers.min.js'),
        '/model/model.json': join(dir, 'model.json'),
        '/model/weights.bin': join(dir, 'weights.bin'),
      },
      '<!doctype html><script src="/tf-core.js"></script><script src="/tf-backend-cpu.js"></script><script src="/tf-layers.js"></script>',
    );
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('requestfailed', (r) => problems.push(`failed request ${r.url()}`));
      page.on('request', (r) => {
        if (!r.url().startsWith(origin)) problems.push(`request beyond the page's server: ${r.url()}`);
      });
      await page.goto(`${origin}/`, { waitUntil: 'load' });
      const theirs = (await page.evaluate(async (x: number[]) => {
        const tf = (globalThis as unknown as { tf: any }).tf; // eslint-disable-line @typescript-eslint/no-explicit-any
        await tf.setBackend('cpu');
        const loaded = await tf.loadLayersModel('/model/model.json');
        return tf.softmax(loaded.predict(tf.tensor(x, [5, 6]))).arraySync();
      }, probe)) as number[][];
      assert.deepEqual(problems, []);
      theirs.forEach((row, i) =>
        row.forEach((p, c) =>
          assert.ok(Math.abs(p - ours[i][c]) < 1e-5, `example ${i} class ${c}: ${p} vs ${ours[i][c]}`),
        ),
      );
    } finally {
      server.close();
    }
  });
});
