/**
 * tfjs-core's own test suite, run against the `cpu` and the `native` backends.
 *
 *   npm run test:tfjs-suite [-- --filter <text>] [--stacks] [--stall-s <s>] [--timeout-s <s>] [--keep-logs]
 *   (the same: node --import tsx test/tfjs-suite/run.ts ...)
 *
 *   --filter     run only the specs whose full name contains <text>
 *   --stacks     print the first and last stack lines of each regression's failures
 *   --stall-s    a spec that makes no progress for this long (a kernel stuck in a loop, which
 *                jasmine's own 20 s timeout cannot interrupt) is killed and counted as a crash
 *                (default 120)
 *   --timeout-s  limit for the whole run of one backend (default 1800)
 *   --keep-logs  keep the workers' output and event files (kept anyway after a crash)
 *
 * The rule it checks: every spec that passes on cpu must pass on native.
 *
 * Takes 8 to 20 s of wall time on two shared cores (about 4,200 specs per backend; the backends run
 * in parallel). `npm test` runs it too (test/tfjs-suite.test.ts) and checks its summary line.
 *
 * How it works
 *   tfjs-core ships its tests in the npm package (`dist/**\/*_test.js`, jasmine). Most are
 *   written with `describeWithFlags`, which defines a suite once per test environment given to
 *   `setTestEnvs`. worker.ts runs in its own process per backend: it registers one environment
 *   for its backend, imports every test file and runs jasmine. esm-hooks.mjs makes Node load
 *   tfjs-core's and tfjs-backend-cpu's ESM sources (not their CommonJS bundles) for everyone, so
 *   the tests, the cpu backend and the native backend share ONE tfjs instance; the hooks refuse
 *   to load a module twice and the worker fails if a bundle was required anyway.
 *   Each spec's result is streamed to an events file (protocol.ts). If a worker dies in a spec
 *   (a native kernel that aborts or segfaults) or stalls, that spec is recorded as crashed and
 *   a fresh process resumes after it, so one bad kernel cannot hide every result after it.
 *   This script then matches the specs of the two runs by name (tfjs's suite names carry the
 *   environment's name, replaced here by `<backend>`; the nth of several same-named specs is
 *   matched with the nth).
 *
 * Output
 *   Per backend: specs run, passed, failed (crashes included), skipped (pending in tfjs),
 *   excluded (exclusions.ts, --filter); test files that define no spec under Node; specs that
 *   fail on both; specs defined for the cpu backend only (gated on backendName === 'cpu', not
 *   regressions); which native kernels served specs; then the regressions: specs that pass on
 *   cpu and fail, crash or never run on native (test file failed to load, run cut short), and
 *   suite-level (beforeAll/afterAll) errors seen on native only, grouped by the native kernels
 *   the spec reached, each with its test file and failure messages. The last line is
 *
 *   tfjs suite: cpu P passed / F failed; native P passed / F failed; regressions R
 *
 *   Exit code: 0 no regressions; 1 regressions; 2 the runner itself did not work (the cpu run
 *   did not complete, or a full native run never reached a native kernel).
 *
 * What is left out: nothing (see exclusions.ts). Browser-only suites (DOM, IndexedDB,
 * localStorage, web workers) are gated by tfjs itself and never defined under Node; the io
 * suites that do run under Node use spies, not the network.
 */
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXCLUDED_FILES, EXCLUDED_SPECS } from './exclusions.js';
import type { Failure, WorkerEvent } from './protocol.js';

type Backend = 'cpu' | 'native';
type SpecEvent = Extract<WorkerEvent, { kind: 'spec' }>;

/** The status of a spec during which the worker process died (not a jasmine status). */
const CRASHED = 'crashed';

/** A worker process that died inside a spec; the run resumed after that spec. */
interface Crash {
  /** The spec's key (see specKey). */
  spec: string;
  exit: string;
  logTail: string;
}

