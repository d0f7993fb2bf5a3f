import { escapeHtml, figure, page, percentCell, type RenderedChart } from './page.js';
import type { RunFiles } from './run-files.js';

const GIB = 1024 ** 3;

function summaryTable(run: RunFiles): string {
  const rows = run.strategies.map(
    (s) =>
      `<tr><td>${escapeHtml(s.name)}</td><td>${percentCell(s.acc)}</td><td>${percentCell(s.forgetting)}</td>` +
      `<td>${percentCell(s.bwt)}</td><td>${percentCell(s.fwt)}</td>` +
      `<td>${Number.isFinite(s.wallSeconds) ? s.wallSeconds.toFixed(1) : '–'}</td>` +
      `<td>${Number.isFinite(s.trainSamplesPerSecond) ? Math.round(s.trainSamplesPerSecond) : '–'}</td></tr>`,
  );
  return `<table id="summary">
<thead><tr><th>strategy</th><th>ACC %</th><th>forgetting %</th><th>BWT %</th><th>FWT %</th><th>wall s</th><th>samples/s</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function machine(run: RunFiles): string {
  const env = run.environment;
  if (!env) {
    return `<p id="machine">backend ${escapeHtml(run.backend ?? 'unknown')}; this run recorded no environment.json.</p>`;
  }
  const items: [string, string][] = [
    ['backend', `${env.backend}${env.gemm ? ` (GEMM ${env.gemm})` : ''}`],
    ['CPU', `${env.cpuModel} × ${env.cpuCount}`],
    ['memory', `${(env.totalMemoryBytes / GIB).toFixed(1)} GiB`],
    ['OS', `${env.os} ${env.osRelease} (${env.platform}/${env.arch})`],
    ['Node.js', env.node],
  ];
  return `<dl id="machine">${items.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

/**
 * A run's report as one self-contained HTML page: the charts inline as SVG, the CSS inline, no
 * script and no network at view time. `charts` are those of `runCharts`, already rendered.
 */
export function runReportHtml(run: RunFiles, charts: readonly RenderedChart[]): string {
  const title = `unforget report: ${run.name ?? run.dir}`;
  const seed = run.seed !== undefined ? `, seed ${run.seed}` : '';
  const scenarios = [...new Set(run.strategies.map((s) => s.scenario).filter((s) => s !== undefined))];
  const body = `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(run.benchmark)}${scenarios.length ? ` (${escapeHtml(scenarios.join(', '))})` : ''}${seed}, ${run.strategies.length} strateg${run.strategies.length === 1 ? 'y' : 'ies'}, ${run.strategies[0].matrix.length} experiences.</p>
<h2>Summary</h2>
${summaryTable(run)}
<p class="note">R[i][j] is the accuracy on experience j's test set after training on experience i (T experiences).
ACC = mean<sub>j</sub> R[T-1][j]; forgetting = mean over j &lt; T-1 of max<sub>l&lt;T-1</sub> R[l][j] − R[T-1][j] (Chaudhry et al. 2018);
BWT = mean<sub>j&lt;T-1</sub> (R[T-1][j] − R[j][j]) (Lopez-Paz &amp; Ranzato 2017); FWT = mean<sub>j&gt;0</sub> (R[j-1][j] − b<sub>j</sub>), b the untrained model's accuracy.
The average-accuracy curve shows mean<sub>j≤i</sub> R[i][j], the accuracy over the experiences seen so far.</p>
<h2>Charts</h2>
<div class="charts">
${charts.map(figure).join('\n')}
</div>
<h2>Machine</h2>
${machine(run)}
<h2>Resolved config</h2>
<pre id="config">${escapeHtml(JSON.stringify(run.config, null, 2))}</pre>
`;
  return page(title, body);
}
