/**
 * Runs a validated config: builds the stream, then for each strategy a fresh seeded model
 * and optimizer, trains with the template, and writes the run folder:
 *   config.json   the resolved config (with the backend actually used)
 *   metrics.jsonl every event of every strategy, one per line (an online run's drift events too)
 *   environment.json backend, Node, OS, CPU and memory (no hostname)
 *   matrix-<strategy>.csv, results.json (matrix, baseline and summary per strategy)
 *   checkpoints/  the newest checkpoints (checkpoint/run-state.ts): `resumeExperiment(dir)` continues
 *                 a run that was killed or interrupted from the newest usable one
 *   tensorboard/<strategy>/events.out.tfevents.*  TensorBoard scalars (unless `tensorboard: false`)
 *   models/<strategy>/ each strategy's final model, loadable by `loadLearner` and plain tfjs
 *                 (checkpoint/learner-files.ts)
 *   classes.json  the class names of a file dataset's labels
 *   report.html, charts/*.svg, charts/*.png: the report, made from the files above
 * The folder is created only when training starts, so a bad config writes nothing.
 */
import { assertAugmentable } from '../data/augment.js';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../engine/tf.js';
import { initEngine, type EngineInfo } from '../engine/backend.js';
import { adam, sgd } from '../engine/optimizers/index.js';
import { ConfigError } from '../core/errors.js';
import { benchmarks } from '../benchmarks/benchmarks.js';
import type { Stream } from '../benchmarks/stream.js';
import { onlineStream } from '../benchmarks/online.js';
import { models } from '../models/registry.js';
import { fitAsync, RunInterrupted } from '../training/template.js';
import type { FitEnd } from '../training/fit-options.js';
import type { DriftWatchOptions } from '../training/drift-watch.js';
import { Learner, stateAfterFit } from '../training/learner.js';
import { assertCheckpointable } from '../training/checkpointable.js';
import type { Classifier } from '../models/classifier.js';
import type { TrainingEvent } from '../core/events.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { checkpointStore } from '../checkpoint/store.js';
import {
  configDigest,
  runCheckpointFromState,
  runCheckpointToState,
  type CompletedStrategy,
  type RunCheckpoint,
} from '../checkpoint/run-state.js';
import { parseRunConfig, splitStrategyEntry } from './config.js';
import { assertWritableFolder } from './writable.js';
import { createStrategy } from '../strategies/registry.js';
import { createMemorySampler, summarize, type RunSummary } from '../metrics/index.js';
import {
  combineLoggers,
  consoleLogger,
  jsonlLogger,
  tensorboardLogger,
  writeMatrixCsv,
  writeResultsJson,
} from '../loggers/index.js';
import type { ConsoleStream, SummaryTableRow } from '../loggers/index.js';
import { formatSummaryTable } from '../loggers/index.js';
import { describeEnvironment, writeEnvironmentJson, writeRunReport } from '../loggers/index.js';
import {
  DEFAULT_EPOCHS,
  type RunConfig,
  type StrategyConfig,
  type TrainingOverrides,
} from './config-schema.js';
import type { BenchmarkName, BenchmarkOptionsByName } from '../benchmarks/registry.js';

export interface RunResult {
  dir: string;
  engine: EngineInfo;
  /** The benchmark's name, as in the config. */
  benchmark: string;
  /** The stream's scenario (the benchmark's default where the config names none). */
  scenario: Stream['scenario'];
  summaries: Record<string, RunSummary & { peakRssBytes: number }>;
}

export interface RunOptions {
  /** Where progress and tables go (default process.stdout). */
  stdout?: ConsoleStream;
  /** Where warnings go (default process.stderr). */
  stderr?: ConsoleStream;
  /** The run folder; default `<config.out>/<timestamp>-<config.name>`. */
  dir?: string;
  /**
   * Asked between steps; true saves a checkpoint and stops the run with `RunStopped` (the CLI
   * asks on SIGINT). Only with checkpoints enabled.
   */
  stopRequested?: () => boolean;
}

