/**
 * The simulated-assistant study: an assistant learns each user's like / neutral / dislike
 * preferences over Fashion-MNIST items from their feedback, through the real service
 * (`startService` on port 0, a temporary data folder), without forgetting.
 *
 *   npx tsx scripts/assistant-study.ts [--seeds 3] [--first-seed 1] [--configs fine-tune,unforget]
 *     [--users 12] [--join-every 30] [--tail 150] [--out results.json]
 *
 * A seeded population preference maps each of the 10 clothing classes to like, neutral or
 * dislike; each user agrees with it except on a few classes of their own. Users join one after
 * another; a user sends at the full rate while new (and for a while after changing their mind),
 * at a lower rate afterwards, so the newest users dominate the recent stream. A third of the
 * users change their label of some classes mid-stream. Each step one user sends a small batch:
 * the study first predicts the batch as that user (test-then-train: the per-user prequential
 * accuracy), then `learn`s it as that user and waits until the trainer has learnt it, so that a
 * run depends on the seed only, not on timing. At the end (and when each user stops being new)
 * it predicts held-out Fashion-MNIST test items as each user and without a user.
 * See docs/assistant-study.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { createRng, type Rng } from '../src/core/random.js';
import { loadFashionMnist } from '../src/data/fashion-mnist.js';
import type { DatasetSplit } from '../src/data/dataset.js';
import { UnforgetClient } from '../src/service/client.js';
import { parseServiceConfig } from '../src/service/service-config.js';
import { startService } from '../src/service/service.js';

export const LABELS = ['like', 'neutral', 'dislike'] as const;
const CLASSES = 10;
const PIXELS = 784;
const MODEL = 'prefs';
const ADMIN = 'assistant-study-admin';

export interface StudyOptions {
  readonly seed: number;
  readonly users: number;
  /** Steps between two users joining. */
  readonly joinEvery: number;
  /** Steps after the last user joined. */
  readonly tail: number;
  /** Steps a user sends at the full rate after joining (and after changing their mind). */
  readonly recentSteps: number;
  /** A user's rate, relative to a new one's, once they are no longer new. */
  readonly oldRate: number;
  /** Classes on which each user's label differs from the population's. */
  readonly deviating: number;
  /** Users who change their mind mid-stream. */
  readonly changers: number;
  /** Classes each of them relabels. */
  readonly changedClasses: number;
  readonly batchMin: number;
  readonly batchMax: number;
  /** Held-out test items per clothing class in each evaluation. */
  readonly evalPerClass: number;
  /** The shared model's SGD learning rate. */
  readonly lr: number;
  /** Overrides of the heads' options in every configuration that has heads (`--personal-lr`). */
  readonly personal: Readonly<Record<string, number>>;
}

export const DEFAULT_OPTIONS: StudyOptions = {
  seed: 1,
  users: 12,
  joinEvery: 30,
  tail: 150,
  recentSteps: 60,
  oldRate: 0.15,
  deviating: 3,
  changers: 4,
  changedClasses: 2,
  batchMin: 8,
  batchMax: 16,
  evalPerClass: 40,
  lr: 0.03,
  personal: {},
};

/** One served-model configuration the stream runs through. */
export interface StudyConfig {
  readonly name: string;
  readonly strategy: string | Readonly<Record<string, unknown>>;
  /** `personal` of serve.yaml beyond `enabled: true, default: shared`; false: no personal heads. */
  readonly personal: false | Readonly<Record<string, number>>;
}

/** The heads' learning rate, picked on seed 100 from 0.05 (the service's default), 0.2 and 0.5. */
export const HEAD_LR = 0.5;
const DERPP = { name: 'derpp', bufferSize: 500 };

export const CONFIGS: readonly StudyConfig[] = [
  { name: 'fine-tune', strategy: 'naive', personal: false },
  { name: 'replay', strategy: DERPP, personal: false },
  { name: 'unforget', strategy: DERPP, personal: { lr: HEAD_LR } },
  { name: 'naive+heads', strategy: 'naive', personal: { lr: HEAD_LR } },
  { name: 'unforget-default-heads', strategy: DERPP, personal: {} },
  { name: 'unforget-no-head-replay', strategy: DERPP, personal: { lr: HEAD_LR, replay: 0 } },
];

