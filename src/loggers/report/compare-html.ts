import { COMPARED_METRICS, type ComparisonGroup } from './compare.js';
import { formatSeedStat } from './compare-table.js';
import { escapeHtml, figure, page, type RenderedChart } from './page.js';

function groupTable(group: ComparisonGroup): string {
  const rows = group.strategies.map((s) => {
    const seeds = s.seeds.map((seed) => (seed === undefined ? '?' : String(seed))).join(', ');
    const cells = COMPARED_METRICS.map(({ key }) => {
      const cls = s.differs[key] ? ' class="differs"' : s.best[key] ? ' class="best"' : '';
      const mark = s.differs[key] ? ' *' : s.best[key] ? ' (best)' : '';
      return `<td${cls} data-metric="${key}">${escapeHtml(formatSeedStat(s.stats[key]))}${mark}</td>`;
    });
    return `<tr data-strategy="${escapeHtml(s.strategy)}"><td>${escapeHtml(s.strategy)}</td><td>${s.runs.length}</td><td>${escapeHtml(seeds)}</td>${cells.join('')}</tr>`;
  });
  return `<table class="comparison">
<thead><tr><th>strategy</th><th>runs</th><th>seeds</th>${COMPARED_METRICS.map((m) => `<th>${m.label} %</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/**
 * The comparison page: per (benchmark, scenario) a table of mean ± std over seeds with the
 * differences beyond the seed spread marked, its charts inline as SVG, and the runs it read.
 * Self-contained like the run report: inline CSS, no script, no network.
 */
export function compareReportHtml(
  groups: readonly ComparisonGroup[],
  charts: readonly (readonly RenderedChart[])[],
  runs: readonly string[],
): string {
  const title = `unforget comparison of ${runs.length} run${runs.length === 1 ? '' : 's'}`;
  const sections = groups.map(
    (group, g) => `<h2>${escapeHtml(group.benchmark)}, ${escapeHtml(group.scenario)}</h2>
${groupTable(group)}
<div class="charts">
${charts[g].map(figure).join('\n')}
</div>`,
  );
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="note" id="rule">Values are mean ± sample standard deviation (n − 1) over the runs of a strategy, normally one per seed, in percent.
In each benchmark and scenario, the best strategy of a metric (highest ACC and BWT, lowest forgetting) is labelled (best).
A value is <strong>marked *</strong> (highlighted) when it differs from the best by more than the seed spread:
|mean − mean<sub>best</sub>| &gt; std + std<sub>best</sub>, i.e. the ± one-std bands do not overlap.
A strategy or best with a single run has no spread and is never marked.</p>
${sections.join('\n')}
<h2>Runs</h2>
<ul id="runs">${runs.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
`;
  return page(title, body);
}
