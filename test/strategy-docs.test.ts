/**
 * The strategies' documentation is read from their schemas: docs/strategies.md is what the
 * generator writes today (so it cannot drift from the code), and the README names every
 * registered strategy.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { strategies } from '../src/strategies/registry.js';
import { STRATEGY_DOCS, strategyDocs } from '../scripts/strategy-docs.js';

describe('strategy docs', () => {
  it('docs/strategies.md is generated from the schemas as they are (npm run docs:strategies)', async () => {
    const page = await strategyDocs();
    assert.equal(readFileSync(STRATEGY_DOCS, 'utf8'), page, 'run npm run docs:strategies');
    // Every option of every method is in it, with its default.
    assert.match(page, /\| `bufferSize` \| a positive integer\s+\| \*\*required\*\*/);
    assert.match(page, /\| `lambda`\s+\| a number >= 0\s+\| 5000\s+\| strength: the penalty is lambda\/2/);
    for (const name of strategies.names()) assert.ok(page.includes(`### \`${name}\``), name);
  });

  it('the README names every registered strategy', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const name of strategies.names()) assert.ok(readme.includes(`\`${name}\``), name);
  });
});
