import type { TopLevelSpec } from 'vega-lite';
import type { StrategyRun } from './run-files.js';

/** One chart of a report: `id` names its files (`charts/<id>.svg`, `.png`). */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

/**
 * Fonts named first are the ones the PNG renderer finds on Debian (fonts-dejavu-core); browsers
 * fall through the list to a sans-serif they have.
 */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

const config = { font: CHART_FONT, background: 'white' } as const;
const pct = { format: '.0%' } as const;

/**
 * The x axis of a chart with a bar per strategy: names level while they fit under their bar
 * (about 6 px a character at 11 px), slanted when one does not, so long names never overlap.
 */
export function strategyAxis(names: readonly string[], step: number) {
  const fits = Math.max(0, ...names.map((n) => n.length)) * 6 <= step;
  return {
    field: 'strategy',
    type: 'nominal' as const,
    title: null,
    axis: fits ? { labelAngle: 0 } : { labelAngle: -35, labelAlign: 'right' as const },
  };
}

/** Strategy names become file names: keep letters, digits, `+`, `-`, `_` and `.`, nothing else. */
export const fileSafe = (name: string) => name.replace(/[^A-Za-z0-9+._-]/g, '-');

/**
 * Average accuracy after experience i over the experiences seen so far, `mean_{j<=i} R[i][j]`:
 * the curve continual-learning papers draw; its last point is ACC.
 */
export function seenAverage(matrix: readonly (readonly number[])[]): number[] {
  return matrix.map((row, i) => row.slice(0, i + 1).reduce((a, b) => a + b, 0) / (i + 1));
}

