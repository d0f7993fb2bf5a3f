import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  averageAccuracyChart,
  experienceCurvesChart,
  fileSafe,
  forgettingChart,
  heatmapChart,
  runCharts,
  seenAverage,
  strategyAxis,
  wallTimeChart,
} from './charts.js';
import { renderSvg } from './render.js';
import type { StrategyRun } from './run-files.js';

const MATRIX = [
  [0.9, 0.1, 0.1],
  [0.5, 0.8, 0.2],
  [0.3, 0.4, 0.7],
];
const naive: StrategyRun = {
  name: 'naive',
  scenario: 'class-il',
  matrix: MATRIX,
  acc: 0.4667,
  forgetting: 0.5,
  bwt: -0.5,
  fwt: 0.05,
  wallSeconds: 9,
  trainSamplesPerSecond: 200,
};
const single: StrategyRun = {
  ...naive,
  name: 'one/exp',
  matrix: [[0.6]],
  forgetting: Number.NaN,
  bwt: Number.NaN,
};

/** The text marks of an SVG (`<text ...>content</text>`), in document order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
/** The marks vega drew of one kind (`rect mark`, `line mark`, ...), by their ARIA role description. */
const marks = (svg: string, kind: string) => svg.split(`aria-roledescription="${kind}"`).length - 1;

describe('report charts', () => {
  it('seenAverage averages the experiences seen so far: mean_{j<=i} R[i][j]', () => {
    const [a, b, c] = seenAverage(MATRIX);
    assert.equal(a, 0.9);
    assert.ok(Math.abs(b - 0.65) < 1e-12 && Math.abs(c - 1.4 / 3) < 1e-12);
  });

  it('the heatmap has one cell per entry of R with its accuracy written in it', async () => {
    const svg = await renderSvg(heatmapChart(naive).spec);
    assert.equal(marks(svg, 'rect mark'), 9);
    const cells = texts(svg).filter((t) => t.endsWith('%') && t.includes('.'));
    assert.deepEqual(cells, [
      '90.0%',
      '10.0%',
      '10.0%',
      '50.0%',
      '80.0%',
      '20.0%',
      '30.0%',
      '40.0%',
      '70.0%',
    ]);
    assert.match(svg, /after training on experience i: 2; accuracy: 70%/);
  });

  it('curves start at the experience they follow; the average curve has one line per strategy', async () => {
    const curves = experienceCurvesChart(naive).spec as {
      data: { values: { after: number; experience: string }[] };
    };
    // 3 + 2 + 1 points: experience j appears from i = j on.
    assert.equal(curves.data.values.length, 6);
    assert.ok(curves.data.values.every((p) => p.after >= Number(p.experience.slice(4))));
    const svg = await renderSvg(averageAccuracyChart([naive, { ...naive, name: 'ewc' }]).spec);
    assert.equal(marks(svg, 'line mark'), 2);
    assert.ok(texts(svg).includes('ewc') && texts(svg).includes('naive'), 'legend names both strategies');
  });

  it('forgetting and BWT bars carry their values; NaN (one experience) gets no bar', async () => {
    const svg = await renderSvg(forgettingChart([naive, single]).spec);
    const labels = texts(svg);
    assert.ok(labels.includes('50.0%'), labels.join('|'));
    assert.ok(labels.includes('−50.0%'), 'vega writes a minus sign for negative BWT');
    // vega labels each bar "bar" (a lone mark kind) rather than "bar mark".
    assert.equal(marks(svg, 'bar'), 2, 'two bars for naive, none for the NaN values of one/exp');
  });

  it('slants strategy names only when one is wider than its bar', async () => {
    assert.deepEqual(strategyAxis(['naive', 'ewc'], 48).axis, { labelAngle: 0 });
    assert.deepEqual(strategyAxis(['naive', 'ewc+lwf+replay'], 48).axis, {
      labelAngle: -35,
      labelAlign: 'right',
    });
    const svg = await renderSvg(wallTimeChart([naive, { ...naive, name: 'ewc+lwf+replay' }]).spec);
    // vega writes -35 degrees as rotate(325).
    assert.match(svg, /rotate\(325\)[^>]*>ewc\+lwf\+replay<\/text>/);
  });

  it('names chart files safely, one heatmap and curve per strategy', () => {
    assert.equal(fileSafe('one/exp'), 'one-exp');
    assert.deepEqual(
      runCharts([naive, single]).map((c) => c.id),
      [
        'average-accuracy',
        'forgetting-bwt',
        'wall-time',
        'samples-per-second',
        'matrix-naive',
        'curves-naive',
        'matrix-one-exp',
        'curves-one-exp',
      ],
    );
  });
});