/** The run stopped on request after saving a checkpoint; `dir` resumes it. */
export class RunStopped extends Error {
  constructor(
    readonly dir: string,
    readonly checkpointFile: string,
  ) {
    super(`stopped; checkpoint saved to ${checkpointFile}. Resume with: unforget run --resume ${dir}`);
    this.name = 'RunStopped';
  }
}

/** The config's benchmark from its registry, augmented and delivered online when the config says so. */
async function buildStream(config: RunConfig): Promise<Stream> {
  const { name, scenario, experiences, trainFraction, online, augment, ...own } = config.benchmark;
  const built = await benchmarks.get(name).build({
    seed: config.seed,
    trainFraction,
    ...(experiences ? { experiences } : {}),
    ...(scenario ? { scenario } : {}),
    ...own,
  } as BenchmarkOptionsByName[BenchmarkName]);
  if (augment) assertAugmentable(built.sampleShape, augment, 'benchmark.augment');
  const stream = augment ? { ...built, augment } : built;
  if (!online) return stream;
  const { batchSize, blurry } = online;
  return onlineStream(stream, { batchSize, blurry, seed: config.seed });
}

/**
 * An online run's drift detector on its prequential error (`benchmark.online.drift`; ADWIN with
 * its defaults when not given, as parseRunConfig fills it in); undefined offline or with `false`.
 */
function driftWatch(config: RunConfig): DriftWatchOptions | undefined {
  const online = config.benchmark.online;
  if (!online || online.drift === false) return undefined;
  return { detector: online.drift?.detector ?? 'adwin', options: online.drift?.options ?? {} };
}

function optimizerFactory(config: RunConfig, overrides: TrainingOverrides): () => tf.Optimizer {
  const lr = overrides.lr ?? config.training.lr;
  const momentum = overrides.momentum ?? config.training.momentum;
  return (overrides.optimizer ?? config.training.optimizer) === 'adam'
    ? () =>
        adam({ learningRate: lr, ...(config.training.epsilon ? { epsilon: config.training.epsilon } : {}) })
    : () => sgd({ learningRate: lr, momentum });
}

/** The strategy a config entry names, with its methods' options (training overrides set apart). */
function configuredStrategy(config: RunConfig, strategyConfig: StrategyConfig, makeModel: () => Classifier) {
  const { options } = splitStrategyEntry(strategyConfig);
  return createStrategy(strategyConfig.name, { seed: config.seed, ...options, copyModel: makeModel });
}

/** Refuses, before anything trains, a strategy whose state a checkpoint could not hold. */
function assertAllCheckpointable(config: RunConfig, makeModel: () => Classifier): void {
  config.strategies.forEach((strategyConfig, i) => {
    const strategy = configuredStrategy(config, strategyConfig, makeModel);
    try {
      assertCheckpointable(strategy.plugins);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(
        `strategies[${i}]`,
        `${error.message}; set checkpoint.enabled to false to run without checkpoints`,
      );
    } finally {
      strategy.plugins.forEach((p) => p.dispose?.());
    }
  });
}

/**
 * Saves a strategy's final model where the run keeps it (`<run>/models/<strategy>/`, the saved-model
 * layout of checkpoint/learner-files.ts): a learner made as the run made the strategy, its state
 * the fit's end, so that `loadLearner` and `unforget predict` answer as the run evaluated.
 */