/** R as a heatmap, rows = after experience i, columns = experience j, the accuracy in each cell. */
export function heatmapChart(run: StrategyRun): ChartSpec {
  const values = run.matrix.flatMap((row, i) =>
    row.map((accuracy, j) => ({ after: i, experience: j, accuracy })),
  );
  const size = Math.max(160, 44 * run.matrix.length);
  return {
    id: `matrix-${fileSafe(run.name)}`,
    title: `Accuracy matrix: ${run.name}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: `Accuracy matrix: ${run.name}`,
        subtitle: 'accuracy on experience j after training on i',
      },
      data: { values },
      width: size,
      height: size,
      encoding: {
        x: { field: 'experience', type: 'ordinal', title: 'test experience j', axis: { labelAngle: 0 } },
        y: { field: 'after', type: 'ordinal', title: 'after training on experience i' },
      },
      layer: [
        {
          mark: 'rect',
          encoding: {
            color: {
              field: 'accuracy',
              type: 'quantitative',
              scale: { domain: [0, 1], scheme: 'viridis' },
              legend: { ...pct, title: 'accuracy' },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            text: { field: 'accuracy', type: 'quantitative', format: '.1%' },
            // Dark cells take white text, light cells black, so every number stays readable.
            color: { condition: { test: 'datum.accuracy < 0.6', value: 'white' }, value: 'black' },
          },
        },
      ],
      config,
    },
  };
}

/**
 * Accuracy on each experience j as training goes on: x = after experience i (from i = j, when j
 * has been trained on), one line per experience. Falling lines are forgetting.
 */
export function experienceCurvesChart(run: StrategyRun): ChartSpec {
  const values = run.matrix.flatMap((row, i) =>
    row.flatMap((accuracy, j) => (i >= j ? [{ after: i, experience: `exp ${j}`, accuracy }] : [])),
  );
  return accuracyLines(
    `curves-${fileSafe(run.name)}`,
    `Accuracy of each experience during training: ${run.name}`,
    `${run.name}: accuracy of each experience during training`,
    values,
    { field: 'experience', type: 'nominal', title: 'experience' },
  );
}

/** Average accuracy over the experiences seen so far after each experience, one line per strategy. */
export function averageAccuracyChart(runs: readonly StrategyRun[]): ChartSpec {
  const values = runs.flatMap((run) =>
    seenAverage(run.matrix).map((accuracy, i) => ({ strategy: run.name, after: i, accuracy })),
  );
  return accuracyLines(
    'average-accuracy',
    'Average accuracy after each experience',
    'Average accuracy on the experiences seen so far',
    values,
    { field: 'strategy', type: 'nominal' },
  );
}

/** Accuracy (y, 0-100%) after each experience (x), a line per value of `color`'s field. */
function accuracyLines(
  id: string,
  title: string,
  heading: string,
  values: readonly Record<string, string | number>[],
  color: Record<string, string>,
): ChartSpec {
  return {
    id,
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: heading,
      data: { values },
      width: 360,
      height: 220,
      mark: { type: 'line', point: true },
      encoding: {
        x: {
          field: 'after',
          type: 'ordinal',
          title: 'after training on experience',
          axis: { labelAngle: 0 },
        },
        y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, axis: pct },
        color,
      },
      config,
    },
  };
}

/** A bar per strategy for one or more named values (bars side by side within a strategy). */
function barChart(
  id: string,
  title: string,
  rows: readonly { strategy: string; measure: string; value: number }[],
  axis: { title: string; format: string },
): ChartSpec {
  // NaN (e.g. forgetting with one experience) has no bar; vega-lite would draw it at 0.
  const values = rows.filter((r) => Number.isFinite(r.value));
  const measures = new Set(rows.map((r) => r.measure)).size;
  const step = 28 * measures + 20;
  return {
    id,
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      data: { values },
      width: { step },
      height: 220,
      encoding: {
        x: strategyAxis(
          rows.map((r) => r.strategy),
          step,
        ),
        ...(measures > 1 ? { xOffset: { field: 'measure', type: 'nominal' } } : {}),
        // Padding keeps the value labels of the longest bars inside the chart.
        y: {
          field: 'value',
          type: 'quantitative',
          title: axis.title,
          axis: { format: axis.format },
          scale: { padding: 16 },
        },
        // One measure: the x axis names the strategies already, a legend would repeat it.
        color:
          measures > 1
            ? { field: 'measure', type: 'nominal', title: null }
            : { field: 'strategy', type: 'nominal', legend: null },
      },
      layer: [
        { mark: 'bar' },
        // The value above a positive bar and below a negative one, in black to read on any bar.
        ...[
          { test: 'datum.value >= 0', baseline: 'bottom' as const, dy: -3 },
          { test: 'datum.value < 0', baseline: 'top' as const, dy: 3 },
        ].map(({ test, baseline, dy }) => ({
          transform: [{ filter: test }],
          mark: { type: 'text' as const, baseline, dy, fontSize: 10, color: 'black' },
          encoding: { text: { field: 'value', type: 'quantitative' as const, format: axis.format } },
        })),
      ],
      config,
    },
  };
}

/** Average forgetting and BWT per strategy, bars side by side. */
export function forgettingChart(runs: readonly StrategyRun[]): ChartSpec {
  return barChart(
    'forgetting-bwt',
    'Forgetting and backward transfer (BWT)',
    runs.flatMap((r) => [
      { strategy: r.name, measure: 'forgetting', value: r.forgetting },
      { strategy: r.name, measure: 'BWT', value: r.bwt },
    ]),
    { title: 'fraction of accuracy', format: '.1%' },
  );
}

/** Wall time of the whole run per strategy. */
export function wallTimeChart(runs: readonly StrategyRun[]): ChartSpec {
  return barChart(
    'wall-time',
    'Wall time',
    runs.map((r) => ({ strategy: r.name, measure: 'seconds', value: r.wallSeconds })),
    { title: 'seconds', format: '.1f' },
  );
}

/** Training throughput per strategy (replayed samples count: they cost the same). */
export function throughputChart(runs: readonly StrategyRun[]): ChartSpec {
  return barChart(
    'samples-per-second',
    'Training samples per second',
    runs.map((r) => ({ strategy: r.name, measure: 'samples/s', value: r.trainSamplesPerSecond })),
    { title: 'training samples / s', format: '.0f' },
  );
}

/** Every chart of a run's report, in the order the page shows them. */
export function runCharts(runs: readonly StrategyRun[]): ChartSpec[] {
  return [
    averageAccuracyChart(runs),
    forgettingChart(runs),
    wallTimeChart(runs),
    throughputChart(runs),
    ...runs.flatMap((run) => [heatmapChart(run), experienceCurvesChart(run)]),
  ];
}
