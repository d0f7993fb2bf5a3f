#!/usr/bin/env node
/**
 * The `unforget` command line: `run` (a config file and/or flags), `list` (what can be named),
 * `engine` (which backend and how fast), `report` (a run folder's report, regenerated) and
 * `compare` (runs over seeds). Bad input exits with code 2 and a message naming the field or the
 * file, before anything is written.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, DataFormatError } from '../core/errors.js';
import { benchmarks } from '../benchmarks/benchmarks.js';
import { strategyRegistry } from '../strategies/registry.js';
import { loadRunConfig, parseRunConfig } from './config.js';
import { resumeExperiment, runExperiment, RunStopped } from './run-experiment.js';

interface RunFlags {
  config?: string;
  name?: string;
  benchmark?: string;
  strategies?: string;
  scenario?: string;
  epochs?: string;
  iterations?: string;
  batchSize?: string;
  lr?: string;
  optimizer?: string;
  seed?: string;
  trainFraction?: string;
  online?: string;
  blurry?: string;
  backend?: string;
  out?: string;
  resume?: string;
  checkpointEvery?: string;
}

/** A number from a flag, kept as the raw string when it is not one, so the schema reports it. */
const numberOrRaw = (value: string) =>
  value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;

/** Config file (if any) with the flags laid over it, as plain data for the schema. */
function configData(flags: RunFlags): Record<string, unknown> {
  const base = (flags.config ? { ...loadRunConfig(flags.config) } : {}) as Record<string, unknown>;
  const section = (key: string) => ({ ...((base[key] as Record<string, unknown> | undefined) ?? {}) });
  if (flags.name) base.name = flags.name;
  if (flags.seed !== undefined) base.seed = numberOrRaw(flags.seed);
  if (flags.backend) base.backend = flags.backend;
  if (flags.out) base.out = flags.out;
  const onlineFlags = flags.online !== undefined || flags.blurry !== undefined;
  if (flags.benchmark || flags.trainFraction !== undefined || flags.scenario || onlineFlags) {
    const benchmark = section('benchmark');
    if (flags.benchmark) benchmark.name = flags.benchmark;
    if (flags.scenario) benchmark.scenario = flags.scenario;
    if (flags.trainFraction !== undefined) benchmark.trainFraction = numberOrRaw(flags.trainFraction);
    if (onlineFlags) {
      const online = { ...((benchmark.online as Record<string, unknown> | undefined) ?? {}) };
      if (flags.online !== undefined) online.batchSize = numberOrRaw(flags.online);
      if (flags.blurry !== undefined) online.blurry = numberOrRaw(flags.blurry);
      benchmark.online = online;
    }
    if (!benchmark.name) benchmark.name = 'split-mnist';
    base.benchmark = benchmark;
  }
  const training = section('training');
  if (flags.epochs !== undefined) training.epochs = numberOrRaw(flags.epochs);
  if (flags.iterations !== undefined) training.iterations = numberOrRaw(flags.iterations);
  if (flags.batchSize !== undefined) training.batchSize = numberOrRaw(flags.batchSize);
  if (flags.lr !== undefined) training.lr = numberOrRaw(flags.lr);
  if (flags.optimizer) training.optimizer = flags.optimizer;
  if (Object.keys(training).length) base.training = training;
  if (flags.strategies) base.strategies = flags.strategies.split(',').map((name) => ({ name: name.trim() }));
  if (flags.checkpointEvery !== undefined) {
    base.checkpoint = { ...section('checkpoint'), everySteps: numberOrRaw(flags.checkpointEvery) };
  }
  return base;
}

const program = new Command('unforget')
  .description('Continual learning for TypeScript: train on a sequence of tasks without forgetting.')
  .exitOverride()
  .showHelpAfterError();