/** The learner every configuration shares, but for its strategy. */
const LEARNER = {
  model: { type: 'mlp', hiddenSizes: [100, 100] },
  sampleShape: [PIXELS],
  numClasses: 3,
  classNames: [...LABELS],
};
/** Every request is one micro-batch: learnt at once (no wait for a quiet log), never split. */
const MICRO_BATCH = 16;

export interface UserPlan {
  readonly id: string;
  readonly joinStep: number;
  /** Label (0-2) of each clothing class, as the user starts. */
  readonly initial: readonly number[];
  /** The step of their change of mind and their labels from then on; null for most users. */
  readonly change: { readonly step: number; readonly labels: readonly number[] } | null;
}

export interface Step {
  readonly user: number;
  /** Train-split indices of the items sent. */
  readonly items: readonly number[];
}

export interface Scenario {
  readonly options: StudyOptions;
  readonly population: readonly number[];
  readonly users: readonly UserPlan[];
  readonly steps: readonly Step[];
}

const pick = (rng: Rng, n: number, count: number) => Array.from(rng.permutation(n).slice(0, count));

/** The whole stream, from the seed alone: preferences, who joins and changes when, every batch. */
export function makeScenario(options: StudyOptions, trainSize: number): Scenario {
  const rng = createRng(options.seed * 7919 + 13);
  // Population: 4 classes get one label, 3 each of the other two.
  const counts = rng.shuffle([4, 3, 3]);
  const order = rng.permutation(CLASSES);
  const population = new Array<number>(CLASSES);
  let k = 0;
  counts.forEach((n, label) => {
    for (let i = 0; i < n; i++) population[order[k++]] = label;
  });
  const other = (label: number) => (label + 1 + rng.int(2)) % 3;
  const total = (options.users - 1) * options.joinEvery + options.tail;
  const changers = new Set(pick(rng, options.users, options.changers));
  const users: UserPlan[] = Array.from({ length: options.users }, (_, u) => {
    const initial = [...population];
    for (const c of pick(rng, CLASSES, options.deviating)) initial[c] = other(population[c]);
    const joinStep = u * options.joinEvery;
    let change: UserPlan['change'] = null;
    if (changers.has(u)) {
      const labels = [...initial];
      for (const c of pick(rng, CLASSES, options.changedClasses)) labels[c] = other(initial[c]);
      // Halfway between their first new period's end and the stream's end.
      const from = joinStep + options.recentSteps;
      const step = Math.floor((from + total - options.recentSteps / 2) / 2);
      change = { step: Math.min(total - 1, Math.max(joinStep + 1, step)), labels };
    }
    return { id: `user-${String(u + 1).padStart(2, '0')}`, joinStep, initial, change };
  });
  const steps: Step[] = [];
  for (let t = 0; t < total; t++) {
    const weights = users.map((p) => {
      if (p.joinStep > t) return 0;
      const fresh = t - p.joinStep < options.recentSteps;
      const correcting =
        p.change !== null && t >= p.change.step && t - p.change.step < options.recentSteps / 2;
      return fresh || correcting ? 1 : options.oldRate;
    });
    let r = rng.next() * weights.reduce((a, b) => a + b, 0);
    let user = weights.findIndex((w) => (r -= w) < 0);
    // Rounding can leave r at the total: the last user who has joined.
    while (user < 0 || weights[user] === 0) user = (user < 0 ? weights.length : user) - 1;
    const size = options.batchMin + rng.int(options.batchMax - options.batchMin + 1);
    steps.push({ user, items: Array.from({ length: size }, () => rng.int(trainSize)) });
  }
  return { options, population, users, steps };
}

/** A user's labels at step `t`. */
export const labelsAt = (plan: UserPlan, t: number): readonly number[] =>
  plan.change && t >= plan.change.step ? plan.change.labels : plan.initial;

