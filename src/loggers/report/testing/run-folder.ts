import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioName, TrainingEvent } from '../../../core/events.js';
import { summarize } from '../../../metrics/summary.js';
import { evaluation } from '../../../metrics/testing/evaluation-event.js';
import { writeResultsJson, type StrategyResult } from '../../results-json.js';
import { describeEnvironment, writeEnvironmentJson } from '../environment.js';

/** One strategy of a hand-made run: its accuracy matrix, and optionally baseline and wall time. */
export interface FakeStrategy {
  readonly name: string;
  readonly matrix: readonly (readonly number[])[];
  readonly baseline?: readonly number[];
  /** Wall time of the whole run (default 2 s); each experience trains 1 s on 200 samples. */
  readonly wallSeconds?: number;
  /** Options of its config entry besides the name. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** An online run's `drift-watch` and `drift` events, written after its baseline evaluation. */
  readonly drift?: readonly TrainingEvent[];
}

export interface FakeRun {
  readonly benchmark?: string;
  readonly scenario?: ScenarioName;
  readonly seed?: number;
  readonly strategies: readonly FakeStrategy[];
  /** More settings of its config.json (e.g. `training`). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** The events a strategy with accuracy matrix `matrix` would have emitted. */
export function fakeEvents(strategy: FakeStrategy, scenario: ScenarioName): TrainingEvent[] {
  const T = strategy.matrix.length;
  const events: TrainingEvent[] = [
    { type: 'run-start', strategy: strategy.name, stream: { numExperiences: T, scenario } },
    evaluation(-1, strategy.baseline ?? new Array<number>(T).fill(0.1)),
    ...(strategy.drift ?? []),
  ];
  strategy.matrix.forEach((row, e) => {
    events.push({ type: 'experience-start', experience: e, classes: [2 * e, 2 * e + 1] });
    events.push({ type: 'epoch-end', experience: e, epoch: 0, loss: 0.5, samples: 200, seconds: 1 });
    events.push({ type: 'experience-end', experience: e, seconds: 1, samples: 200 });
    events.push(evaluation(e, row));
  });
  events.push({ type: 'run-end', seconds: strategy.wallSeconds ?? 2 });
  return events;
}

/**
 * Test helper: writes a finished run folder as `unforget run` does (config.json, metrics.jsonl,
 * results.json from the events' summaries, environment.json) and returns `dir`.
 */
export function writeFakeRun(dir: string, run: FakeRun): string {
  const scenario = run.scenario ?? 'class-il';
  mkdirSync(dir, { recursive: true });
  const config = {
    name: 'fake',
    seed: run.seed ?? 0,
    benchmark: { name: run.benchmark ?? 'split-mnist', scenario },
    strategies: run.strategies.map((s) => ({ name: s.name, ...s.options })),
    backend: 'cpu',
    ...run.config,
  };
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const results: Record<string, StrategyResult> = {};
  const lines: string[] = [];
  for (const strategy of run.strategies) {
    const events = fakeEvents(strategy, scenario);
    lines.push(...events.map((e) => JSON.stringify(e)));
    const summary = summarize(events);
    results[strategy.name] = { matrix: summary.matrix, baseline: summary.baseline, summary };
  }
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  writeResultsJson(join(dir, 'results.json'), results);
  writeEnvironmentJson(dir, describeEnvironment({ backend: 'cpu' }));
  return dir;
}