program
  .command('run')
  .description('run a continual-learning experiment (default: Split-MNIST, Naive/Cumulative/Joint, MLP)')
  .option('-c, --config <file>', 'YAML or JSON config file (see examples/split-mnist.yaml)')
  .option('--name <name>', 'run name (the run folder is <out>/<timestamp>-<name>)')
  .option('--benchmark <name>', `benchmark: ${benchmarks.names().join(', ')}`)
  .option('--strategies <list>', `comma-separated strategies: ${Object.keys(strategyRegistry).join(', ')}`)
  .option('--scenario <name>', 'split benchmarks: class-il, task-il or domain-il')
  .option('--epochs <n>', 'epochs per experience')
  .option('--iterations <n>', 'optimizer steps per experience (instead of epochs)')
  .option('--batch-size <n>', 'mini-batch size')
  .option('--lr <x>', 'learning rate')
  .option('--optimizer <name>', 'sgd or adam')
  .option('--seed <n>', 'seed: the same seed gives the same results')
  .option('--train-fraction <x>', 'fraction of the training data to use, in (0, 1]')
  .option('--online <n>', 'deliver the stream online: batches of n examples seen once, no task boundaries')
  .option('--blurry <n>', 'online streams: examples mixed across each boundary (default 0)')
  .option('--backend <name>', 'native, cpu or wasm (default: native when built)')
  .option('--out <dir>', 'folder for run folders (default runs)')
  .option(
    '--checkpoint-every <n>',
    'also checkpoint every n optimizer steps (default: after each experience only)',
  )
  .option(
    '--resume <run folder>',
    "continue a stopped or killed run from its newest checkpoint, with the run's own config",
  )
  .action(async (flags: RunFlags) => {
    if (flags.resume !== undefined) {
      const others = Object.keys(flags).filter((key) => key !== 'resume');
      if (others.length) {
        throw new ConfigError(
          'resume',
          `a resumed run keeps its own config; drop ${others.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
        );
      }
    }
    const config = flags.resume === undefined ? parseRunConfig(configData(flags)) : undefined;
    // SIGINT (Ctrl-C) asks for a checkpoint at the next step and a clean exit; a second one quits at once.
    let stop = false;
    const onInterrupt = () => {
      if (stop) process.exit(130);
      stop = true;
      process.stderr.write(
        '\nunforget: interrupted, saving a checkpoint (Ctrl-C again to quit without one)\n',
      );
    };
    // Without checkpoints nothing would ask for the flag: Ctrl-C then keeps its default (quit).
    const checkpointed = !config || config.checkpoint.enabled;
    if (checkpointed) process.on('SIGINT', onInterrupt);
    try {
      const options = { stopRequested: () => stop };
      if (config) await runExperiment(config, options);
      else await resumeExperiment(flags.resume!, options);
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  });

program
  .command('list')
  .description('list the registered benchmarks, models and strategies')
  .action(() => {
    console.log('benchmarks:');
    for (const name of benchmarks.names())
      console.log(`  ${name.padEnd(22)}${benchmarks.get(name).description}`);
    console.log('models:\n  mlp                   multi-layer perceptron (hiddenSizes, activation)');
    console.log('  multi-head-mlp        shared MLP trunk, one output head per task (task-IL)');
    console.log(
      `strategies:\n${Object.keys(strategyRegistry)
        .map((s) => `  ${s}`)
        .join('\n')}`,
    );
  });

program
  .command('engine')
  .description('show the backend unforget trains on and time a few training steps')
  .action(async () => {
    const { initEngine } = await import('../engine/backend.js');
    const { measureTrainingSpeed } = await import('./speed-check.js');
    const info = await initEngine();
    console.log(`backend ${info.backend}${info.gemm ? ` (GEMM ${info.gemm})` : ''}`);
    const speed = measureTrainingSpeed({ hidden: 256, batchSize: 32, steps: 200 });
    console.log(`MLP 784-256-256-10, batch 32: ${Math.round(speed.samplesPerSecond)} training samples/s`);
  });

program
  .command('report')
  .description("(re)generate a run folder's report.html and charts/*.svg, *.png from its files")
  .argument('<run>', 'a run folder (holds config.json, metrics.jsonl, results.json)')
  .action(async (run: string) => {
    const { writeRunReport } = await import('../loggers/report/write-report.js');
    const written = await writeRunReport(run);
    for (const warning of written.warnings) console.error(`unforget: ${warning}`);
    console.log(`report: ${written.html} (${written.svgs.length} charts)`);
  });

program
  .command('compare')
  .description(
    'compare runs: mean ± std over seeds per benchmark, scenario and strategy, as a table and a report',
  )
  .argument('<runs...>', 'run folders, folders of run folders, or glob patterns (e.g. "runs/*-ewc")')
  .option('--out <dir>', 'folder for compare.html, compare.json and charts (default ./compare-<timestamp>)')
  .action(async (runs: string[], flags: { out?: string }) => {
    const { resolveRunFolders } = await import('../loggers/report/run-paths.js');
    const { writeComparison } = await import('../loggers/report/write-comparison.js');
    const { formatComparisonTable } = await import('../loggers/report/compare-table.js');
    const { runs: dirs, unfinished } = resolveRunFolders(runs);
    for (const dir of unfinished) console.error(`unforget: left out ${dir}: unfinished (no results.json)`);
    const out = flags.out ?? `compare-${new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '')}`;
    const written = await writeComparison(dirs, out);
    for (const warning of written.warnings) console.error(`unforget: ${warning}`);
    console.log(`${formatComparisonTable(written.groups)}\n\nreport: ${written.html}`);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof RunStopped) {
    console.error(`unforget: ${e.message}`);
    process.exit(130);
  }
  if (e instanceof ConfigError || e instanceof DataFormatError) {
    console.error(`unforget: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
