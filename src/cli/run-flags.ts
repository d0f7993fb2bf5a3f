/**
 * `unforget run`'s flags laid over a config file's data, as plain data for the config's
 * validation (config.ts), so that a flag's bad value is reported as the config field it sets.
 * `--strategies er:bufferSize=500,derpp:bufferSize=500:alpha=0.1` is a comma-separated list of
 * entries, each a name (`+` combines methods) then `:key=value` pairs; a value is read as a YAML
 * scalar or flow sequence (`500`, `true`, `all`, `[1,0.5]`) and checked by the method's schema.
 */
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { schemaAt } from '../core/validation.js';
import { z } from 'zod';
import { strategies } from '../strategies/registry.js';
import { readConfigFile } from './config.js';

export interface RunFlags {
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
  drift?: string;
  backend?: string;
  out?: string;
  resume?: string;
  checkpointEvery?: string;
  data?: string;
}

/** A number from a flag, kept as the raw string when it is not one, so the schema reports it. */
const numberOrRaw = (value: string) =>
  value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;

type Section = Record<string, unknown>;

/** The config file's data (if any) with the flags laid over it. */
export function configData(flags: RunFlags): Section {
  const file = flags.config === undefined ? {} : readConfigFile(flags.config);
  if (file !== null && (typeof file !== 'object' || Array.isArray(file))) {
    throw new ConfigError('config', `${flags.config} holds no mapping of settings`);
  }
  const base: Section = { ...((file as Section | null) ?? {}) };
  const section = (key: string): Section => ({ ...((base[key] as Section | undefined) ?? {}) });
  if (flags.name !== undefined) base.name = flags.name;
  if (flags.seed !== undefined) base.seed = numberOrRaw(flags.seed);
  if (flags.backend !== undefined) base.backend = flags.backend;
  if (flags.out !== undefined) base.out = flags.out;
  const benchmark = section('benchmark');
  if (flags.benchmark !== undefined) benchmark.name = flags.benchmark;
  if (flags.scenario !== undefined) benchmark.scenario = flags.scenario;
  if (flags.trainFraction !== undefined) benchmark.trainFraction = numberOrRaw(flags.trainFraction);
  if (flags.online !== undefined || flags.blurry !== undefined || flags.drift !== undefined) {
    const online = { ...((benchmark.online as Section | undefined) ?? {}) };
    if (flags.online !== undefined) online.batchSize = numberOrRaw(flags.online);
    if (online.batchSize === undefined) {
      const [flag, what] =
        flags.blurry !== undefined
          ? ['--blurry', 'mixes examples across boundaries of an online stream']
          : ['--drift', 'watches the prequential error of an online stream'];
      throw new ConfigError(flag, `${what}: give --online <batch size> too`);
    }
    if (flags.blurry !== undefined) online.blurry = numberOrRaw(flags.blurry);
    if (flags.drift !== undefined) online.drift = driftFlag(online.drift, flags.drift);
    benchmark.online = online;
  }
  if (flags.data !== undefined) benchmark.dataset = datasetFolder(benchmark.dataset, flags.data);
  if (Object.keys(benchmark).length) base.benchmark = benchmark;
  const training = section('training');
  if (flags.epochs !== undefined) training.epochs = numberOrRaw(flags.epochs);
  if (flags.iterations !== undefined) training.iterations = numberOrRaw(flags.iterations);
  if (flags.batchSize !== undefined) training.batchSize = numberOrRaw(flags.batchSize);
  if (flags.lr !== undefined) training.lr = numberOrRaw(flags.lr);
  if (flags.optimizer !== undefined) training.optimizer = flags.optimizer;
  if (Object.keys(training).length) base.training = training;
  if (flags.strategies !== undefined) base.strategies = parseStrategiesFlag(flags.strategies);
  if (flags.checkpointEvery !== undefined) {
    base.checkpoint = { ...section('checkpoint'), everySteps: numberOrRaw(flags.checkpointEvery) };
  }
  return base;
}

/**
 * `benchmark.online.drift` as `--drift <name|off>` sets it: `off` is false, a name that detector
 * (with the file's options when the file names the same detector; the schema checks the name).
 */
function driftFlag(file: unknown, flag: string): false | Section {
  if (flag === 'off') return false;
  const same = typeof file === 'object' && file !== null && (file as Section).detector === flag;
  return same ? { ...(file as Section) } : { detector: flag };
}

/** The formats whose files a folder holds (`dataset.dir`), which `--data` sets. */
const FOLDER_FORMATS = ['cifar10', 'cifar100'];

/** `benchmark.dataset` with its folder set by `--data` (a path from the current folder). */
function datasetFolder(dataset: unknown, folder: string): Section {
  const format = (dataset as Section | undefined)?.format;
  if (typeof format !== 'string' || !FOLDER_FORMATS.includes(format)) {
    throw new ConfigError(
      '--data',
      `sets benchmark.dataset.dir, which a dataset of format ${FOLDER_FORMATS.join(' or ')} has; the config's dataset has ${typeof format === 'string' ? `format ${format}` : 'none'}`,
    );
  }
  return { ...(dataset as Section), dir: resolve(folder) };
}

/** Splits `text` at `separator`s outside brackets (a flow sequence's commas stay in its value). */
function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** `--strategies` as config entries: `[{ name: 'er', bufferSize: 500 }, ...]`. */
export function parseStrategiesFlag(text: string): Section[] {
  const field = '--strategies';
  const entries = splitOutside(text, ',').map((s) => s.trim());
  if (entries.every((e) => e === '')) {
    throw new ConfigError(
      field,
      `expected at least one strategy (e.g. naive,er:bufferSize=500), got ${JSON.stringify(text)}`,
    );
  }
  return entries.map((entry, i) => {
    const [name, ...pairs] = splitOutside(entry, ':').map((s) => s.trim());
    if (!name)
      throw new ConfigError(
        field,
        `entry ${i + 1} (${JSON.stringify(entry)}): expected a strategy name first`,
      );
    const out: Section = { name };
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      const key = pair.slice(0, eq).trim();
      if (eq < 1 || eq === pair.length - 1) {
        throw new ConfigError(
          field,
          `${name}: expected key=value after the name, got ${JSON.stringify(pair)}`,
        );
      }
      if (Object.hasOwn(out, key)) throw new ConfigError(field, `${name}: ${key} given twice`);
      out[key] = flagValue(name, key, pair.slice(eq + 1).trim(), `strategies[${i}] (${name}).${key}`);
    }
    return out;
  });
}

/** A flag's value as YAML reads it; options that are objects are set in a config file only. */
function flagValue(name: string, key: string, text: string, path: string): unknown {
  const objectOption = name.split('+').some((part) => {
    if (!strategies.has(part)) return false;
    let option = schemaAt(strategies.get(part).options, [key]);
    while (option instanceof z.ZodOptional || option instanceof z.ZodDefault)
      option = option.unwrap() as z.ZodType;
    return option instanceof z.ZodObject;
  });
  if (objectOption) {
    throw new ConfigError(
      path,
      'an option that is an object: set it in a config file (unforget list strategies shows its fields)',
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch {
    throw new ConfigError(path, `expected a YAML scalar or flow list, got ${JSON.stringify(text)}`);
  }
  if (value === null || (typeof value === 'object' && !Array.isArray(value))) {
    throw new ConfigError(
      path,
      `expected a number, true/false, a word or a [list], got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
