import { escapeHtml, figure, page, percentCell, type RenderedChart } from './page.js';
import type { RunFiles, StrategyRun } from './run-files.js';
import type { DriftSummary } from '../../metrics/drift.js';

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

/** One strategy's drift events against the stream's boundaries (metrics/drift.ts). */
function driftTable(name: string, drift: DriftSummary): string {
  const rows = drift.detections.map(
    (d) =>
      `<tr><td>${d.sample}</td><td>${d.step}</td><td>${d.experience}</td>` +
      `<td>${d.boundary ?? '–'}</td><td>${d.delay ?? '–'}</td><td>${d.kind}</td></tr>`,
  );
  const boundaries = drift.boundaries
    .map((b) => `${b.sample} (${b.delay === null ? 'missed' : `delay ${b.delay}`})`)
    .join(', ');
  const delay = Number.isFinite(drift.meanDelay) ? `, mean delay ${drift.meanDelay.toFixed(1)}` : '';
  return `<h3>${escapeHtml(name)}: ${escapeHtml(drift.detector)}</h3>
<p>Boundaries at ${boundaries || 'none'} of ${drift.streamLength} examples: ${drift.detected} of ${drift.boundaries.length} detected${delay}, ${drift.falseAlarms} false alarm${drift.falseAlarms === 1 ? '' : 's'}.</p>
<table id="drift-${escapeHtml(name)}">
<thead><tr><th>example</th><th>step</th><th>experience</th><th>boundary before</th><th>delay</th><th>kind</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** The drift section of a run whose strategies watched drift on an online stream; empty otherwise. */
function driftSection(run: RunFiles): string {
  const watched = run.strategies.filter(
    (s): s is StrategyRun & { drift: DriftSummary } => s.drift !== undefined,
  );
  if (!watched.length) return '';
  return `<h2>Drift</h2>
<p class="note">The drift detector watched the prequential error: each delivered example predicted before it was trained on, 1 when wrong.
A boundary is where an experience of the stream ends and the next begins (its first example's position).
The delay of a drift is its example's position after the nearest boundary before it, plus one (1: at the boundary's first example).
The first drift after a boundary detects it; a drift before the first boundary, or a later one in the same segment, is a false alarm.</p>
${watched.map((s) => driftTable(s.name, s.drift)).join('\n')}
`;
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
${driftSection(run)}<h2>Charts</h2>
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