/** Accuracy of `predicted` (labels) against `labels`, over the items whose class is in `classes`. */
function accuracyOn(
  predicted: readonly number[],
  itemClasses: readonly number[],
  labels: readonly number[],
  classes: readonly number[],
): number | null {
  let correct = 0;
  let total = 0;
  itemClasses.forEach((c, i) => {
    if (!classes.includes(c)) return;
    total += 1;
    if (predicted[i] === labels[c]) correct += 1;
  });
  return total === 0 ? null : correct / total;
}

export interface UserResult {
  readonly id: string;
  readonly joinStep: number;
  readonly changed: boolean;
  readonly sent: number;
  /** Test-then-train: the study's predictions as the user, just before each batch of theirs. */
  readonly prequential: number;
  /** The service's own count for the user (`GET .../users/:user`), where heads are on. */
  readonly servicePrequential: number | null;
  /** Held-out items, at the end: the user's current labels, all classes. */
  readonly current: number;
  /** ... on the classes where their current label differs from the population's. */
  readonly currentOwn: number | null;
  /** Changers: their earlier labels of the classes they relabelled (expected gone). */
  readonly earlier: number | null;
  /** Changers: their new labels of those classes. */
  readonly relabelled: number | null;
  /** Changers: the classes they did not relabel. */
  readonly unchanged: number | null;
  /** When they stopped being new (before any change of mind), their labels then: all, own classes. */
  readonly whenNew: number | null;
  readonly whenNewOwn: number | null;
}

export interface RunResult {
  readonly config: string;
  readonly seed: number;
  readonly users: readonly UserResult[];
  /** The shared model (no user) on the population preference, at the end. */
  readonly shared: number;
  readonly seconds: number;
  readonly examples: number;
}

const rounded = (x: Float32Array, offset: number): number[] =>
  Array.from(x.subarray(offset, offset + PIXELS), (v) => Math.round(v * 1e4) / 1e4);