async function saveTrainedModel(
  dir: string,
  run: {
    model: Classifier;
    end: FitEnd;
    stream: Stream;
    config: RunConfig;
    entry: StrategyConfig;
    makeModel: () => Classifier;
  },
): Promise<void> {
  const { model, end, stream, config, entry } = run;
  const { options, overrides } = splitStrategyEntry(entry);
  const description = {
    model: config.model,
    strategy: { name: entry.name, ...options },
    optimizer: {
      name: overrides.optimizer ?? config.training.optimizer,
      lr: overrides.lr ?? config.training.lr,
      momentum: overrides.momentum ?? config.training.momentum,
      ...(config.training.epsilon ? { epsilon: config.training.epsilon } : {}),
    },
    sampleShape: [...stream.sampleShape],
    numClasses: stream.numClasses,
    experiences: stream.experiences.length,
    activeOutputs: overrides.activeOutputs ?? config.training.activeOutputs,
    seed: config.seed,
    ...(stream.classNames ? { classNames: [...stream.classNames] } : {}),
  };
  const learner = new Learner({
    model,
    strategy: configuredStrategy(config, entry, run.makeModel),
    optimizer: optimizerFactory(config, overrides),
    sampleShape: stream.sampleShape,
    activeOutputs: description.activeOutputs,
    description,
    ...(stream.classNames ? { classNames: stream.classNames } : {}),
  });
  try {
    learner.restore(stateAfterFit(end, model, stream));
    await learner.save(dir);
  } finally {
    learner.dispose();
  }
}

/** Says so when an experience holds fewer training examples than one batch (e.g. a tiny trainFraction). */
function warnSmallExperiences(stream: Stream, config: RunConfig, stderr: ConsoleStream): void {
  const { batchSize } = config.training;
  for (const experience of stream.experiences) {
    const n = experience.train.y.length;
    if (n < batchSize) {
      stderr.write(
        `unforget: warning: experience ${experience.index} has ${n} training example${n === 1 ? '' : 's'}, fewer than one batch of ${batchSize} (benchmark.trainFraction ${config.benchmark.trainFraction})\n`,
      );
    }
  }
}

const timestamp = () => new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');

export async function runExperiment(config: RunConfig, options: RunOptions = {}): Promise<RunResult> {
  assertWritableFolder(options.dir ?? config.out, options.dir ? 'dir' : 'out');
  return execute(config, options, null);
}

/**
 * Continues the run in `dir` from its newest usable checkpoint: the config is the run's own
 * (`config.json`); newer checkpoints that are truncated, altered or from another config are
 * refused, with the reason printed, and an older one is used. Accuracies come out as in a run
 * that was never stopped.
 */
export async function resumeExperiment(dir: string, options: RunOptions = {}): Promise<RunResult> {
  const configFile = join(dir, 'config.json');
  if (!existsSync(configFile)) {
    throw new ConfigError('resume', `${dir} is not a run folder: it has no config.json`);
  }
  if (existsSync(join(dir, 'results.json'))) {
    throw new ConfigError('resume', `the run in ${dir} finished already (it has results.json)`);
  }
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      'resume',
      `${configFile} is not valid JSON (${(error as Error).message}); the run cannot be resumed`,
    );
  }
  const config = parseRunConfig(saved);
  assertWritableFolder(dir, 'resume');
  const digest = configDigest(config);
  const store = checkpointStore(join(dir, 'checkpoints'), { keep: config.checkpoint.keep });
  const { found, refused } = store.latest((state, file) => {
    const checkpoint = runCheckpointFromState(state, file);
    if (checkpoint.configDigest !== digest) {
      throw new ConfigError('resume', `${file} was saved by a run with another config`);
    }
  });
  const stdout = options.stdout ?? process.stdout;
  for (const r of refused) stdout.write(`unforget: refusing checkpoint ${r.reason}\n`);
  if (!found && store.files().length === 0) {
    // Killed before its first checkpoint: nothing to continue from, but the config is there.
    stdout.write(`unforget: ${dir} has no checkpoint yet; starting the run again from the beginning\n`);
    return execute(config, { ...options, dir }, null);
  }
  if (!found) {
    throw new ConfigError(
      'resume',
      `no usable checkpoint in ${store.dir}${refused.length ? ` (${refused.length} refused, see above)` : ''}`,
    );
  }
  stdout.write(`unforget: resuming from ${found.file}\n`);
  return execute(config, { ...options, dir }, runCheckpointFromState(found.state, found.file));
}

