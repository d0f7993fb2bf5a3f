/**
 * The drift detectors on seeded synthetic streams with one known change: `npx tsx scripts/drift-study.ts`.
 * For each detector (at its defaults) and stream kind, 100 seeds of a stream of 2000 values that
 * changes at index 1000, and 100 seeds of a stream of 2000 that does not change; writes the
 * table into docs/drift.md between `<!-- drift-study:begin -->` and `<!-- drift-study:end -->`.
 * Takes well under a minute.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { createDriftDetector, type DriftDetector, type DriftDetectorName } from '../src/drift/index.js';
import { bernoulliStream, normalStream, vectorStream } from '../src/drift/testing/streams.js';

const DOC = 'docs/drift.md';
const BEGIN = '<!-- drift-study:begin -->';
const END = '<!-- drift-study:end -->';
const SEEDS = 100;
const LENGTH = 2000;
const CHANGE = 1000;
/** Seeds of the stationary streams: other than those of the streams with a change. */
const STATIONARY_SEED = 10_000;

type Value = number | Float64Array;

interface Scenario {
  readonly detector: DriftDetectorName;
  /** Options other than the defaults (the KS alpha rows). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** The stream, in words, for the table. */
  readonly stream: string;
  /** A stream of LENGTH values: with the change at CHANGE, or without (the first regime throughout). */
  make(seed: number, change: boolean): Value[];
}

const errors = (before: number, after: number) => (seed: number, change: boolean) =>
  bernoulliStream(
    seed,
    change
      ? [
          [before, CHANGE],
          [after, LENGTH - CHANGE],
        ]
      : [[before, LENGTH]],
  );
const normals = (after: number) => (seed: number, change: boolean) =>
  normalStream(
    seed,
    change
      ? [
          [0, CHANGE],
          [after, LENGTH - CHANGE],
        ]
      : [[0, LENGTH]],
  );
const ZEROS = [0, 0, 0, 0, 0];
const vectors = (after: readonly number[]) => (seed: number, change: boolean) =>
  vectorStream(
    seed,
    change
      ? [
          [ZEROS, CHANGE],
          [after, LENGTH - CHANGE],
        ]
      : [[ZEROS, LENGTH]],
  );

const ERRORS = '0/1 errors, rate 0.2 → 0.5';
const ALL = '5-d Normal, mean 0 → 0.5 in every feature';
const ONE = '5-d Normal, mean 0 → 1 in one feature';
const scenarios: Scenario[] = [
  { detector: 'adwin', stream: ERRORS, make: errors(0.2, 0.5) },
  { detector: 'page-hinkley', stream: ERRORS, make: errors(0.2, 0.5) },
  { detector: 'page-hinkley', stream: 'Normal(0, 1) → Normal(1, 1)', make: normals(1) },
  { detector: 'ddm', stream: ERRORS, make: errors(0.2, 0.5) },
  { detector: 'ks', stream: ALL, make: vectors([0.5, 0.5, 0.5, 0.5, 0.5]) },
  { detector: 'ks', stream: ONE, make: vectors([1, 0, 0, 0, 0]) },
  { detector: 'mmd', stream: ALL, make: vectors([0.5, 0.5, 0.5, 0.5, 0.5]) },
  { detector: 'mmd', stream: ONE, make: vectors([1, 0, 0, 0, 0]) },
];
/** KS at other levels than its default 0.001, on the shift it finds hardest. */
const ksLevels: Scenario[] = [0.005, 0.0001].map((alpha) => ({
  detector: 'ks',
  options: { alpha },
  stream: ALL,
  make: vectors([0.5, 0.5, 0.5, 0.5, 0.5]),
}));

/** The indices at which a fresh detector of `name` reports a drift on `values`. */
function driftsOn(scenario: Scenario, values: readonly Value[]): number[] {
  const detector = createDriftDetector(scenario.detector, scenario.options ?? {}) as DriftDetector<Value>;
  const drifts: number[] = [];
  values.forEach((value, i) => {
    detector.update(value);
    if (detector.driftDetected) drifts.push(i);
  });
  return drifts;
}

interface Result {
  readonly scenario: Scenario;
  /** Fraction of the streams with a drift at or after the change. */
  readonly detected: number;
  /** Delays of the first drift at or after the change: values after the change it had seen, 1 = the first. */
  readonly delays: number[];
  /** Drifts before the change, per 1000 values before it. */
  readonly falseAlarmsBefore: number;
  /** Drifts after the first one at or after the change, per stream. */
  readonly laterDrifts: number;
  /** Drifts on the streams without a change, per 1000 values. */
  readonly falseAlarmsStationary: number;
  /** Fraction of the streams without a change that had a drift. */
  readonly stationaryWithAlarm: number;
  readonly seconds: number;
}

