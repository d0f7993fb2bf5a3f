import { CHART_FONT, fileSafe, type ChartSpec } from './charts.js';
import { COMPARED_METRICS, type ComparisonGroup } from './compare.js';

/**
 * One chart per metric and (benchmark, scenario): a bar per strategy at the mean over seeds, an
 * error bar of ± one sample standard deviation (none for a single run), the mean written above.
 */
export function comparisonCharts(group: ComparisonGroup): ChartSpec[] {
  return COMPARED_METRICS.map(({ key, label, better }) => {
    const values = group.strategies
      .filter((s) => Number.isFinite(s.stats[key].mean))
      .map((s) => {
        const { mean, std } = s.stats[key];
        const spread = Number.isFinite(std) ? std : 0;
        return { strategy: s.strategy, mean, low: mean - spread, high: mean + spread, runs: s.runs.length };
      });
    const title = `${label}: ${group.benchmark}, ${group.scenario}`;
    const subtitle = `mean ± std over seeds; ${better} is better`;
    return {
      id: fileSafe(`${key}-${group.benchmark}-${group.scenario}`),
      title: `${title} (${subtitle})`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: title, subtitle },
        data: { values },
        width: { step: 56 },
        height: 220,
        encoding: { x: { field: 'strategy', type: 'nominal', title: null, axis: { labelAngle: 0 } } },
        layer: [
          {
            mark: 'bar',
            encoding: {
              y: {
                field: 'mean',
                type: 'quantitative',
                title: `${label} (mean)`,
                axis: { format: '.0%' },
                scale: { padding: 16 },
              },
              color: { field: 'strategy', type: 'nominal', legend: null },
            },
          },
          {
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
          },
          {
            mark: { type: 'text', dy: -6, fontSize: 10, baseline: 'bottom' },
            encoding: {
              y: { field: 'high', type: 'quantitative' },
              text: { field: 'mean', type: 'quantitative', format: '.1%' },
            },
          },
        ],
        config: { font: CHART_FONT, background: 'white' },
      },
    };
  });
}