async function execute(
  config: RunConfig,
  options: RunOptions,
  resume: RunCheckpoint | null,
): Promise<RunResult> {
  const stdout = options.stdout ?? process.stdout;
  const engine = await initEngine(config.backend ? { backend: config.backend } : {});
  stdout.write(
    `unforget: ${config.name} on the ${engine.backend} backend${engine.gemm ? ` (GEMM ${engine.gemm})` : ''}\n`,
  );
  const stream = await buildStream(config);
  warnSmallExperiences(stream, config, options.stderr ?? process.stderr);
  const { type, ...modelOptions } = config.model;
  const model = models.get(type);
  const shape = {
    inputShape: stream.sampleShape,
    numClasses: stream.numClasses,
    experiences: stream.experiences.length,
    seed: config.seed,
  };
  // A model read from a file is read once; every copy starts from what was read.
  const prepared = await model.prepare?.(modelOptions, { baseDir: process.cwd() });
  const makeModel = () => model.build(modelOptions, shape, prepared);
  const checkpointed = config.checkpoint.enabled;
  if (checkpointed) assertAllCheckpointable(config, makeModel);
  const dir = options.dir ?? join(config.out, `${timestamp()}-${config.name}`);
  mkdirSync(dir, { recursive: true });
  // The config as config.json keeps it (with the backend used): a resume reads it back from there.
  const saved: RunConfig = { ...config, backend: engine.backend };
  if (!resume) writeFileAtomic(join(dir, 'config.json'), JSON.stringify(saved, null, 2) + '\n');
  const digest = configDigest(saved);
  const checkpoints = checkpointed
    ? checkpointStore(join(dir, 'checkpoints'), { keep: config.checkpoint.keep })
    : null;
  const completed: CompletedStrategy[] = resume ? [...resume.completed] : [];
  // metrics.jsonl as of the checkpoint: what a killed run wrote after it is dropped.
  const kept = resume ? [...completed.flatMap((c) => c.events), ...(resume.fit?.events ?? [])] : [];
  // An existing folder (a resume, or a restart of a run killed before its first checkpoint)
  // starts metrics.jsonl over from what is kept.
  if (options.dir) {
    writeFileAtomic(join(dir, 'metrics.jsonl'), kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
  writeEnvironmentJson(dir, describeEnvironment(engine));
  // A file dataset's labels as class ids: the mapping stays with the run (and its models).
  if (stream.classNames) {
    writeFileAtomic(
      join(dir, 'classes.json'),
      `${JSON.stringify({ classNames: stream.classNames }, null, 2)}\n`,
    );
  }
  const events = jsonlLogger(join(dir, 'metrics.jsonl'));
  // One TensorBoard logger for all strategies: each run-start opens that strategy's own file.
  // A resumed run continues the steps of the events before its checkpoint, in a new file.
  const board =
    config.tensorboard === false
      ? undefined
      : tensorboardLogger({ dir, ...(resume ? { history: kept } : {}) });
  const summaries: RunResult['summaries'] = {};
  for (const c of completed) summaries[c.name] = { ...summarize(c.events), peakRssBytes: c.peakRssBytes };
  let lastCheckpoint = '';
  try {
    for (const [index, strategyConfig] of config.strategies.entries()) {
      if (index < (resume?.completed.length ?? 0)) continue;
      const strategy = configuredStrategy(config, strategyConfig, makeModel);
      const { overrides } = splitStrategyEntry(strategyConfig);
      const epochs = overrides.epochs ?? config.training.epochs ?? DEFAULT_EPOCHS;
      const batchSize = overrides.batchSize ?? config.training.batchSize;
      const { iterations, resetOptimizer, dropLast } = config.training;
      const activeOutputs = overrides.activeOutputs ?? config.training.activeOutputs;
      // With `iterations` an experience is ~iterations * batch / samples passes (for the progress bar).
      const passes = iterations
        ? Math.ceil((iterations * batchSize) / stream.experiences[0].train.y.length)
        : epochs;
      const model = makeModel();
      const resumeFit = resume && index === resume.completed.length ? resume.fit : null;
      const logger = combineLoggers([
        // A resumed strategy's console logger learns what came before (its name, the baseline).
        consoleLogger({
          stream: stdout,
          epochs: passes,
          ...(resumeFit ? { history: resumeFit.events } : {}),
        }),
        events,
        ...(board ? [board] : []),
      ]);
      const memory = createMemorySampler();
      memory.start();
      const saveRun = (fit: RunCheckpoint['fit'], done: readonly CompletedStrategy[]) => {
        lastCheckpoint = checkpoints!.save(
          runCheckpointToState({ configDigest: digest, completed: done, fit }),
        );
      };
      // The resumed strategy's run-start is not emitted again: its TensorBoard file opens here.
      const runStart = resumeFit?.events.find((e) => e.type === 'run-start');
      if (runStart) board?.onEvent(runStart);
      const drift = driftWatch(config);
      let run: TrainingEvent[];
      let end: FitEnd | undefined;
      try {
        run = await fitAsync({
          ...strategy,
          stream,
          model,
          onFinish: (state) => (end = state),
          optimizer: optimizerFactory(config, overrides),
          epochs,
          ...(iterations ? { iterations } : {}),
          resetOptimizer,
          ...(dropLast !== undefined ? { dropLast } : {}),
          activeOutputs,
          batchSize,
          seed: config.seed,
          ...(drift ? { drift } : {}),
          onEvent: (event) => logger.onEvent(event),
          ...(checkpoints
            ? {
                checkpoint: {
                  everySteps: config.checkpoint.everySteps,
                  save: (checkpoint) => saveRun(checkpoint, completed),
                  ...(options.stopRequested ? { stopRequested: options.stopRequested } : {}),
                },
              }
            : {}),
          ...(resumeFit ? { resume: resumeFit } : {}),
        });
      } catch (error) {
        memory.stop();
        model.dispose();
        if (error instanceof RunInterrupted) throw new RunStopped(dir, lastCheckpoint);
        throw error;
      }
      const peakRssBytes = memory.stop();
      try {
        await saveTrainedModel(join(dir, 'models', strategy.name), {
          model,
          end: end!,
          stream,
          config,
          entry: strategyConfig,
          makeModel,
        });
      } finally {
        model.dispose();
      }
      const summary = { ...summarize(run), peakRssBytes };
      summaries[strategy.name] = summary;
      writeMatrixCsv(join(dir, `matrix-${strategy.name}.csv`), summary.matrix);
      completed.push({ name: strategy.name, events: run, peakRssBytes });
      // Between strategies: a resume starts the next one from scratch.
      if (checkpoints && index < config.strategies.length - 1) saveRun(null, completed);
    }
  } finally {
    try {
      await board?.close?.();
    } finally {
      await events.close?.();
    }
  }
  writeResultsJson(
    join(dir, 'results.json'),
    Object.fromEntries(
      Object.entries(summaries).map(([name, s]) => [
        name,
        { matrix: s.matrix, baseline: s.baseline, summary: s },
      ]),
    ),
  );
  // The results are safe on disk by now: a report that fails is a warning, not a failed run.
  try {
    const report = await writeRunReport(dir);
    for (const warning of report.warnings) stdout.write(`unforget: ${warning}\n`);
  } catch (error) {
    stdout.write(
      `unforget: report not written (${(error as Error).message}); retry: unforget report ${dir}\n`,
    );
  }
  const rows: SummaryTableRow[] = Object.entries(summaries).map(([strategy, s]) => ({ strategy, ...s }));
  stdout.write(`\n${formatSummaryTable(rows)}\n\nrun folder: ${dir}\n`);
  return { dir, engine, benchmark: config.benchmark.name, scenario: stream.scenario, summaries };
}