interface BackendRun {
  backend: Backend;
  /** Spec results by key (see specKey), in run order. */
  specs: Map<string, SpecEvent>;
  loadErrors: Map<string, string>;
  suiteErrors: Map<string, Failure[]>;
  crashes: Crash[];
  done: Extract<WorkerEvent, { kind: 'done' }> | null;
  fatal: string | null;
  /** Specs defined per test file (from the first process). */
  specsPerFile: Record<string, number> | null;
  /** What the native backend registered (native only). */
  native: { gemm: string; kernels: string[] } | null;
  /** Why the run stopped before the end of the suite, or null if it got there. */
  incomplete: string | null;
  processes: number;
  wallMs: number;
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A backend that crashes more often than this is not worth resuming further. */
const MAX_CRASHES = 20;

/** tfjs names a suite `<describe> <env name> <flags>`; the env is named after the backend. */
function specKey(fullName: string, backend: Backend): string {
  return fullName.split(` ${backend} {}`).join(' <backend> {}');
}

/**
 * Records a spec's result under its key. tfjs has specs with identical full names; the nth of
 * them is matched across backends (both runs define the specs in the same order).
 */
function addSpec(run: BackendRun, event: SpecEvent): string {
  const key = specKey(event.fullName, run.backend);
  let unique = key;
  for (let n = 2; run.specs.has(unique); n++) unique = `${key} (#${n})`;
  run.specs.set(unique, event);
  return unique;
}

interface Limits {
  /** Kill a worker whose events file has not grown for this long. */
  stallS: number;
  /** When the backend's whole run must end (epoch ms). */
  deadline: number;
}

interface WorkerExit {
  events: WorkerEvent[];
  exit: string;
  /** Killed at the deadline (not resumable), rather than for a stall or by a crash. */
  outOfTime: boolean;
  logPath: string;
}

/** Runs one worker process to its end and reads back its events. */
async function runWorkerOnce(
  backend: Backend,
  dir: string,
  attempt: number,
  filter: string,
  skipIds: string[],
  limits: Limits,
): Promise<WorkerExit> {
  const base = join(dir, `${backend}-${attempt}`);
  const skipPath = `${base}.skip.json`;
  writeFileSync(skipPath, JSON.stringify(skipIds));
  const log = createWriteStream(`${base}.log`);
  const args = ['--import', 'tsx', WORKER, backend, `${base}.jsonl`, filter, skipPath];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let killedFor: string | null = null;
  let outOfTime = false;
  let size = -1;
  let lastProgress = Date.now();
  const watchdog = setInterval(() => {
    const now = Date.now();
    const newSize = existsSync(`${base}.jsonl`) ? statSync(`${base}.jsonl`).size : 0;
    if (newSize !== size) [size, lastProgress] = [newSize, now];
    if (killedFor !== null) return;
    if (now > limits.deadline) {
      [killedFor, outOfTime] = ['killed: out of time for this backend', true];
    } else if (now - lastProgress > limits.stallS * 1000) {
      killedFor = `killed: no progress for ${limits.stallS} s`;
    }
    if (killedFor !== null) child.kill('SIGKILL');
  }, 1000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearInterval(watchdog);
  await new Promise<void>((resolve) => log.end(resolve));
  const events: WorkerEvent[] = [];
  const text = existsSync(`${base}.jsonl`) ? readFileSync(`${base}.jsonl`, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as WorkerEvent);
    } catch {
      // the last line of a process killed in mid-write
    }
  }
  const exit = killedFor ?? (signal ? `signal ${signal}` : `exit code ${code}`);
  return { events, exit, outOfTime, logPath: `${base}.log` };
}

