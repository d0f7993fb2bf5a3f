/**
 * The loop every reproduction script runs: for each named config of a study folder, each seed and
 * each (wanted) strategy of the config, one run through the CLI's runner (`runExperiment`), unless
 * that (config, seed, method) is recorded already. Each finished run's records are merged into the
 * records file at once (records.ts), then the study's tables are rewritten from all of them, so
 * an interrupted study loses at most the run in progress.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadRunConfig } from '../../src/cli/config.js';
import { runExperiment, type RunResult } from '../../src/cli/run-experiment.js';
import type { RunConfig } from '../../src/cli/config-schema.js';
import { appendRecords, readJson } from './records.js';

/** What every record of a study has: which run it came from. */
export interface StudyRecord {
  config: string;
  seed: number;
  method: string;
}

export interface StudyOptions<R extends StudyRecord> {
  /** Folder of the study's configs: `examples/<folder>/<config>.yaml`. */
  folder: string;
  /** The configs the study knows. */
  known: readonly string[];
  /** The command line's choice, comma-separated: configs (a subset of `known`), seeds, methods (all when absent). */
  selection: { configs: string; seeds: string; methods?: string };
  runsFile: string;
  /** The run's config from the study's (e.g. fewer iterations for a smoke run). */
  adjust?: (config: RunConfig) => RunConfig;
  /** The records of one finished run. */
  record: (config: string, seed: number, result: RunResult) => R[];
  /** A one-line account of a finished run, for stderr. */
  describe: (fresh: R[]) => string;
  /** Rewrites the study's tables from every record so far. */
  publish: (records: R[]) => Promise<void>;
}

/** A run's records, one per strategy: `{ config, seed, method, ...fields(summary) }`. */
export const perStrategy = <F extends object>(
  config: string,
  seed: number,
  result: RunResult,
  fields: (summary: RunResult['summaries'][string]) => F,
) => Object.entries(result.summaries).map(([method, s]) => ({ config, seed, method, ...fields(s) }));

export async function runStudy<R extends StudyRecord>(options: StudyOptions<R>): Promise<void> {
  const quiet = { write: (_chunk: string) => true };
  let records = readJson<R[]>(options.runsFile, []);
  const seeds = options.selection.seeds.split(',').map(Number);
  const methods = options.selection.methods?.split(',');
  for (const name of options.selection.configs.split(',')) {
    if (!options.known.includes(name)) {
      throw new Error(`--configs: expected names among ${options.known.join(', ')}, got "${name}"`);
    }
    const base = loadRunConfig(join('examples', options.folder, `${name}.yaml`));
    const strategies = base.strategies.filter((s) => !methods || methods.includes(s.name));
    for (const seed of seeds) {
      for (const strategy of strategies) {
        if (records.some((r) => r.config === name && r.seed === seed && r.method === strategy.name)) {
          process.stderr.write(`${name} seed ${seed} ${strategy.name}: recorded already, skipped\n`);
          continue;
        }
        const study = { ...base, strategies: [strategy], seed, out: join(tmpdir(), 'unforget-repro-runs') };
        const config = options.adjust ? options.adjust(study) : study;
        const started = Date.now();
        const fresh = options.record(name, seed, await runExperiment(config, { stdout: quiet }));
        records = await appendRecords(options.runsFile, fresh, (r) => `${r.config}/${r.seed}/${r.method}`);
        await options.publish(records);
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        process.stderr.write(`${name} seed ${seed} (${seconds} s): ${options.describe(fresh)}\n`);
      }
    }
  }
  // Also when every run was recorded already: the tables are regenerated from the records.
  await options.publish(records);
}

/**
 * The command line every study script takes: `--configs` (all of `configs` by default),
 * `--seeds` (0,1,2), `--methods` (all), and the script's `extra` options.
 */
export function studyArguments<const O extends Options>(
  configs: readonly string[],
  extra: O,
): ReturnType<typeof parseArgs<{ options: ReturnType<typeof commonOptions> & O }>>['values'] {
  return parseArgs({ options: { ...commonOptions(configs), ...extra } }).values;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const commonOptions = (configs: readonly string[]) =>
  ({
    configs: { type: 'string', default: configs.join(',') },
    seeds: { type: 'string', default: '0,1,2' },
    methods: { type: 'string' },
  }) as const;

/** The options of a smoke run on part of the data: `--train-fraction x`, written under `--out-dir`. */
export const trainFractionOptions = {
  'train-fraction': { type: 'string' },
  'out-dir': { type: 'string' },
} as const;

/**
 * Where a study writes: under docs/, or for a smoke run (`smoke`) under `outDir` (default: a new
 * temp folder named after `tempPrefix`). `name` is the records file's, in `reproductions/`.
 */
export function studyPaths(name: string, smoke: boolean, outDir: string | undefined, tempPrefix: string) {
  const dir = outDir ?? (smoke ? mkdtempSync(join(tmpdir(), tempPrefix)) : 'docs');
  return {
    runsFile: join(dir, 'reproductions', `${name}.json`),
    resultsJson: join(dir, 'results.json'),
    resultsMd: join(dir, 'results.md'),
  };
}

/** `adjust` for a smoke run on part of the data (`--train-fraction x`); none without one. */
export const withTrainFraction = (fraction: string | undefined) =>
  fraction === undefined
    ? undefined
    : (config: RunConfig): RunConfig => ({
        ...config,
        benchmark: { ...config.benchmark, trainFraction: Number(fraction) },
      });
