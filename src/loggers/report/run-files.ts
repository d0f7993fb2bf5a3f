import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError } from '../../core/errors.js';
import type { TrainingEvent } from '../../core/events.js';
import { driftSummary, type DriftSummary } from '../../metrics/drift.js';
import type { RunEnvironment } from './environment.js';

/** One strategy of a run folder, as results.json and metrics.jsonl record it. */
export interface StrategyRun {
  /** The strategy's name, the key of results.json (e.g. `naive`, `ewc+lwf`). */
  readonly name: string;
  /** The stream's scenario, from the strategy's `run-start` event in metrics.jsonl. */
  readonly scenario?: string;
  /** `R[i][j]` = accuracy on experience j's test set after training on experience i. */
  readonly matrix: readonly (readonly number[])[];
  /** Accuracy of the untrained model per experience, when it was evaluated. */
  readonly baseline?: readonly number[];
  /** Headline numbers; NaN where results.json holds null (e.g. forgetting with one experience). */
  readonly acc: number;
  readonly forgetting: number;
  readonly bwt: number;
  readonly fwt: number;
  readonly wallSeconds: number;
  readonly trainSamplesPerSecond: number;
  /** An online run's drift detection, from its `drift-watch` and `drift` events; absent: none watched. */
  readonly drift?: DriftSummary;
}

/** What a finished run folder holds, read back from its files. */
export interface RunFiles {
  readonly dir: string;
  /** The resolved config as config.json holds it. */
  readonly config: Readonly<Record<string, unknown>>;
  /** `config.name`, `config.benchmark.name`, `config.seed`, `config.backend`, when present. */
  readonly name?: string;
  readonly benchmark: string;
  readonly seed?: number;
  readonly backend?: string;
  /** environment.json; absent for runs made before it was written. */
  readonly environment?: RunEnvironment;
  /** In the order results.json lists them (the order the run trained them). */
  readonly strategies: readonly StrategyRun[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new DataFormatError(file, 'missing: a finished run folder holds this file');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataFormatError(file, `not valid JSON (${(e as Error).message})`);
  }
}

/** results.json writes NaN as null; anything else that is not a number is a corrupt file. */
function metric(file: string, where: string, value: unknown): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value !== 'number')
    throw new DataFormatError(file, `${where}: expected a number, got ${JSON.stringify(value)}`);
  return value;
}

function numberRow(file: string, where: string, value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'number')) {
    throw new DataFormatError(file, `${where}: expected an array of numbers`);
  }
  return value as number[];
}

/**
 * Scenario per strategy from the `run-start` events, and the drift events of each (those after
 * its `run-start`); every line must be a JSON event.
 */
function readEvents(file: string): { scenarios: Map<string, string>; drift: Map<string, DriftSummary> } {
  if (!existsSync(file)) throw new DataFormatError(file, 'missing: a finished run folder holds this file');
  const scenarios = new Map<string, string>();
  const driftEvents = new Map<string, TrainingEvent[]>();
  let strategy: string | undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new DataFormatError(file, `line ${i + 1}: not valid JSON`);
    }
    if (!isRecord(event) || typeof event.type !== 'string') {
      throw new DataFormatError(file, `line ${i + 1}: expected an event object with a "type"`);
    }
    if (event.type === 'run-start' && typeof event.strategy === 'string' && isRecord(event.stream)) {
      scenarios.set(event.strategy, String(event.stream.scenario));
      strategy = event.strategy;
    }
    if (event.type === 'drift-watch' || event.type === 'drift') {
      const numbers = (value: unknown) => Array.isArray(value) && value.every((x) => typeof x === 'number');
      const fits =
        typeof event.detector === 'string' &&
        (event.type === 'drift-watch'
          ? numbers(event.boundaries) && isRecord(event.options)
          : numbers([event.sample, event.step, event.experience]));
      if (!fits) {
        const fields =
          event.type === 'drift-watch'
            ? 'detector, options, boundaries'
            : 'detector, sample, step, experience';
        throw new DataFormatError(file, `line ${i + 1}: expected a ${event.type} event { ${fields} }`);
      }
    }
    if ((event.type === 'drift-watch' || event.type === 'drift') && strategy !== undefined) {
      const list = driftEvents.get(strategy) ?? [];
      list.push(event as unknown as TrainingEvent);
      driftEvents.set(strategy, list);
    }
  });
  const drift = new Map<string, DriftSummary>();
  for (const [name, events] of driftEvents) {
    const summary = driftSummary(events);
    if (summary) drift.set(name, summary);
  }
  return { scenarios, drift };
}

