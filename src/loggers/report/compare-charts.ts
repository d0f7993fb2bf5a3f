import { CHART_FONT, fileSafe, strategyAxis, type ChartSpec } from './charts.js';
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
        encoding: {
          x: strategyAxis(
            values.map((v) => v.strategy),
            56,
          ),
        },
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
          // The mean above the error bar of a positive bar, below it for a negative one (BWT).
          ...[
            { test: 'datum.mean >= 0', field: 'high', baseline: 'bottom' as const, dy: -3 },
            { test: 'datum.mean < 0', field: 'low', baseline: 'top' as const, dy: 3 },
          ].map(({ test, field, baseline, dy }) => ({
            transform: [{ filter: test }],
            mark: { type: 'text' as const, baseline, dy, fontSize: 10 },
            encoding: {
              y: { field, type: 'quantitative' as const },
              text: { field: 'mean', type: 'quantitative' as const, format: '.1%' },
            },
          })),
        ],
        config: { font: CHART_FONT, background: 'white' },
      },
    };
  });
}
