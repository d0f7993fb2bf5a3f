/**
 * One backend's run of the tfjs-core test suite (started by run.ts, one process per backend).
 *
 *   node --import tsx test/tfjs-suite/worker.ts <cpu|native> <events.jsonl> [name-filter] [skip.json]
 *
 * Loads jasmine, the ESM tree of tfjs-core (through esm-hooks.mjs, so that the tests and the
 * backend share one tfjs instance), registers the backend, points tfjs's `describeWithFlags` at
 * it with `setTestEnvs`, imports every `*_test.js` under tfjs-core/dist (less the documented
 * exclusions) and runs them. Each spec's result is appended to the events file as one JSON line
 * as soon as it finishes, and the spec about to run is announced first, so that a crash (a native
 * kernel that aborts the process) still leaves every earlier result and names the culprit.
 * run.ts then starts the worker again with skip.json: the jasmine ids of the specs already
 * reported and of the one that crashed (jasmine numbers specs in definition order, the same in
 * every run), and the run resumes after the crash.
 */
import { closeSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXCLUDED_FILES, EXCLUDED_SPECS } from './exclusions.js';
import type { Failure, WorkerEvent } from './protocol.js';

const ROOT_URL = new URL('../../', import.meta.url);
const CORE_DIST = fileURLToPath(new URL('node_modules/@tensorflow/tfjs-core/dist/', ROOT_URL));

// Must precede every import of tfjs (all of them are dynamic below for that reason).
register('./esm-hooks.mjs', import.meta.url, { data: { root: ROOT_URL.href } });
// The ESM build of tfjs-core still calls a free `require` (jasmine_util.js, platform_node.js).
(globalThis as { require?: NodeRequire }).require = createRequire(join(CORE_DIST, 'index.js'));

interface SpecResult {
  id: string;
  fullName: string;
  status: string;
  failedExpectations: Array<{ message: string; stack?: string }>;
  duration: number | null;
}

interface JasmineDoneInfo {
  overallStatus: string;
  incompleteReason?: string;
  failedExpectations: Array<{ message: string; stack?: string }>;
}

interface JasmineRunner {
  exitOnCompletion: boolean;
  jasmine: { DEFAULT_TIMEOUT_INTERVAL: number };
  env: {
    configure(options: { random?: boolean; specFilter?: (spec: { id: string }) => boolean }): void;
    configuration(): { specFilter: (spec: { id: string }) => boolean };
  };
  clearReporters(): void;
  addReporter(reporter: object): void;
  execute(): Promise<JasmineDoneInfo>;
}

const [backendName, eventsPath, nameFilter, skipPath] = process.argv.slice(2);
if (backendName !== 'cpu' && backendName !== 'native') {
  throw new Error(
    `usage: worker.ts <cpu|native> <events.jsonl> [name-filter] [skip.json]; got "${backendName}"`,
  );
}
const skipIds = new Set<string>(skipPath ? (JSON.parse(readFileSync(skipPath, 'utf8')) as string[]) : []);
const events = openSync(eventsPath, 'w');
const emit = (event: WorkerEvent) => writeSync(events, JSON.stringify(event) + '\n');

/** Native kernels entered / served natively during the current spec (native backend only). */
const attempted = new Set<string>();
const served = new Set<string>();

/**
 * A failed expectation, its stack cut short: a stack overflow's runs to thousands of lines, and
 * both ends matter (where it recursed, and what started it).
 */
function toFailure(f: { message: string; stack?: string }): Failure {
  const lines = (f.stack ?? '').split('\n');
  const stack =
    lines.length <= 30
      ? lines
      : [...lines.slice(0, 15), `    ... ${lines.length - 30} more lines ...`, ...lines.slice(-15)];
  return { message: f.message, stack: stack.join('\n') };
}

/** Every `*_test.js` under tfjs-core/dist, relative, sorted (the same set dist/tests.js lists). */
function testFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'miniprogram') walk(path);
      } else if (entry.name.endsWith('_test.js')) {
        out.push(relative(CORE_DIST, path));
      }
    }
  };
  walk(CORE_DIST);
  return out.sort();
}

async function registerNative(): Promise<void> {
  const tf = await import('@tensorflow/tfjs-core');
  const { registerNativeBackend, nativeKernelNames, NativeBackend } =
    await import('../../src/native/index.js');
  const registration = registerNativeBackend();
  if (!registration.ok) throw new Error(`the native backend did not register: ${registration.reason}`);
  emit({ kind: 'native', gemm: registration.gemm, kernels: nativeKernelNames() });
  // Attribute each spec to the native kernels it reached: entered (even if it then threw) and
  // served natively (rather than handed to the cpu JS fallback).
  for (const name of nativeKernelNames()) {
    const config = tf.getKernel(name, 'native');
    tf.unregisterKernel(name, 'native');
    tf.registerKernel({
      ...config,
      kernelFunc: (params) => {
        if (!attempted.has(name)) {
          attempted.add(name);
          // Written at once: if this kernel brings the process down, run.ts knows which it was.
          emit({ kind: 'nativeKernel', name });
        }
        return config.kernelFunc(params);
      },
    });
  }
  const countCall = NativeBackend.prototype.countCall;
  NativeBackend.prototype.countCall = function (kernelName: string, native: boolean) {
    if (native) served.add(kernelName);
    countCall.call(this, kernelName, native);
  };
}