/** Runs the scenario through a fresh service with `config`. */
export async function runStudy(
  scenario: Scenario,
  config: StudyConfig,
  data: DatasetSplit,
): Promise<RunResult> {
  const started = Date.now();
  const { options } = scenario;
  const root = mkdtempSync(join(tmpdir(), 'unforget-assistant-'));
  const serviceConfig = parseServiceConfig({
    port: 0,
    dataDir: join(root, 'data'),
    limits: { requestsPerSecond: 0 },
    models: [
      {
        name: MODEL,
        learner: {
          ...LEARNER,
          optimizer: { name: 'sgd', lr: options.lr },
          strategy: config.strategy,
          seed: options.seed,
        },
        microBatch: MICRO_BATCH,
        flushAfterMs: 0,
        snapshotEvery: 1_000_000,
        personal: config.personal
          ? { enabled: true, default: 'shared', ...config.personal, ...options.personal }
          : { enabled: false },
      },
    ],
  });
  if (options.batchMax > MICRO_BATCH) throw new Error(`batchMax: expected at most ${MICRO_BATCH}`);
  const service = await startService(serviceConfig, {
    adminToken: ADMIN,
    log: (line) => process.stderr.write(`service (${config.name}, seed ${options.seed}): ${line}\n`),
  });
  const admin = new UnforgetClient({ url: service.url, token: ADMIN });
  const train = data.train;
  const test = data.test;
  // Held-out items: the first evalPerClass of each class (the test split interleaves classes).
  const evalIndex = Array.from({ length: options.evalPerClass * CLASSES }, (_, i) => i);
  const evalInputs = evalIndex.map((i) => rounded(test.x, i * PIXELS));
  const evalClasses = evalIndex.map((i) => test.y[i]);
  const predictLabels = async (user: string | undefined, inputs: number[][]) =>
    (await admin.predict(MODEL, { ...(user ? { user } : {}), inputs })).predictions.map((p) =>
      LABELS.indexOf(p.label as (typeof LABELS)[number]),
    );
  const sent = new Array<number>(scenario.users.length).fill(0);
  const correct = new Array<number>(scenario.users.length).fill(0);
  const whenNew = new Map<number, { all: number | null; own: number | null }>();
  const ownClasses = (labels: readonly number[]) =>
    labels.flatMap((l, c) => (l !== scenario.population[c] ? [c] : []));
  const evaluateUser = async (u: number, labels: readonly number[]) => {
    const predicted = await predictLabels(scenario.users[u].id, evalInputs);
    const all = Array.from({ length: CLASSES }, (_, c) => c);
    return {
      predicted,
      all: accuracyOn(predicted, evalClasses, labels, all),
      own: accuracyOn(predicted, evalClasses, labels, ownClasses(labels)),
    };
  };
  // The model's counters from /metrics: the same numbers as GET /v1/models/:model, which also
  // computes historyAccuracy (a forward pass over up to 1000 logged examples) on every call.
  const counter = (text: string, name: string) =>
    Number(new RegExp(`^unforget_examples_${name}_total\\{model="${MODEL}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
  const pause = async (since: number) => {
    if (Date.now() - since > 60_000) throw new Error(`the trainer has not caught up after 60 s`);
    if (!(await admin.health()).ok) throw new Error('the trainer has stopped');
    await new Promise((resolve) => setTimeout(resolve, 2));
  };
  const waitLearnt = async (u: number) => {
    const since = Date.now();
    for (;;) {
      const text = await admin.metrics();
      const acknowledged = counter(text, 'acknowledged');
      if (!(acknowledged > 0)) throw new Error(`no acknowledged count in /metrics:\n${text}`);
      if (counter(text, 'learned') === acknowledged) break;
      await pause(since);
    }
    if (!config.personal) return;
    for (;;) {
      const user = await admin.user(MODEL, scenario.users[u].id);
      if (user.examplesLearned === sent[u]) break;
      await pause(since);
    }
  };
  try {
    for (const [t, step] of scenario.steps.entries()) {
      // A user's new period ends: how well they are served now.
      for (const [u, plan] of scenario.users.entries()) {
        if (plan.joinStep + options.recentSteps === t && (!plan.change || plan.change.step >= t)) {
          const { all, own } = await evaluateUser(u, plan.initial);
          whenNew.set(u, { all, own });
        }
      }
      const plan = scenario.users[step.user];
      const labels = labelsAt(plan, t);
      const inputs = step.items.map((i) => rounded(train.x, i * PIXELS));
      const truth = step.items.map((i) => labels[train.y[i]]);
      const predicted = await predictLabels(plan.id, inputs);
      correct[step.user] += predicted.filter((p, i) => p === truth[i]).length;
      sent[step.user] += inputs.length;
      await admin.learn(MODEL, {
        user: plan.id,
        examples: inputs.map((x, i) => ({ x, y: LABELS[truth[i]] })),
      });
      await waitLearnt(step.user);
    }
    const end = scenario.steps.length;
    const users: UserResult[] = [];
    for (const [u, plan] of scenario.users.entries()) {
      const labels = labelsAt(plan, end);
      const { predicted, all, own } = await evaluateUser(u, labels);
      const relabelled = plan.change
        ? plan.initial.flatMap((l, c) => (l !== plan.change!.labels[c] ? [c] : []))
        : [];
      const kept = Array.from({ length: CLASSES }, (_, c) => c).filter((c) => !relabelled.includes(c));
      const service = config.personal ? await admin.user(MODEL, plan.id) : null;
      users.push({
        id: plan.id,
        joinStep: plan.joinStep,
        changed: plan.change !== null,
        sent: sent[u],
        prequential: correct[u] / sent[u],
        servicePrequential: service?.prequentialAccuracy ?? null,
        current: all!,
        currentOwn: own,
        earlier: plan.change ? accuracyOn(predicted, evalClasses, plan.initial, relabelled) : null,
        relabelled: plan.change ? accuracyOn(predicted, evalClasses, labels, relabelled) : null,
        unchanged: plan.change ? accuracyOn(predicted, evalClasses, labels, kept) : null,
        whenNew: whenNew.get(u)?.all ?? null,
        whenNewOwn: whenNew.get(u)?.own ?? null,
      });
    }
    const sharedPredicted = await predictLabels(undefined, evalInputs);
    const shared = accuracyOn(
      sharedPredicted,
      evalClasses,
      scenario.population,
      Array.from({ length: CLASSES }, (_, c) => c),
    )!;
    const state = await admin.model(MODEL);
    if (state.examplesLearned !== state.examplesAcknowledged) {
      throw new Error(`learnt ${state.examplesLearned} of ${state.examplesAcknowledged} examples at the end`);
    }
    const examples = state.examplesLearned;
    return {
      config: config.name,
      seed: options.seed,
      users,
      shared,
      examples,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await service.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const mean = (xs: readonly (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};

/** A run's means over users: the measures the summary table shows. */
export function runMeans(run: RunResult, early: number) {
  const changers = run.users.filter((u) => u.changed);
  // Early users: the first `early` who kept their mind, measured when new and at the end.
  const earlyUsers = run.users.slice(0, early).filter((u) => !u.changed);
  return {
    prequential: mean(run.users.map((u) => u.prequential)),
    current: mean(run.users.map((u) => u.current)),
    currentOwn: mean(run.users.map((u) => u.currentOwn)),
    earlier: mean(changers.map((u) => u.earlier)),
    relabelled: mean(changers.map((u) => u.relabelled)),
    unchanged: mean(changers.map((u) => u.unchanged)),
    earlyWhenNew: mean(earlyUsers.map((u) => u.whenNew)),
    earlyEnd: mean(earlyUsers.map((u) => u.current)),
    earlyOwnWhenNew: mean(earlyUsers.map((u) => u.whenNewOwn)),
    earlyOwnEnd: mean(earlyUsers.map((u) => u.currentOwn)),
    shared: run.shared,
  };
}

type Measure = keyof ReturnType<typeof runMeans>;
/** The summary's two tables: how each user is served, and what is kept after joins and changes of mind. */
export const SERVING: readonly [Measure, string][] = [
  ['prequential', 'prequential (per user)'],
  ['current', 'end: current prefs'],
  ['currentOwn', "end: user's own classes"],
  ['shared', 'shared model (no user): population prefs'],
];
export const KEPT: readonly [Measure, string][] = [
  ['earlier', 'changers: earlier labels of changed classes'],
  ['relabelled', 'changers: new labels of changed classes'],
  ['unchanged', 'changers: unchanged classes'],
  ['earlyWhenNew', 'early users when new: all'],
  ['earlyEnd', 'early users at end: all'],
  ['earlyOwnWhenNew', 'early users when new: own classes'],
  ['earlyOwnEnd', 'early users at end: own classes'],
];

const pct = (x: number | null) => (x === null ? '–' : (100 * x).toFixed(1));

function cell(values: readonly (number | null)[]): string {
  const v = values.filter((x): x is number => x !== null);
  if (v.length === 0) return '–';
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length === 1) return pct(m);
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  return `${pct(m)} ± ${(100 * sd).toFixed(1)}`;
}

/** One row per configuration, each cell the mean over seeds (± sd over seeds) of the mean over users. */
export function summaryTable(
  runs: readonly RunResult[],
  early: number,
  columns: readonly [Measure, string][],
  seconds = false,
): string {
  const configs = [...new Set(runs.map((r) => r.config))];
  const lines = [
    `| configuration | ${columns.map(([, title]) => title).join(' | ')} |${seconds ? ' seconds per run |' : ''}`,
    `| --- | ${columns.map(() => '---').join(' | ')} |${seconds ? ' --- |' : ''}`,
  ];
  for (const name of configs) {
    const own = runs.filter((r) => r.config === name);
    const means = own.map((r) => runMeans(r, early));
    const time = seconds ? ` ${mean(own.map((r) => r.seconds))!.toFixed(0)} |` : '';
    lines.push(`| ${name} | ${columns.map(([key]) => cell(means.map((m) => m[key]))).join(' | ')} |${time}`);
  }
  return lines.join('\n');
}

/** One run's users, one row each. */
export function userTable(run: RunResult, scenario: Scenario): string {
  const name = (labels: readonly number[], classes: readonly number[]) =>
    classes.map((c) => `${c}:${LABELS[labels[c]]}`).join(' ');
  const lines = [
    '| user | joins at step | own classes (start) | changes | sent | prequential | service prequential | end: current | end: own | earlier labels | new labels | unchanged | when new | own when new |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  run.users.forEach((u, i) => {
    const plan = scenario.users[i];
    const own = plan.initial.flatMap((l, c) => (l !== scenario.population[c] ? [c] : []));
    const change = plan.change
      ? `step ${plan.change.step}: ${name(
          plan.change.labels,
          plan.initial.flatMap((l, c) => (l !== plan.change!.labels[c] ? [c] : [])),
        )}`
      : '';
    lines.push(
      `| ${u.id} | ${u.joinStep} | ${name(plan.initial, own)} | ${change} | ${u.sent} | ${pct(u.prequential)} | ${pct(u.servicePrequential)} | ${pct(u.current)} | ${pct(u.currentOwn)} | ${pct(u.earlier)} | ${pct(u.relabelled)} | ${pct(u.unchanged)} | ${pct(u.whenNew)} | ${pct(u.whenNewOwn)} |`,
    );
  });
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '1' },
      'first-seed': { type: 'string', default: '1' },
      configs: { type: 'string', default: CONFIGS.map((c) => c.name).join(',') },
      users: { type: 'string', default: String(DEFAULT_OPTIONS.users) },
      'join-every': { type: 'string', default: String(DEFAULT_OPTIONS.joinEvery) },
      tail: { type: 'string', default: String(DEFAULT_OPTIONS.tail) },
      lr: { type: 'string', default: String(DEFAULT_OPTIONS.lr) },
      'personal-lr': { type: 'string' },
      out: { type: 'string' },
    },
  });
  // The trainer is a child process and inherits this: one core for it, one for the server and the study.
  process.env.UNFORGET_THREADS ??= '1';
  const configs = values.configs.split(',').map((name) => {
    const found = CONFIGS.find((c) => c.name === name);
    if (!found)
      throw new Error(`--configs: expected some of ${CONFIGS.map((c) => c.name).join(', ')}, got "${name}"`);
    return found;
  });
  const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => Number(values['first-seed']) + i);
  const data = loadFashionMnist();
  const runs: RunResult[] = [];
  const scenarios = new Map<number, Scenario>();
  const began = Date.now();
  console.log(`UNFORGET_THREADS=${process.env.UNFORGET_THREADS}; seeds ${seeds.join(', ')}`);
  const base: StudyOptions = {
    ...DEFAULT_OPTIONS,
    users: Number(values.users),
    joinEvery: Number(values['join-every']),
    tail: Number(values.tail),
    lr: Number(values.lr),
    personal: values['personal-lr'] ? { lr: Number(values['personal-lr']) } : {},
  };
  for (const seed of seeds) {
    const options: StudyOptions = { ...base, seed };
    const scenario = makeScenario(options, data.train.y.length);
    scenarios.set(seed, scenario);
    const examples = scenario.steps.reduce((a, s) => a + s.items.length, 0);
    console.log(
      `seed ${seed}: ${scenario.steps.length} steps, ${examples} examples; population ${scenario.population.map((l) => LABELS[l]).join(' ')}`,
    );
    for (const config of configs) {
      const run = await runStudy(scenario, config, data);
      runs.push(run);
      const m = runMeans(run, Math.floor(options.users / 2));
      console.log(
        `  ${config.name}: ${run.seconds.toFixed(1)} s, prequential ${pct(m.prequential)}, end ${pct(m.current)}, own ${pct(m.currentOwn)}, shared ${pct(m.shared)}`,
      );
    }
  }
  const early = Math.floor(Number(values.users) / 2);
  console.log(`\n${summaryTable(runs, early, SERVING, true)}\n\n${summaryTable(runs, early, KEPT)}\n`);
  const main = runs.find((r) => r.config === 'unforget') ?? runs[0];
  console.log(
    `Users of ${main.config}, seed ${main.seed}:\n\n${userTable(main, scenarios.get(main.seed)!)}\n`,
  );
  console.log(`wall time ${((Date.now() - began) / 1000).toFixed(0)} s`);
  if (values.out) {
    const text = JSON.stringify({ seeds, options: base, configs, runs });
    writeFileSync(values.out, await format(text, { ...(await resolveConfig(values.out)), parser: 'json' }));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
