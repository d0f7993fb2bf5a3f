/**
 * Reads and validates a run configuration from YAML or JSON. Every problem is reported with the
 * field's path, what was expected and what was given, e.g. `training.lr: expected a positive
 * number, got "abc"` or `strategies[1] (er).bufferSize: required (a positive integer)`; nothing is
 * written before the whole config is valid. The sections' shapes are in config-schema.ts; what a
 * named benchmark, model or strategy takes comes from its registry.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import {
  describeValue,
  didYouMean,
  schemaProblems,
  unknownMessage,
  type Problem,
} from '../core/validation.js';
import { benchmarks } from '../benchmarks/benchmarks.js';
import { models } from '../models/registry.js';
import { strategies } from '../strategies/registry.js';
import { driftDetectors } from '../drift/index.js';
import type { StrategyDefinition } from '../strategies/definition.js';
import {
  DEFAULT_EPOCHS,
  benchmarkSection,
  runConfigSchema,
  trainingOverrides,
  type RunConfig,
  type StrategyConfig,
  type TrainingOverrides,
} from './config-schema.js';

/** Validates plain data as a run config; throws a ConfigError listing every problem. */
export function parseRunConfig(data: unknown): RunConfig {
  const result = runConfigSchema.safeParse(data ?? {}, { reportInput: true });
  if (!result.success) throw problemsError(schemaProblems(runConfigSchema, result.error));
  const config = result.data as RunConfig;
  const problems = [
    ...benchmarkProblems(config.benchmark),
    ...driftProblems(config.benchmark),
    ...modelProblems(config),
    ...config.strategies.flatMap((entry, i) => strategyProblems(entry, `strategies[${i}]`)),
    ...crossFieldProblems(config),
  ];
  if (problems.length) throw problemsError(problems);
  if (config.training.iterations === undefined) config.training.epochs ??= DEFAULT_EPOCHS;
  return config;
}

/** One ConfigError naming the first problem's field, with every problem on its own line. */
function problemsError(problems: readonly Problem[]): ConfigError {
  const [first, ...rest] = problems;
  return new ConfigError(
    first?.path || 'config',
    [first?.message ?? 'invalid', ...rest.map((p) => `${p.path}: ${p.message}`)].join('\n'),
  );
}

const COMMON_BENCHMARK_KEYS = Object.keys(benchmarkSection.shape);

/** The benchmark's name, scenario and own options, checked against its registry entry. */
function benchmarkProblems(section: RunConfig['benchmark']): Problem[] {
  const names = benchmarks.names();
  if (!benchmarks.has(section.name)) {
    const what = `benchmark ${describeValue(section.name)}`;
    return [{ path: 'benchmark.name', message: unknownMessage(what, section.name, names) }];
  }
  const entry = benchmarks.get(section.name);
  const problems: Problem[] = [];
  if (section.scenario !== undefined && !entry.scenarios.includes(section.scenario)) {
    problems.push({
      path: 'benchmark.scenario',
      message: `${entry.name} runs as ${entry.scenarios.join(', ')}, got ${describeValue(section.scenario)}`,
    });
  }
  const own = Object.fromEntries(Object.entries(section).filter(([k]) => !COMMON_BENCHMARK_KEYS.includes(k)));
  const result = entry.options.safeParse(own, { reportInput: true });
  if (!result.success) {
    for (const p of schemaProblems(entry.options, result.error, 'benchmark')) {
      const key = p.path.slice('benchmark.'.length);
      const takers = names.filter((n) => Object.hasOwn(benchmarks.get(n).options.shape, key));
      // A key another benchmark takes is not a typo: say who takes it.
      problems.push(
        takers.length && !Object.hasOwn(entry.options.shape, key)
          ? { path: p.path, message: `${entry.name} does not take ${key} (${takers.join(', ')} does)` }
          : p,
      );
    }
  }
  return problems;
}

/**
 * An online stream's drift detector: its options checked against the detector's schema
 * (`benchmark.online.drift.options.delta`), and the resolved detector and options filled into
 * the config (ADWIN with its defaults when `drift` is not given), so config.json says what ran.
 */
function driftProblems(section: RunConfig['benchmark']): Problem[] {
  const online = section.online;
  if (!online || online.drift === false) return [];
  const { detector, options } = online.drift ?? { detector: 'adwin' as const, options: {} };
  const schema = driftDetectors.get(detector).options;
  const result = schema.safeParse(options, { reportInput: true });
  if (!result.success) return schemaProblems(schema, result.error, 'benchmark.online.drift.options');
  online.drift = { detector, options: result.data as Record<string, unknown> };
  return [];
}