function study(scenario: Scenario): Result {
  const start = performance.now();
  const delays: number[] = [];
  let before = 0;
  let later = 0;
  let stationary = 0;
  let stationaryStreams = 0;
  for (let seed = 0; seed < SEEDS; seed++) {
    const drifts = driftsOn(scenario, scenario.make(seed, true));
    const after = drifts.filter((i) => i >= CHANGE);
    before += drifts.length - after.length;
    if (after.length) {
      delays.push(after[0] - CHANGE + 1);
      later += after.length - 1;
    }
    const alarms = driftsOn(scenario, scenario.make(STATIONARY_SEED + seed, false)).length;
    stationary += alarms;
    if (alarms) stationaryStreams++;
  }
  return {
    scenario,
    detected: delays.length / SEEDS,
    delays,
    falseAlarmsBefore: (before / (SEEDS * CHANGE)) * 1000,
    laterDrifts: later / SEEDS,
    falseAlarmsStationary: (stationary / (SEEDS * LENGTH)) * 1000,
    stationaryWithAlarm: stationaryStreams / SEEDS,
    seconds: (performance.now() - start) / 1000,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
const percent = (x: number) => `${Math.round(x * 100)}%`;

function table(results: readonly Result[]): string[] {
  const rows = results.map((r) => {
    const d = r.delays;
    const options = Object.entries(r.scenario.options ?? {}).map(([k, v]) => `${k} ${String(v)}`);
    return [
      `\`${r.scenario.detector}\`${options.length ? ` (${options.join(', ')})` : ''}`,
      r.scenario.stream,
      percent(r.detected),
      d.length ? mean(d).toFixed(1) : '–',
      d.length ? String(median(d)) : '–',
      d.length ? `${Math.min(...d)}–${Math.max(...d)}` : '–',
      r.falseAlarmsBefore.toFixed(2),
      r.laterDrifts.toFixed(2),
      r.falseAlarmsStationary.toFixed(2),
      percent(r.stationaryWithAlarm),
      r.seconds.toFixed(1),
    ];
  });
  const header = [
    'detector',
    'stream (before → after the change)',
    'detected',
    'mean delay',
    'median delay',
    'delay range',
    'false alarms / 1000 (before the change)',
    'later drifts / stream',
    'false alarms / 1000 (no change)',
    'no-change streams with an alarm',
    'seconds',
  ];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

async function main(): Promise<void> {
  const run = (scenario: Scenario) => {
    const result = study(scenario);
    const name = `${scenario.detector}${scenario.options ? ` ${JSON.stringify(scenario.options)}` : ''}`;
    console.log(
      `${name.padEnd(13)} ${scenario.stream.padEnd(44)} detected ${percent(result.detected)}, ` +
        `median delay ${result.delays.length ? median(result.delays) : '–'}, ` +
        `false alarms ${result.falseAlarmsBefore.toFixed(2)} / ${result.falseAlarmsStationary.toFixed(2)} per 1000 ` +
        `(${result.seconds.toFixed(1)} s)`,
    );
    return result;
  };
  const results = scenarios.map(run);
  const levels = ksLevels.map(run);
  const date = new Date().toISOString().slice(0, 10);
  const block = [
    BEGIN,
    '',
    `Measured with \`npx tsx scripts/drift-study.ts\` on ${date} (Node ${process.version}), every detector`,
    `at its defaults. Each row: ${SEEDS} seeds (0–${SEEDS - 1}) of a stream of ${LENGTH} values that changes at`,
    `index ${CHANGE} (values 0–${CHANGE - 1} from the first regime, ${CHANGE}–${LENGTH - 1} from the second), and ${SEEDS}`,
    `seeds (${STATIONARY_SEED}–${STATIONARY_SEED + SEEDS - 1}) of a stream of ${LENGTH} values from the first regime only.`,
    '"0/1 errors" are Bernoulli draws (1 = a wrong prediction) at the rate given; the 5-d streams',
    'have independent Normal(mean, 1) features. A stream counts as detected when a drift is reported',
    `at index ${CHANGE} or later; the delay is the number of changed values the detector had taken when it`,
    'first did so (1 = at the first one). Drifts before the change are false alarms (the detector',
    'resets after each, so one stream can have several); "later drifts" are the further drifts',
    'reported after that first detection, on the second regime. "Seconds" is the time of the',
    `row's ${2 * SEEDS} streams on one core.`,
    '',
    ...table(results),
    '',
    "KS's level: the same streams at other values of `alpha` than its default 0.001 (the rows above).",
    '',
    ...table(levels),
    '',
    END,
  ].join('\n');
  const text = readFileSync(DOC, 'utf8');
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${DOC}: expected the markers ${BEGIN} and ${END}`);
  const updated = text.slice(0, from) + block + text.slice(to + END.length);
  const config = (await resolveConfig(DOC)) ?? {};
  writeFileSync(DOC, await format(updated, { ...config, filepath: DOC }));
  console.log(`wrote the table into ${DOC}`);
}

await main();
