import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The Debian package that gives the PNG renderer a font (DejaVu Sans, first in CHART_FONT). */
export const FONT_PACKAGE = 'fonts-dejavu-core';

/**
 * Renames the SVG's element ids (vega numbers gradients and clip paths with a counter global to
 * the process) to `<prefix>-0`, `<prefix>-1`, ... in order of appearance, so that many SVGs
 * inlined in one page never share an id, and the same chart renders to the same text every time.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const [, id] of svg.matchAll(/\sid="([^"]+)"/g))
    if (!ids.has(id)) ids.set(id, `${prefix}-${ids.size}`);
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) =>
    ids.has(id) ? `${lead}${ids.get(id)}` : whole,
  );
}

/**
 * Compiles a vega-lite spec and renders it headless (no DOM, no network) to an SVG string whose
 * ids start with `idPrefix` (see `scopeSvgIds`).
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix = 'chart'): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return scopeSvgIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

const FONT_DIRS = [
  '/usr/share/fonts',
  '/usr/local/share/fonts',
  join(homedir(), '.fonts'),
  join(homedir(), '.local/share/fonts'),
  '/System/Library/Fonts',
  '/Library/Fonts',
  'C:\\Windows\\Fonts',
];

/** TrueType/OpenType files under the usual system font folders (walked recursively). */
export function findFontFiles(dirs: readonly string[] = FONT_DIRS): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ttf|otf|ttc)$/i.test(entry.name)) found.push(path);
    }
  };
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  return found;
}

/** Thrown when a PNG would have no text because the machine has no fonts. */
export class MissingFontsError extends Error {
  constructor() {
    super(
      `no TrueType/OpenType fonts found, so PNG charts would have no text: install one ` +
        `(Debian: apt-get install ${FONT_PACKAGE}); the SVG charts and report.html do not need it`,
    );
    this.name = 'MissingFontsError';
  }
}

let fontsFound: boolean | undefined;

/**
 * Rasterises an SVG to PNG at `scale` (2 = print quality). resvg draws text only with the fonts
 * it loads, and silently draws none without them: so it loads the system's fonts, and a machine
 * with no fonts at all is an error rather than a PNG with blank axes.
 */
export function renderPng(svg: string, scale = 2): Buffer {
  fontsFound ??= findFontFiles().length > 0;
  if (!fontsFound) throw new MissingFontsError();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
