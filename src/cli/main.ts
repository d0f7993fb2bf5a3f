#!/usr/bin/env node
/**
 * The `unforget` command line: `run` (a config file and/or flags), `list` (what can be named),
 * `engine` (which backend and how fast), `serve` (the online-learning service), `report` (a run folder's report, regenerated) and
 * `compare` (runs over seeds). It only composes: what can be named comes from the registries, and
 * a bad input exits with code 2 and a message naming the field or the file, before anything is
 * written.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError, DataFormatError } from '../core/errors.js';
import { benchmarks } from '../benchmarks/benchmarks.js';
import { strategies } from '../strategies/registry.js';
import { parseRunConfig } from './config.js';
import { listing, LIST_TOPICS } from './list.js';
import { configData, type RunFlags } from './run-flags.js';
import type { EvaluateFlags, PredictFlags } from './predict.js';
import { resumeExperiment, runExperiment, RunStopped } from './run-experiment.js';
import { assertWritableFolder } from './writable.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
// The defaults flags fall back to, from the config schema (the one source of them).
const defaults = parseRunConfig({});

const program = new Command('unforget')
  .description('Continual learning for TypeScript: train on a sequence of tasks without forgetting.')
  .version(version)
  .exitOverride()
  .showHelpAfterError();

program
  .command('run')
  .description('run a continual-learning experiment (default: Split-MNIST, Naive/Cumulative/Joint, MLP)')
  .option('-c, --config <file>', 'YAML or JSON config file (see examples/split-mnist.yaml)')
  .option('--name <name>', `run name; the run folder is <out>/<timestamp>-<name> (default ${defaults.name})`)
  .option('--benchmark <name>', `${benchmarks.names().join(', ')} (default ${defaults.benchmark.name})`)
  .option(
    '--strategies <list>',
    `comma-separated, each name[:key=value...], e.g. er:bufferSize=500 (default ${defaults.strategies.map((s) => s.name).join(',')}); names: ${strategies.names().join(', ')}`,
  )
  .option('--scenario <name>', 'class-il, task-il or domain-il, as the benchmark allows (default: its first)')
  .option('--epochs <n>', `epochs per experience (default ${defaults.training.epochs})`)
  .option('--iterations <n>', 'optimizer steps per experience, instead of --epochs')
  .option('--batch-size <n>', `mini-batch size (default ${defaults.training.batchSize})`)
  .option('--lr <x>', `learning rate (default ${defaults.training.lr})`)
  .option('--optimizer <name>', `sgd or adam (default ${defaults.training.optimizer})`)
  .option('--seed <n>', `seed: the same seed gives the same results (default ${defaults.seed})`)
  .option(
    '--train-fraction <x>',
    `fraction of the training data to use, in (0, 1] (default ${defaults.benchmark.trainFraction})`,
  )
  .option('--online <n>', 'deliver the stream online: batches of n examples seen once, no task boundaries')
  .option('--blurry <n>', 'with --online: examples mixed across each boundary (default 0)')
  .option(
    '--drift <name>',
    'with --online: the drift detector on the prequential error, adwin (default), page-hinkley or ddm; off: none',
  )
  .option(
    '--data <folder>',
    "the folder of the config's CIFAR files (benchmark.dataset.dir of a cifar10 or cifar100 dataset)",
  )
  .option('--backend <name>', 'native, cpu or wasm (default: native when built)')
  .option('--out <dir>', `folder for run folders (default ${defaults.out})`)
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
    if (config) assertWritableFolder(config.out, 'out');
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
  .description("list what a config can name, with each one's options, defaults and descriptions")
  .argument('[what]', LIST_TOPICS.join(', '))
  .action((what?: string) => {
    console.log(listing(what));
  });

program
  .command('predict')
  .description(
    "predict with a saved model (a run's models/<strategy>/ or a learner's save): class and probabilities",
  )
  .requiredOption('--model <dir>', 'the saved model folder')
  .requiredOption(
    '--input <file or folder>',
    'examples: .csv/.tsv, .jsonl/.json, .npy, an image or a folder of images',
  )
  .option('--out <file>', 'write the predictions there (default: print them)')
  .option('--format <format>', 'csv or jsonl (default: by --out, else csv)')
  .option('--task <id>', 'the task id, for a multi-head model')
  .option('--label <column>', "a table's label column, left out of the features")
  .action(async (flags: PredictFlags) => {
    const { predictCommand } = await import('./predict.js');
    console.log(await predictCommand(flags));
  });

program
  .command('evaluate')
  .description('accuracy and confusion matrix of a saved model on labelled examples')
  .requiredOption('--model <dir>', 'the saved model folder')
  .requiredOption(
    '--data <file or folder>',
    'labelled examples: a table with its label column, {x, y} records, class folders of images',
  )
  .option('--task <id>', 'the task id, for a multi-head model')
  .option('--label <column>', "a table's label column (default: the run's, else label)")
  .action(async (flags: EvaluateFlags) => {
    const { evaluateCommand } = await import('./predict.js');
    console.log(await evaluateCommand(flags));
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
    const { writeRunReport } = await import('../loggers/report/lazy.js');
    // A folder that is not there is the report's to name; one that is must be writable.
    assertWritableFolder(run, 'run');
    const written = await writeRunReport(run);
    for (const warning of written.warnings) console.error(`unforget: ${warning}`);
    console.log(`report: ${written.html} (${written.svgs.length} charts)`);
  });

program
  .command('compare')
  .description(
    'compare runs: mean ± std over seeds per benchmark, scenario, strategy and config, as a table and a report',
  )
  .argument('<runs...>', 'run folders, folders of run folders, or glob patterns (e.g. "runs/*-ewc")')
  .option(
    '--out <dir>',
    'folder for compare.html, compare.json and charts (default <runs folder>/compare-<timestamp>)',
  )
  .action(async (runs: string[], flags: { out?: string }) => {
    const { resolveRunFolders, commonParent } = await import('../loggers/report/run-paths.js');
    const { writeComparison } = await import('../loggers/report/lazy.js');
    const { formatComparisonTable } = await import('../loggers/report/compare-table.js');
    const { runs: dirs, unfinished } = resolveRunFolders(runs);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');
    const out = flags.out ?? `${commonParent(dirs)}/compare-${stamp}`;
    assertWritableFolder(out, 'out');
    for (const dir of unfinished) console.error(`unforget: left out ${dir}: unfinished (no results.json)`);
    const written = await writeComparison(dirs, out);
    for (const warning of written.warnings) console.error(`unforget: ${warning}`);
    console.log(`${formatComparisonTable(written.groups)}\n\nreport: ${written.html}`);
  });

program
  .command('serve')
  .description(
    'serve models over HTTP that learn from what users send, durable in a log (default: one MNIST-shaped model, DER++)',
  )
  .option('--config <file>', 'serve.yaml: models, limits, address, data folder')
  .option('--port <port>', 'the port to listen on (default 8080)')
  .option('--host <address>', 'the address to listen on (default 127.0.0.1)')
  .option('--data-dir <folder>', 'where the log, the snapshots and the tokens live (default ./unforget-data)')
  .action(async (flags: { config?: string; port?: string; host?: string; dataDir?: string }) => {
    const { serveCommand } = await import('./serve.js');
    await serveCommand(flags);
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
