/**
 * Runs a validated config: builds the stream, then for each strategy a fresh seeded model
 * and optimizer, trains with the template, and writes the run folder:
 *   config.json   the resolved config (with the backend actually used)
 *   metrics.jsonl every event of every strategy, one per line
 *   environment.json backend, Node, OS, CPU and memory (no hostname)
 *   matrix-<strategy>.csv, results.json (matrix, baseline and summary per strategy)
 *   report.html, charts/*.svg, charts/*.png: the report, made from the files above
 * The folder is created only when training starts, so a bad config writes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../engine/tf.js';
import { initEngine, type EngineInfo } from '../engine/backend.js';
import { adam, sgd } from '../engine/optimizers/index.js';
import { ConfigError } from '../core/errors.js';
import { benchmarks } from '../benchmarks/benchmarks.js';
import type { Stream } from '../benchmarks/stream.js';
import { onlineStream } from '../benchmarks/online.js';
import { mlp, multiHeadMlp } from '../models/mlp.js';
import { fit } from '../strategies/template.js';
import { createStrategy } from '../strategies/registry.js';
import type { StrategyOptions } from '../strategies/strategy.js';
import { createMemorySampler, summarize, type RunSummary } from '../metrics/index.js';
import {
  combineLoggers,
  consoleLogger,
  jsonlLogger,
  writeMatrixCsv,
  writeResultsJson,
} from '../loggers/index.js';
import type { ConsoleStream, SummaryTableRow } from '../loggers/index.js';
import { formatSummaryTable } from '../loggers/index.js';
import { describeEnvironment, writeEnvironmentJson, writeRunReport } from '../loggers/index.js';
import type { RunConfig, StrategyConfig } from './config-schema.js';

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
  /** The run folder; default `<config.out>/<timestamp>-<config.name>`. */
  dir?: string;
}

function buildStream(config: RunConfig): Stream {
  const stream = buildOfflineStream(config);
  const { online } = config.benchmark;
  return online ? onlineStream(stream, { ...online, seed: config.seed }) : stream;
}

function buildOfflineStream(config: RunConfig): Stream {
  const { name, scenario, experiences, trainFraction, classOrder, pad } = config.benchmark;
  const common = { seed: config.seed, trainFraction, ...(experiences ? { experiences } : {}) };
  if (pad !== undefined && name !== 'permuted-mnist') {
    throw new ConfigError('benchmark.pad', `only permuted-mnist takes pad, got it for ${name}`);
  }
  if (name === 'split-mnist' || name === 'split-fashion-mnist') {
    return benchmarks
      .get(name)
      .build({ ...common, ...(scenario ? { scenario } : {}), ...(classOrder ? { classOrder } : {}) });
  }
  if (name === 'permuted-mnist') {
    return benchmarks.get(name).build({ ...common, ...(pad !== undefined ? { pad } : {}) });
  }
  return benchmarks.get(name).build(common);
}

function optimizerFactory(config: RunConfig, strategy: StrategyConfig): () => tf.Optimizer {
  const lr = strategy.lr ?? config.training.lr;
  const momentum = strategy.momentum ?? config.training.momentum;
  return (strategy.optimizer ?? config.training.optimizer) === 'adam'
    ? () =>
        adam({ learningRate: lr, ...(config.training.epsilon ? { epsilon: config.training.epsilon } : {}) })
    : () => sgd({ learningRate: lr, momentum });
}

const timestamp = () => new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');

export async function runExperiment(config: RunConfig, options: RunOptions = {}): Promise<RunResult> {
  const stdout = options.stdout ?? process.stdout;
  const engine = await initEngine(config.backend ? { backend: config.backend } : {});
  stdout.write(
    `unforget: ${config.name} on the ${engine.backend} backend${engine.gemm ? ` (GEMM ${engine.gemm})` : ''}\n`,
  );
  const stream = buildStream(config);
  const dir = options.dir ?? join(config.out, `${timestamp()}-${config.name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ...config, backend: engine.backend }, null, 2) + '\n',
  );
  writeEnvironmentJson(dir, describeEnvironment(engine));
  const events = jsonlLogger(join(dir, 'metrics.jsonl'));
  const summaries: RunResult['summaries'] = {};
  try {
    const modelOptions = {
      inputShape: stream.sampleShape,
      hiddenSizes: config.model.hiddenSizes,
      activation: config.model.activation,
      init: config.model.init,
      numClasses: stream.numClasses,
      seed: config.seed,
    };
    for (const strategyConfig of config.strategies) {
      const makeModel = () =>
        config.model.type === 'multi-head-mlp'
          ? multiHeadMlp({ ...modelOptions, heads: stream.experiences.length })
          : mlp(modelOptions);
      const {
        name,
        epochs: _e,
        batchSize: _b,
        optimizer: _o,
        lr: _l,
        momentum: _m,
        activeOutputs: ownOutputs,
        ...methodOptions
      } = strategyConfig;
      // GDumb trains only on its memory, with its own loop: the strategy's training overrides are its.
      const retraining = name.split('+').includes('gdumb')
        ? Object.fromEntries(
            Object.entries({
              epochs: strategyConfig.epochs,
              lr: strategyConfig.lr,
              batchSize: strategyConfig.batchSize,
              momentum: strategyConfig.momentum,
            }).filter(([, v]) => v !== undefined),
          )
        : {};
      const strategy = createStrategy(name, {
        seed: config.seed,
        ...methodOptions,
        ...retraining,
        copyModel: makeModel,
      } as StrategyOptions);
      const epochs = strategyConfig.epochs ?? config.training.epochs;
      const batchSize = strategyConfig.batchSize ?? config.training.batchSize;
      const { iterations, resetOptimizer, dropLast } = config.training;
      const activeOutputs = ownOutputs ?? config.training.activeOutputs;
      // With `iterations` an experience is ~iterations * batch / samples passes (for the progress bar).
      const passes = iterations
        ? Math.ceil((iterations * batchSize) / stream.experiences[0].train.y.length)
        : epochs;
      const model = makeModel();
      const logger = combineLoggers([consoleLogger({ stream: stdout, epochs: passes }), events]);
      const memory = createMemorySampler();
      memory.start();
      const run = fit({
        ...strategy,
        stream,
        model,
        optimizer: optimizerFactory(config, strategyConfig),
        epochs,
        ...(iterations ? { iterations } : {}),
        resetOptimizer,
        ...(dropLast !== undefined ? { dropLast } : {}),
        activeOutputs,
        batchSize,
        seed: config.seed,
        onEvent: (event) => logger.onEvent(event),
      });
      const peakRssBytes = memory.stop();
      model.dispose();
      const summary = { ...summarize(run), peakRssBytes };
      summaries[strategy.name] = summary;
      writeMatrixCsv(join(dir, `matrix-${strategy.name}.csv`), summary.matrix);
    }
  } finally {
    await events.close?.();
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