/**
 * Fails if any tfjs module was loaded through require() (a CommonJS bundle, or a dist file
 * that a CommonJS loader picked up): it would be a second tfjs instance next to the ESM tree.
 * (esm-hooks.mjs itself refuses to load one file under two URLs.)
 */
function assertSingleTfjs(): void {
  const viaRequire = Object.keys(createRequire(import.meta.url).cache).filter((path) =>
    /@tensorflow[\\/]tfjs-(core|backend-cpu)[\\/]dist[\\/]/.test(path),
  );
  if (viaRequire.length > 0) {
    throw new Error(`a second tfjs instance was loaded through require(): ${viaRequire.join(', ')}`);
  }
}

/**
 * Records which test file defines each spec: jasmine's `it` (and `fit`, `xit`) are wrapped
 * while the test files are imported, which is when tfjs's suites define their specs.
 */
function trackSpecFiles(): { current: string; byId: Map<string, string> } {
  const tracker = { current: '', byId: new Map<string, string>() };
  const globals = globalThis as unknown as Record<
    string,
    (...args: unknown[]) => { id?: string } | undefined
  >;
  for (const name of ['it', 'fit', 'xit']) {
    const define = globals[name];
    globals[name] = (...args: unknown[]) => {
      const spec = define(...args);
      if (spec?.id) tracker.byId.set(spec.id, tracker.current);
      return spec;
    };
  }
  return tracker;
}

async function main(): Promise<void> {
  const started = Date.now();
  const require = createRequire(import.meta.url);
  const Jasmine = require('jasmine') as new () => JasmineRunner;
  const runner = new Jasmine(); // installs describe/it/expect as globals
  runner.exitOnCompletion = false;
  // tfjs sets this on its own jasmine-core instance (jasmine_util.js), which is not the one
  // that runs the specs here; heavy op tests need more than jasmine's default 5 s.
  runner.jasmine.DEFAULT_TIMEOUT_INTERVAL = 20000;
  runner.env.configure({ random: false });

  await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js');
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  await import('@tensorflow/tfjs-backend-cpu');
  if (backendName === 'native') await registerNative();
  const jasmineUtil = await import('@tensorflow/tfjs-core/dist/jasmine_util.js');
  jasmineUtil.setTestEnvs([{ name: backendName, backendName, flags: {}, isDataSync: true }]);
  jasmineUtil.setupTestFilters([], (name: string) => {
    if (nameFilter && !name.includes(nameFilter)) return false;
    return !EXCLUDED_SPECS.some((e) => name.includes(e.contains));
  });
  const tfjsFilter = runner.env.configuration().specFilter;
  runner.env.configure({ specFilter: (spec) => !skipIds.has(spec.id) && tfjsFilter(spec) });

  const specFiles = trackSpecFiles();
  const excluded = new Set(EXCLUDED_FILES.map((e) => e.file));
  for (const file of testFiles()) {
    if (excluded.has(file)) continue;
    specFiles.current = file;
    try {
      // Through the package name, so that the hooks give it the same (real) URL as its imports.
      await import(`@tensorflow/tfjs-core/dist/${file}`);
    } catch (error) {
      emit({ kind: 'loadError', file, message: String((error as Error)?.stack ?? error) });
    }
  }
  assertSingleTfjs();
  const perFile = new Map<string, number>(testFiles().map((f) => [f, 0]));
  for (const f of excluded) perFile.delete(f);
  for (const f of specFiles.byId.values()) perFile.set(f, (perFile.get(f) ?? 0) + 1);
  emit({ kind: 'files', specsPerFile: Object.fromEntries(perFile) });

  runner.clearReporters();
  runner.addReporter({
    specStarted(result: SpecResult) {
      if (skipIds.has(result.id)) return;
      attempted.clear();
      served.clear();
      emit({
        kind: 'specStarted',
        id: result.id,
        file: specFiles.byId.get(result.id) ?? '',
        fullName: result.fullName,
      });
    },
    specDone(result: SpecResult) {
      if (skipIds.has(result.id)) return; // reported by an earlier run
      emit({
        kind: 'spec',
        id: result.id,
        file: specFiles.byId.get(result.id) ?? '',
        fullName: result.fullName,
        status: result.status,
        failures: result.failedExpectations.map(toFailure),
        durationMs: result.duration ?? 0,
        nativeServed: [...served].sort(),
        nativeAttempted: [...attempted].sort(),
      });
    },
    suiteDone(result: SpecResult) {
      if (result.failedExpectations.length > 0) {
        emit({
          kind: 'suiteError',
          fullName: result.fullName,
          failures: result.failedExpectations.map(toFailure),
        });
      }
    },
  });
  const done = await runner.execute();
  emit({
    kind: 'done',
    overallStatus: done.overallStatus,
    incompleteReason: done.incompleteReason ?? null,
    globalFailures: done.failedExpectations.map(toFailure),
    wallMs: Date.now() - started,
  });
  closeSync(events);
}

main().catch((error: unknown) => {
  emit({ kind: 'fatal', message: String((error as Error)?.stack ?? error) });
  closeSync(events);
  process.exitCode = 2;
});
