/** The HTML shell shared by run and comparison reports: escaping, inline CSS, the page frame. */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A fraction as a percentage with one decimal (`0.9` -> `90.0`); an en dash for NaN. */
export function percentCell(value: number): string {
  return Number.isFinite(value) ? (value * 100).toFixed(1) : '–';
}

/** A chart already rendered to SVG, with the title the page shows above it. */
export interface RenderedChart {
  readonly id: string;
  readonly title: string;
  readonly svg: string;
}

/** A chart as a figure with its SVG inline, so the page needs no other file to show it. */
export function figure(chart: RenderedChart): string {
  // The SVG draws its own title; the label names the chart for screen readers.
  return `<figure id="chart-${escapeHtml(chart.id)}" class="chart" aria-label="${escapeHtml(chart.title)}">${chart.svg}</figure>`;
}

// No web fonts, no script: the page must render the same offline, years later.
const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #e4e4e4; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.differs { font-weight: 700; background: #fff3c4; }
td.best { text-decoration: underline; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure.chart { margin: 0; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; } dt { font-weight: 600; }
.note { color: #555; font-size: 0.9rem; }
`;

/** A complete, self-contained HTML document. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