function readStrategies(
  file: string,
  { scenarios, drift }: ReturnType<typeof readEvents>,
  fallbackScenario?: string,
): StrategyRun[] {
  const results = readJson(file);
  if (!isRecord(results) || Object.keys(results).length === 0) {
    throw new DataFormatError(file, 'expected an object with one entry per strategy');
  }
  return Object.entries(results).map(([name, entry]) => {
    if (!isRecord(entry) || !Array.isArray(entry.matrix) || !isRecord(entry.summary)) {
      throw new DataFormatError(file, `${name}: expected { matrix, baseline, summary }`);
    }
    const matrix = entry.matrix.map((row, i) => numberRow(file, `${name}.matrix[${i}]`, row));
    if (matrix.length === 0 || matrix.some((row) => row.length !== matrix.length)) {
      throw new DataFormatError(file, `${name}.matrix: expected a square, non-empty matrix`);
    }
    const s = entry.summary;
    const scenario = scenarios.get(name) ?? fallbackScenario;
    return {
      name,
      ...(scenario !== undefined ? { scenario } : {}),
      matrix,
      ...(Array.isArray(entry.baseline)
        ? { baseline: numberRow(file, `${name}.baseline`, entry.baseline) }
        : {}),
      acc: metric(file, `${name}.summary.acc`, s.acc),
      forgetting: metric(file, `${name}.summary.forgetting`, s.forgetting),
      bwt: metric(file, `${name}.summary.bwt`, s.bwt),
      fwt: metric(file, `${name}.summary.fwt`, s.fwt),
      wallSeconds: metric(file, `${name}.summary.wallSeconds`, s.wallSeconds),
      trainSamplesPerSecond: metric(file, `${name}.summary.trainSamplesPerSecond`, s.trainSamplesPerSecond),
      ...(drift.has(name) ? { drift: drift.get(name) } : {}),
    };
  });
}

/**
 * Reads a finished run folder: config.json, metrics.jsonl and results.json must be there and
 * parse; environment.json is optional (older runs lack it). Throws a DataFormatError naming the
 * folder or the file that is missing or corrupt, and what was expected.
 */
export function readRunFiles(dir: string): RunFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataFormatError(
      dir,
      'not a folder: expected a run folder (config.json, metrics.jsonl, results.json)',
    );
  }
  const configFile = join(dir, 'config.json');
  const config = readJson(configFile);
  if (!isRecord(config))
    throw new DataFormatError(configFile, 'expected a JSON object (the resolved config)');
  const benchmarkSection = isRecord(config.benchmark) ? config.benchmark : {};
  if (typeof benchmarkSection.name !== 'string') {
    throw new DataFormatError(configFile, 'benchmark.name: expected the benchmark the run trained on');
  }
  const configScenario =
    typeof benchmarkSection.scenario === 'string' ? benchmarkSection.scenario : undefined;
  const events = readEvents(join(dir, 'metrics.jsonl'));
  const strategies = readStrategies(join(dir, 'results.json'), events, configScenario);
  const environmentFile = join(dir, 'environment.json');
  let environment: RunEnvironment | undefined;
  if (existsSync(environmentFile)) {
    const data = readJson(environmentFile);
    const fields = {
      backend: 'string',
      node: 'string',
      os: 'string',
      osRelease: 'string',
      platform: 'string',
      arch: 'string',
      cpuModel: 'string',
      cpuCount: 'number',
      totalMemoryBytes: 'number',
    };
    if (!isRecord(data)) throw new DataFormatError(environmentFile, 'expected a JSON object');
    for (const [field, type] of Object.entries(fields)) {
      if (typeof data[field] !== type)
        throw new DataFormatError(environmentFile, `${field}: expected a ${type}`);
    }
    environment = data as unknown as RunEnvironment;
  }
  return {
    dir,
    config,
    ...(typeof config.name === 'string' ? { name: config.name } : {}),
    benchmark: benchmarkSection.name,
    ...(typeof config.seed === 'number' ? { seed: config.seed } : {}),
    ...(typeof config.backend === 'string' ? { backend: config.backend } : {}),
    ...(environment ? { environment } : {}),
    strategies,
  };
}