/** The model's type and options, with the options' defaults filled into the config. */
function modelProblems(config: RunConfig): Problem[] {
  const { type, ...options } = config.model;
  if (!models.has(type)) {
    const what = `model ${describeValue(type)}`;
    return [{ path: 'model.type', message: unknownMessage(what, type, models.names()) }];
  }
  const definition = models.get(type);
  const result = definition.options.safeParse(options, { reportInput: true });
  if (!result.success) return schemaProblems(definition.options, result.error, 'model');
  config.model = { type, ...(result.data as Record<string, unknown>) };
  return [];
}

/**
 * A strategies entry's keys, sorted: each part's own options (a key goes to every part that
 * declares it), and the training overrides no part declares.
 */
export function splitStrategyEntry(entry: StrategyConfig): {
  parts: StrategyDefinition[];
  options: Record<string, unknown>;
  overrides: TrainingOverrides;
  unknown: string[];
} {
  const { name, ...rest } = entry;
  const parts = name.split('+').map((part) => strategies.get(part, 'name'));
  const declared = new Set(parts.flatMap((d) => Object.keys(d.options.shape)));
  const overrideKeys = Object.keys(trainingOverrides.shape);
  const options: Record<string, unknown> = {};
  const overrides: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(rest)) {
    if (declared.has(key)) options[key] = value;
    else if (overrideKeys.includes(key)) overrides[key] = value;
    else unknown.push(key);
  }
  return { parts, options, overrides: overrides as TrainingOverrides, unknown };
}

/** A strategies entry checked against the schemas of the methods it names. */
function strategyProblems(entry: StrategyConfig, at: string): Problem[] {
  const unknownParts = entry.name.split('+').filter((part) => !strategies.has(part));
  if (!entry.name || unknownParts.length) {
    const given = unknownParts[0] ?? entry.name;
    const what = `strategy ${describeValue(given)}`;
    return [{ path: `${at}.name`, message: unknownMessage(what, given, strategies.names()) }];
  }
  const { parts, options, overrides, unknown } = splitStrategyEntry(entry);
  const problems: Problem[] = [];
  const known = [
    ...new Set([
      ...parts.flatMap((d) => Object.keys(d.options.shape)),
      ...Object.keys(trainingOverrides.shape),
    ]),
  ];
  for (const key of unknown) {
    // A key another method takes is no typo: say which take it.
    const takers = strategies.entries().filter((d) => Object.hasOwn(d.options.shape, key));
    const message =
      takers.length && !didYouMean(key, known)
        ? `unknown option; ${takers.map((d) => d.name).join(', ')} ${takers.length === 1 ? 'takes' : 'take'} it`
        : unknownMessage('option', key, known);
    problems.push({ path: `${at} (${entry.name}).${key}`, message });
  }
  for (const part of parts) {
    const own = Object.fromEntries(
      Object.entries(options).filter(([k]) => Object.hasOwn(part.options.shape, k)),
    );
    problems.push(...validated(part.options, own, `${at} (${part.name})`));
  }
  problems.push(...validated(trainingOverrides, overrides, at));
  return problems;
}

function validated(schema: z.ZodType, value: unknown, prefix: string): Problem[] {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? [] : schemaProblems(schema, result.error, prefix);
}

/** What no single section can check: settings that exclude each other, or that a method cannot honour. */
function crossFieldProblems(config: RunConfig): Problem[] {
  const problems: Problem[] = [];
  const { training } = config;
  if (training.epochs !== undefined && training.iterations !== undefined) {
    problems.push({
      path: 'training.iterations',
      message: `give epochs or iterations, not both (got epochs ${describeValue(training.epochs)} and iterations ${describeValue(training.iterations)})`,
    });
  }
  if (config.benchmark.online) {
    config.strategies.forEach((entry, i) => {
      const bound = entry.name.split('+').filter((part) => !strategies.get(part).taskFree);
      if (bound.length) {
        problems.push({
          path: `strategies[${i}]`,
          message: `${bound.join(', ')} needs experience boundaries, which an online stream does not give (task-free: ${strategies
            .entries()
            .filter((d) => d.taskFree)
            .map((d) => d.name)
            .join(', ')})`,
        });
      }
    });
  }
  return problems;
}

/** Reads a YAML or JSON config file (JSON is YAML) and validates it. */
export function loadRunConfig(path: string): RunConfig {
  return parseRunConfig(readConfigFile(path));
}

/** A YAML or JSON config file's data, not yet validated (flags are laid over it first). */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('config', `cannot read ${path}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text) as unknown;
  } catch (e) {
    throw new ConfigError(
      'config',
      `${path} is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  // A file benchmark's paths are relative to the config file, wherever the command runs from.
  const benchmark = (data as { benchmark?: Record<string, unknown> } | null)?.benchmark;
  if (benchmark?.name === 'files' && benchmark.baseDir === undefined) {
    benchmark.baseDir = dirname(resolve(path));
  }
  const model = (data as { model?: Record<string, unknown> } | null)?.model;
  if (model?.type === 'layers' && typeof model.path === 'string') {
    model.path = resolve(dirname(resolve(path)), model.path);
  }
  return data;
}
