/**
 * What a fresh machine gets at install time, tested for real: the addon builds with its own
 * portable GEMM where no BLAS is used, installation succeeds without a compiler, and the
 * engine falls back to the cpu backend, with one warning, when the addon is missing or was
 * built for another CPU. Builds run in temporary copies of the addon's sources, never in
 * this checkout's build/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addonPath } from '../src/native/addon-loader.js';
import type { NativeAddon } from '../src/native/addon-api.js';
import { cpuFeatures } from '../src/native/addon/cpu-features.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const temporary: string[] = [];
after(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temporary copy of what `npm install` builds the addon from, with node_modules linked. */
function addonSourceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'unforget-install-'));
  temporary.push(dir);
  copyFileSync(join(root, 'binding.gyp'), join(dir, 'binding.gyp'));
  cpSync(join(root, 'scripts'), join(dir, 'scripts'), { recursive: true });
  cpSync(join(root, 'src', 'native', 'addon'), join(dir, 'src', 'native', 'addon'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs scripts/build-addon.mjs --force in `dir` with extra environment variables. */
function runBuild(dir: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [join(dir, 'scripts', 'build-addon.mjs'), '--force'], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/**
 * Runs `body` (ES module code with `initEngine` and `loadAddon` in scope) in a fresh Node
 * process with `env` added, and returns what it printed with console.log as JSON, with
 * its stderr.
 */
function inChild(body: string, env: Record<string, string>) {
  const backend = pathToFileURL(join(root, 'src', 'engine', 'backend.ts')).href;
  const loader = pathToFileURL(join(root, 'src', 'native', 'addon-loader.ts')).href;
  const code = `import { initEngine } from '${backend}';\nimport { loadAddon } from '${loader}';\n${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    env: { ...process.env, UNFORGET_BACKEND: '', UNFORGET_ADDON_PATH: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `child failed:\n${r.stderr}`);
  return { result: JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null'), stderr: r.stderr };
}

/** The engine's one-time warning about the cpu fallback. */
const FALLBACK_WARNING = /unforget: using the slow tfjs cpu backend because/g;

/** Chooses the engine twice, then reports both choices, the loader's verdict and a small product. */
const ENGINE_TWICE = `
const first = await initEngine();
const second = await initEngine();
const { ok, reason } = loadAddon();
const tf = await import('@tensorflow/tfjs-core');
const product = Array.from(tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync());
console.log(JSON.stringify({ first, second, load: { ok, reason }, product }));
`;

describe('install: the addon builds with the portable GEMM (UNFORGET_BLAS=none)', () => {
  let dir = '';
  let addon: NativeAddon;

  it('builds in a fresh copy of the sources and records that it has no BLAS', () => {
    dir = addonSourceCopy();
    // UNFORGET_PORTABLE_BUILD=1 (no -march=native) also covers the GEMM's baseline vector
    // code, which this checkout's -march=native build does not run.
    const r = runBuild(dir, { UNFORGET_BLAS: 'none', UNFORGET_PORTABLE_BUILD: '1' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /native addon built \(GEMM: portable\)/);
    const record = JSON.parse(readFileSync(join(dir, 'build', 'Release', 'unforget-build.json'), 'utf8'));
    assert.equal(record.blas, 'none');
    assert.equal(record.arch, process.arch);
    assert.equal(record.portable, true);
    addon = require(join(dir, 'build', 'Release', 'unforget_native.node')) as NativeAddon;
    assert.equal(addon.gemm, 'portable');
    assert.deepEqual([...addon.gemms], ['portable']);
    assert.throws(() => addon.setGemm('blas'), /no GEMM "blas"/);
  });

  it('its matmul matches a float64 reference (batched, transposed, with bias)', () => {
    assert.ok(addon, 'built by the previous test');
    const [m, n, k, batch] = [19, 45, 300, 2];
    const values = (length: number, f: (i: number) => number) =>
      Float32Array.from({ length }, (_, i) => f(i));
    const a = values(batch * k * m, (i) => Math.sin(i * 0.37)); // stored k x m (transposed)
    const b = values(batch * n * k, (i) => Math.cos(i * 0.11)); // stored n x k (transposed)
    const bias = values(n, (i) => i / n);
    const out = new Float32Array(batch * m * n).fill(NaN);
    addon.matmul(a, b, out, batch, batch, m, n, k, true, true, bias, 0, 0);
    let worst = 0;
    for (let t = 0; t < batch; t++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = bias[j];
          for (let p = 0; p < k; p++) sum += a[t * k * m + p * m + i] * b[t * n * k + j * k + p];
          const err = Math.abs(out[t * m * n + i * n + j] - sum) / Math.max(1, Math.abs(sum));
          worst = Math.max(worst, err);
        }
      }
    }
    assert.ok(worst <= 1e-5 * Math.sqrt(k), `largest relative error ${worst}`);
  });

  it('the engine runs on it: backend native, GEMM portable, no warning', () => {
    assert.ok(addon, 'built by the previous test');
    const { result, stderr } = inChild(ENGINE_TWICE, {
      UNFORGET_ADDON_PATH: join(dir, 'build', 'Release', 'unforget_native.node'),
    });
    assert.deepEqual(result.first, { backend: 'native', gemm: 'portable' });
    assert.deepEqual(result.product, [17, 39]);
    assert.doesNotMatch(stderr, FALLBACK_WARNING);
  });
});

describe('install: without a compiler', () => {
  it('build-addon exits 0 and warns once, saying what to install', () => {
    const dir = addonSourceCopy();
    const r = runBuild(dir, { CXX: '/nonexistent/c++', CC: '/nonexistent/cc' });
    assert.equal(r.status, 0, 'a failed build must not fail the install');
    const warnings = r.stderr.match(/unforget: WARNING: the native addon could not be built/g) ?? [];
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(r.stderr, /install a C\+\+ compiler, make and python3/);
    assert.match(r.stderr, /apt-get install -y g\+\+ make python3/);
    assert.match(r.stderr, /npm run build:addon/);
    assert.ok(!existsSync(join(dir, 'build', 'Release', 'unforget_native.node')));
  });
});

describe('load: the engine falls back to cpu with one warning', () => {
  it('when the addon file is absent', () => {
    const { result, stderr } = inChild(ENGINE_TWICE, {
      UNFORGET_ADDON_PATH: join(tmpdir(), 'unforget-no-such-dir', 'unforget_native.node'),
    });
    assert.equal(result.first.backend, 'cpu');
    assert.equal(result.second.backend, 'cpu');
    assert.match(result.first.nativeUnavailable, /the native addon is not built/);
    assert.deepEqual(result.product, [17, 39]);
    assert.equal(stderr.match(FALLBACK_WARNING)?.length, 1, stderr);
    assert.match(stderr, /Install g\+\+, make and python3/);
  });

  /** A copy of this checkout's addon beside a build record listing `features` (and `arch`). */
  function addonWithRecord(features: string[], arch: string = process.arch): string {
    const built = addonPath({});
    assert.ok(existsSync(built), 'the addon of this checkout must be built (npm run build:addon)');
    const dir = mkdtempSync(join(tmpdir(), 'unforget-record-'));
    temporary.push(dir);
    const path = join(dir, 'unforget_native.node');
    copyFileSync(built, path);
    const record = { arch, portable: false, blas: 'none', cpuFeatures: features };
    writeFileSync(join(dir, 'unforget-build.json'), JSON.stringify(record));
    return path;
  }

  it('when its build record lists a CPU feature this CPU lacks (and not otherwise)', (t) => {
    const here = cpuFeatures();
    if (here.length === 0) return t.skip('this system does not list its CPU features');
    const refused = inChild(ENGINE_TWICE, {
      UNFORGET_ADDON_PATH: addonWithRecord([...here, 'unforget_fake_feature']),
    });
    assert.equal(refused.result.load.ok, false);
    assert.match(refused.result.load.reason, /features this one lacks \(unforget_fake_feature\)/);
    assert.equal(refused.result.first.backend, 'cpu');
    assert.equal(refused.stderr.match(FALLBACK_WARNING)?.length, 1, refused.stderr);

    const otherArch = inChild(ENGINE_TWICE, {
      UNFORGET_ADDON_PATH: addonWithRecord(here, 'not-' + process.arch),
    });
    assert.match(otherArch.result.load.reason, /it was built for not-/);

    const accepted = inChild(ENGINE_TWICE, { UNFORGET_ADDON_PATH: addonWithRecord(here) });
    assert.equal(accepted.result.load.ok, true);
    assert.equal(accepted.result.first.backend, 'native');
    assert.doesNotMatch(accepted.stderr, FALLBACK_WARNING);
  });
});