function logTail(path: string, lines: number): string {
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs the whole suite on one backend. When the process dies inside a spec (a native kernel
 * that aborts or segfaults), that spec is recorded as a crash and a new process resumes with
 * the next one, so one bad kernel cannot hide the results of every spec after it.
 */
async function runBackend(
  backend: Backend,
  dir: string,
  filter: string,
  limits: Limits,
): Promise<BackendRun> {
  const started = Date.now();
  const run: BackendRun = {
    backend,
    specs: new Map(),
    loadErrors: new Map(),
    suiteErrors: new Map(),
    crashes: [],
    done: null,
    fatal: null,
    specsPerFile: null,
    native: null,
    incomplete: null,
    processes: 0,
    wallMs: 0,
  };
  const finishedIds = new Set<string>();
  const crashedIds: string[] = [];
  for (;;) {
    run.processes++;
    const once = await runWorkerOnce(
      backend,
      dir,
      run.processes,
      filter,
      [...finishedIds, ...crashedIds],
      limits,
    );
    let running: { id: string; file: string; fullName: string; kernels: string[] } | null = null;
    for (const event of once.events) {
      switch (event.kind) {
        case 'specStarted':
          running = { id: event.id, file: event.file, fullName: event.fullName, kernels: [] };
          break;
        case 'nativeKernel':
          running?.kernels.push(event.name);
          break;
        case 'spec':
          running = null;
          finishedIds.add(event.id);
          addSpec(run, event);
          break;
        case 'loadError':
          run.loadErrors.set(event.file, event.message);
          break;
        case 'suiteError':
          run.suiteErrors.set(specKey(event.fullName, backend), event.failures);
          break;
        case 'done':
          run.done = event;
          break;
        case 'fatal':
          run.fatal = event.message;
          break;
        case 'native':
          run.native = { gemm: event.gemm, kernels: event.kernels };
          break;
        case 'files':
          run.specsPerFile ??= event.specsPerFile;
          break;
      }
    }
    if (run.done || run.fatal) break;
    if (running === null) {
      run.incomplete = `process ended (${once.exit}) outside any spec:\n${logTail(once.logPath, 20)}`;
      break;
    }
    const spec = addSpec(run, {
      kind: 'spec',
      id: running.id,
      file: running.file,
      fullName: running.fullName,
      status: CRASHED,
      failures: [{ message: `the process died (${once.exit}) in this spec`, stack: '' }],
      durationMs: 0,
      nativeServed: [],
      nativeAttempted: running.kernels,
    });
    run.crashes.push({ spec, exit: once.exit, logTail: logTail(once.logPath, 12) });
    crashedIds.push(running.id);
    if (once.outOfTime) {
      run.incomplete = `out of time (--timeout-s) in "${running.fullName}"`;
      break;
    }
    if (run.crashes.length >= MAX_CRASHES) {
      run.incomplete = `stopped after ${MAX_CRASHES} crashes`;
      break;
    }
  }
  run.wallMs = Date.now() - started;
  return run;
}

interface Counts {
  run: number;
  passed: number;
  failed: number;
  /** Pending in tfjs itself (xit, pending()). */
  skipped: number;
  /** Left out by exclusions.ts or --filter. */
  excluded: number;
}

function counts(run: BackendRun): Counts {
  const c = { run: 0, passed: 0, failed: 0, skipped: 0, excluded: 0 };
  for (const spec of run.specs.values()) {
    if (spec.status === 'passed') c.passed++;
    else if (spec.status === 'failed' || spec.status === CRASHED) c.failed++;
    else if (spec.status === 'excluded') c.excluded++;
    else c.skipped++;
  }
  c.run = c.passed + c.failed;
  return c;
}

interface Regression {
  spec: string;
  /** The test file (relative to tfjs-core/dist), to rerun it with --filter. */
  file: string;
  why: string;
  failures: Failure[];
  group: string;
}

const NOT_RUN = '(native run did not complete)';

/** The native kernels a failing spec reached: those that served it, else those it entered. */
function kernelGroup(spec: SpecEvent): string {
  if (spec.status === CRASHED) {
    return `${spec.nativeAttempted.join(' + ') || 'no native kernel entered'}: process crashed`;
  }
  if (spec.nativeServed.length > 0) return spec.nativeServed.join(' + ');
  if (spec.nativeAttempted.length > 0)
    return `${spec.nativeAttempted.join(' + ')} (entered, no native result)`;
  return '(no native kernel reached: backend storage / memory / dispose path)';
}

function compare(cpu: BackendRun, native: BackendRun) {
  const regressions: Regression[] = [];
  const cpuOnly: string[] = [];
  const nativeOnlyLoadErrors = [...native.loadErrors.keys()].filter((f) => !cpu.loadErrors.has(f));
  for (const [key, c] of cpu.specs) {
    if (c.status !== 'passed') continue;
    const n = native.specs.get(key);
    if (n?.status === 'passed') continue;
    if (n !== undefined) {
      const why = n.status === 'failed' ? '' : `${n.status} on native`;
      regressions.push({ spec: key, file: n.file, why, failures: n.failures, group: kernelGroup(n) });
    } else if (native.incomplete !== null || native.fatal !== null) {
      // Not run on native, and the native run stopped early: it might have been.
      const reason = native.fatal ?? native.incomplete ?? '';
      const why = `not run: ${reason.split('\n')[0]}`;
      regressions.push({ spec: key, file: c.file, why, failures: [], group: NOT_RUN });
    } else if (nativeOnlyLoadErrors.length > 0) {
      regressions.push({
        spec: key,
        file: c.file,
        why: `not run: test files failed to load on native only (${nativeOnlyLoadErrors.join(', ')})`,
        failures: [],
        group: '(test file failed to load on native)',
      });
    } else {
      cpuOnly.push(key); // the native run completed and never defined it
    }
  }
  for (const [suite, failures] of native.suiteErrors) {
    if (!cpu.suiteErrors.has(suite)) {
      regressions.push({
        spec: `[suite] ${suite}`,
        file: '',
        why: 'suite-level error on native only',
        failures,
        group: '(suite setup/teardown)',
      });
    }
  }
  const nativeOnlyPasses = [...native.specs].filter(
    ([key, n]) => n.status === 'passed' && cpu.specs.get(key)?.status !== 'passed',
  );
  const bothFail = [...cpu.specs].filter(([key, c]) => {
    const n = native.specs.get(key);
    return (
      c.status !== 'passed' &&
      n !== undefined &&
      n.status === c.status &&
      c.status !== 'pending' &&
      c.status !== 'excluded'
    );
  });
  return { regressions, cpuOnly, nativeOnlyPasses, bothFail };
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function printFailures(failures: Failure[], stacks: boolean): void {
  for (const f of failures) {
    const message = f.message.length > 600 ? `${f.message.slice(0, 600)}…` : f.message;
    console.log(indent(message, '        '));
    if (stacks && f.stack) console.log(indent(f.stack, '          | '));
  }
}

function printRun(run: BackendRun, c: Counts): void {
  const processes = run.processes > 1 ? `, ${run.processes} processes` : '';
  console.log(
    `${run.backend.padEnd(6)}: ${c.run} specs run, ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped` +
      (c.excluded > 0 ? `, ${c.excluded} excluded` : '') +
      ` (${(run.wallMs / 1000).toFixed(1)} s${processes})`,
  );
  for (const [file, message] of run.loadErrors) {
    console.log(`        test file failed to load: ${file}: ${message.split('\n')[0]}`);
  }
  run.crashes.forEach((crash, i) => {
    console.log(`        process died (${crash.exit}) in: ${crash.spec}; resumed after it`);
    // The first crash's log says what happened; the others usually repeat it.
    if (i === 0 && crash.logTail.trim()) console.log(indent(crash.logTail, '          | '));
  });
  if (run.fatal) console.log(indent(`worker failed: ${run.fatal}`, '        '));
  if (run.incomplete) console.log(indent(`run incomplete: ${run.incomplete}`, '        '));
  for (const f of run.done?.globalFailures ?? []) console.log(`        global error: ${f.message}`);
  if (run.done?.incompleteReason) console.log(`        jasmine: incomplete: ${run.done.incompleteReason}`);
}

/**
 * Which native kernels the suite reached. Returns false when a complete, unfiltered native run
 * never had a native kernel serve a spec: the suite then did not exercise the engine at all,
 * and "no regressions" would mean nothing.
 */
function printNativeCoverage(native: BackendRun, filtered: boolean): boolean {
  if (!native.native) return true; // the worker failed before registering; reported above
  const served = new Map<string, number>();
  const entered = new Map<string, number>();
  for (const spec of native.specs.values()) {
    for (const k of spec.nativeServed) served.set(k, (served.get(k) ?? 0) + 1);
    for (const k of spec.nativeAttempted) entered.set(k, (entered.get(k) ?? 0) + 1);
  }
  const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} (${n})`).join(', ') || 'none';
  const unreached = native.native.kernels.filter((k) => !entered.has(k));
  console.log(`\nnative backend: gemm ${native.native.gemm}; ${native.native.kernels.length} native kernels`);
  console.log(`  served natively in (specs): ${list(served)}`);
  const fellBack = new Map([...entered].filter(([k]) => !served.has(k)));
  if (fellBack.size > 0) console.log(`  entered, never served natively: ${list(fellBack)}`);
  if (unreached.length > 0) console.log(`  not reached by any spec: ${unreached.join(', ')}`);
  const exercised = served.size > 0 || native.native.kernels.length === 0 || filtered || native.done === null;
  if (!exercised) console.log('  ERROR: no spec ran a native kernel: the suite did not exercise the engine');
  return exercised;
}

/** The test files loaded, and those that define no spec under Node (browser-only suites). */
function printFiles(cpu: BackendRun, native: BackendRun): void {
  if (!cpu.specsPerFile) return;
  const files = Object.keys(cpu.specsPerFile);
  const empty = files.filter((f) => cpu.specsPerFile?.[f] === 0);
  console.log(
    `\n${files.length} test files loaded; ${empty.length} define no spec under Node (tfjs gates them to`,
  );
  console.log(`browsers, web workers or other backends): ${empty.join(', ')}`);
  const differ = native.specsPerFile
    ? files.filter((f) => (native.specsPerFile?.[f] ?? 0) !== cpu.specsPerFile?.[f])
    : [];
  for (const f of differ) {
    console.log(`  ${f}: ${cpu.specsPerFile[f]} specs for cpu, ${native.specsPerFile?.[f] ?? 0} for native`);
  }
}

function printRegressions(regressions: Regression[], stacks: boolean): void {
  console.log(`\nregressions (pass on cpu, not on native): ${regressions.length}`);
  const groups = new Map<string, Regression[]>();
  for (const r of regressions) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  for (const [group, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`\n  [${group}] ${list.length}`);
    // Specs that never ran say nothing one by one: show a few.
    const shown = group === NOT_RUN ? list.slice(0, 5) : list;
    for (const r of shown) {
      console.log(`    ${r.spec}${r.file ? `  [${r.file}]` : ''}${r.why ? `  (${r.why})` : ''}`);
      printFailures(r.failures, stacks);
    }
    if (shown.length < list.length) console.log(`    … and ${list.length - shown.length} more`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      filter: { type: 'string', default: '' },
      stacks: { type: 'boolean', default: false },
      'stall-s': { type: 'string', default: '120' },
      'timeout-s': { type: 'string', default: '1800' },
      'keep-logs': { type: 'boolean', default: false },
    },
  });
  const started = Date.now();
  const limits = {
    stallS: Number(values['stall-s']),
    deadline: started + Number(values['timeout-s']) * 1000,
  };
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-suite-'));

  console.log('tfjs-core test suite (node_modules/@tensorflow/tfjs-core/dist/**/*_test.js), cpu vs native');
  if (values.filter) console.log(`only specs whose name contains "${values.filter}"`);
  console.log(`excluded files: ${EXCLUDED_FILES.length === 0 ? 'none' : ''}`);
  for (const e of EXCLUDED_FILES) console.log(`  ${e.file}: ${e.why}`);
  console.log(`excluded specs: ${EXCLUDED_SPECS.length === 0 ? 'none' : ''}`);
  for (const e of EXCLUDED_SPECS) console.log(`  "${e.contains}": ${e.why}`);

  const [cpu, native] = await Promise.all([
    runBackend('cpu', dir, values.filter, limits),
    runBackend('native', dir, values.filter, limits),
  ]);
  const cpuCounts = counts(cpu);
  const nativeCounts = counts(native);
  console.log('');
  printRun(cpu, cpuCounts);
  printRun(native, nativeCounts);
  printFiles(cpu, native);

  const { regressions, cpuOnly, nativeOnlyPasses, bothFail } = compare(cpu, native);
  if (bothFail.length > 0) {
    console.log(`\nfailing on both backends (${bothFail.length}; not regressions):`);
    for (const [key, c] of bothFail) {
      console.log(`  ${key}`);
      printFailures(c.failures.slice(0, 1), false);
    }
  }
  if (nativeOnlyPasses.length > 0) {
    console.log(`\npassing on native only (${nativeOnlyPasses.length}):`);
    for (const [key] of nativeOnlyPasses) console.log(`  ${key}`);
  }
  if (cpuOnly.length > 0) {
    console.log(
      `\ndefined for the cpu backend only, not run on native (${cpuOnly.length}; not regressions):`,
    );
    for (const key of cpuOnly) console.log(`  ${key}`);
  }
  const exercised = printNativeCoverage(native, values.filter !== '');
  printRegressions(regressions, values.stacks);

  const cpuComplete = cpu.done !== null;
  const keep = values['keep-logs'] || !cpuComplete || native.done === null || native.crashes.length > 0;
  if (keep) console.log(`\nworker logs and events kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  console.log(
    `\nwall time ${((Date.now() - started) / 1000).toFixed(1)} s (the two backends run in parallel)`,
  );
  console.log(
    `tfjs suite: cpu ${cpuCounts.passed} passed / ${cpuCounts.failed} failed; ` +
      `native ${nativeCounts.passed} passed / ${nativeCounts.failed} failed; regressions ${regressions.length}`,
  );
  if (!cpuComplete || !exercised) return 2;
  return regressions.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
