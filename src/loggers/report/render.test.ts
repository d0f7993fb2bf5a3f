import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHART_FONT } from './charts.js';
import { FONT_PACKAGE, MissingFontsError, findFontFiles, renderPng } from './render.js';

const svgWithText = (text: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="white"/>` +
  `<text x="4" y="28" font-family="${CHART_FONT}" font-size="20px" fill="black">${text}</text></svg>`;

describe('PNG rendering', () => {
  it('writes a PNG at twice the SVG size with the text drawn (fonts found and loaded)', () => {
    assert.ok(findFontFiles().length > 0, `this machine needs a font: apt-get install ${FONT_PACKAGE}`);
    const png = renderPng(svgWithText('ACC 46.7%'));
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    assert.equal(png.readUInt32BE(16), 240);
    assert.equal(png.readUInt32BE(20), 80);
    // resvg silently drops text it has no font for: then the two images would be identical.
    assert.notDeepEqual(png, renderPng(svgWithText('')), 'the text was not drawn');
    assert.notDeepEqual(renderPng(svgWithText('1')), renderPng(svgWithText('7')));
  });

  it('finds no fonts in an empty folder, and says which package to install when there are none', () => {
    assert.deepEqual(findFontFiles([mkdtempSync(join(tmpdir(), 'unforget-fonts-'))]), []);
    assert.match(new MissingFontsError().message, new RegExp(`apt-get install ${FONT_PACKAGE}`));
  });
});
